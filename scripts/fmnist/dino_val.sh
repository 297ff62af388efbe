#!/usr/bin/env bash
# DINO's Fashion-MNIST settings chosen on the validation split: each variant pretrains
# dino_fashionmnist for EPOCHS epochs (seed 0) with the kNN monitor run once at the end on the
# recipe's 10 % validation split of the training images; the test split is not read.
# Usage: dino_val.sh EPOCHS NAME [--set key=value ...]. Appends a line to runs/dino/val.txt.
set -euo pipefail
epochs=$1; name=$2; shift 2
J="java -jar ${SELFSUP_JAR:-target/selfsup.jar}"
run=runs/dino/val-e$epochs-$name
start=$(date +%s)
$J pretrain --config dino_fashionmnist --set train.epochs="$epochs" --set monitor.every_epochs="$epochs" \
    "$@" --seed 0 --out "$run" > "$run.log" 2>&1
secs=$(( $(date +%s) - start ))
knn=$(grep '"kind":"knn"' "$run/metrics.jsonl" | tail -1 | python3 -c "import json,sys;print(round(json.loads(sys.stdin.read())['knn_top1'],2))")
loss=$(grep '"kind":"epoch"' "$run/metrics.jsonl" | tail -1 | python3 -c "import json,sys;d=json.loads(sys.stdin.read());print(round(d.get('loss',float('nan')),4))" || echo ?)
echo "$name epochs $epochs $* val_knn20 $knn last_epoch_loss $loss seconds $secs" | tee -a runs/dino/val.txt

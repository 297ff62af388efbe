#!/usr/bin/env bash
# Tunes the quickstart recipe without its test split: pretrain on the 10,000 embedded training
# images (no labels), then kNN and a linear probe on a seeded validation split of those images
# (probe/bank: 8,000, validation: 2,000). Usage: tune_quickstart.sh NAME [--set key=value ...]
set -euo pipefail
name=$1; shift
out=runs/tune/$name
J="java -jar target/selfsup.jar"
start=$(date +%s)
if [ ! -f "$out/backbone.safetensors" ]; then  # an existing run is only re-evaluated
  $J pretrain --config quickstart_fashionmnist "$@" --out "$out" > "$out.log" 2>&1
fi
pt=$(( $(date +%s) - start ))
size=$(grep -A2 "^  crops:" "$out/recipe.yaml" | grep -o "size: [0-9]*" | head -1 | grep -o "[0-9]*")
line="$name pretrain ${pt}s"
for g in 2 4; do
  common="--run $out --size $size --readout-grid $g --val-fraction 0.2 --val-seed 0"
  knn=$($J knn $common --out "$out/eval-knn-g$g" 2>/dev/null | awk '/k=20 /{print $4}')
  lin=$($J linear-probe $common --protocol custom --lr 0.05 --epochs 30 --wd 0 --batch 256 --eval-every 30 \
      --out "$out/eval-lin-g$g" 2>/dev/null | awk '/^linear_top1/{print $3}')
  line="$line | grid$g knn $knn lin $lin"
done
echo "$line" | tee -a runs/tune/summary.txt

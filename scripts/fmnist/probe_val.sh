#!/usr/bin/env bash
# Chooses the linear-probe protocol of a Fashion-MNIST run on a validation split: the probe trains
# on 50,000 training images and is scored on the other 10,000 (seeded split, --val-seed 0); the
# test split is not read. Usage: probe_val.sh RUN_DIR [OUT_PREFIX]
set -euo pipefail
run=$1
out=${2:-$run/val}
J="java -jar target/selfsup.jar"
data="--dataset fashion_mnist --train /usr/share/datasets/fashion-mnist --size 28 --val-fraction 0.16666667 --val-seed 0"
for g in 1 2 4; do
  bns="false true"; lrs="0.1 0.3 1.0"
  if [ $g = 1 ]; then bns=true; lrs=0.3; fi  # global pooling: one reference point
  knn=$($J knn --run "$run" $data --readout-grid $g --cache "$out/cache" --out "$out/knn-g$g" 2>/dev/null | awk '/k=20 /{print $4}')
  echo "$run grid$g knn20 $knn"
  for bn in $bns; do
    for lr in $lrs; do
      lin=$($J linear-probe --run "$run" $data --readout-grid $g --protocol custom --lr $lr --epochs 30 --wd 0 \
          --batch 256 --bn $bn --eval-every 30 --cache "$out/cache" --out "$out/lin-g$g-bn$bn-lr$lr" 2>/dev/null \
          | awk '/^linear_top1/{print $3}')
      echo "$run grid$g bn $bn lr $lr linear $lin"
    done
  done
done

#!/usr/bin/env bash
# Every method's Fashion-MNIST recipe at one budget and seed, scored on the test split with the
# probe protocol chosen on the validation split. Usage: methods.sh EPOCHS SEED [RECIPE ...]
# (default recipes: simclr, mocov2, mochi, ft, swav). Appends one line per run to runs/methods.txt.
set -euo pipefail
epochs=$1; seed=$2; shift 2
recipes=${*:-simclr_fashionmnist mocov2_fashionmnist mochi_mocov2_fashionmnist ft_mocov2_fashionmnist swav_fashionmnist}
J="java -jar ${SELFSUP_JAR:-target/selfsup.jar}"
data="--dataset fashion_mnist --train /usr/share/datasets/fashion-mnist"
for r in $recipes; do
  run=runs/methods/$r-e$epochs-s$seed
  if [ ! -f "$run/backbone.safetensors" ]; then
    start=$(date +%s)
    $J pretrain --config "$r" --set train.epochs="$epochs" --seed "$seed" --out "$run" > "$run.log" 2>&1
    echo $(( $(date +%s) - start )) > "$run.seconds"
  fi
  ips=$(python3 -c "import json,statistics;print(round(statistics.median([json.loads(l)['images_per_second'] for l in open('$run/metrics.jsonl') if '\"kind\":\"step\"' in l]),1))")
  lin=$($J linear-probe --run "$run" $data --config configs/eval/fashionmnist_linear.yaml --out "$run/test-linear" 2>/dev/null \
      | awk '/^linear_top1/{print $3}')
  knn=$($J knn --run "$run" $data --config configs/eval/fashionmnist_knn.yaml --out "$run/test-knn" 2>/dev/null \
      | awk '/k=20 /{print $4}')
  echo "$r epochs $epochs seed $seed pretrain_s $(cat "$run.seconds") img/s $ips test linear $lin knn20 $knn" | tee -a runs/methods.txt
done

#!/usr/bin/env bash
# Alternating rounds of `selfsup bench train-step` and train_step_small.py on the small-network
# configurations of benchmarks/README.md ("Small-network training step"). Each round runs, for
# every configuration, selfsup and PyTorch back to back, swapping which goes first every round so
# that neither side always gets the quieter half. Appends one JSON line per run, tagged with the
# round and side, to OUT; summarise with summarise_small_step.py.
#
#   bash benchmarks/pytorch/compare_small_step.sh ROUNDS OUT [CONFIG ...]
#
# CONFIG is METHOD:BACKBONE:WIDTH (default: all eight of simclr|mocov2 x resnet10_cifar|
# resnet18_cifar x 16|32). Environment: NICE (default 19), BATCH (256), SIZE (28), THREADS (2),
# WARMUP (2), STEPS (5), JAR (target/selfsup.jar), PYTHON (/usr/bin/python3).
set -euo pipefail
rounds=${1:?rounds}
out=${2:?output file}
shift 2
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
    for m in simclr mocov2; do
        for b in resnet10_cifar resnet18_cifar; do
            for w in 16 32; do configs+=("$m:$b:$w"); done
        done
    done
fi
here=$(cd "$(dirname "$0")" && pwd)
nice=${NICE:-19}
batch=${BATCH:-256}
size=${SIZE:-28}
threads=${THREADS:-2}
warmup=${WARMUP:-2}
steps=${STEPS:-5}
jar=${JAR:-target/selfsup.jar}
python=${PYTHON:-/usr/bin/python3}

ours() { # method backbone width
    local bn=--head-batch-norm
    [ "$1" = mocov2 ] && bn=--no-head-batch-norm
    nice -n "$nice" java -jar "$jar" bench train-step --method "$1" --backbone "$2" --base-width "$3" \
        --batch "$batch" --size "$size" --crops 2 --head 512 --dim 64 "$bn" --threads "$threads" \
        --warmup "$warmup" --steps "$steps" 2>/dev/null | tail -1
}

theirs() {
    local bn=()
    [ "$1" = mocov2 ] && bn=(--no-head-bn)
    nice -n "$nice" "$python" "$here/train_step_small.py" --method "$1" --backbone "$2" --base-width "$3" \
        --batch "$batch" --size "$size" --head 512 --dim 64 "${bn[@]}" --threads "$threads" \
        --warmup "$warmup" --steps "$steps" | tail -1
}

tag() { # round side config json -> tagged json
    "$python" -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(round=int(sys.argv[1]), side=sys.argv[2], config=sys.argv[3], load_average=open("/proc/loadavg").read().split()[0]); print(json.dumps(d))' "$@"
}

for ((r = 1; r <= rounds; r++)); do
    for c in "${configs[@]}"; do
        IFS=: read -r m b w <<< "$c"
        if (( (r + ${#c}) % 2 )); then order=(ours theirs); else order=(theirs ours); fi
        for side in "${order[@]}"; do
            json=$($side "$m" "$b" "$w")
            tag "$r" "$side" "$c" "$json" | tee -a "$out"
        done
    done
done

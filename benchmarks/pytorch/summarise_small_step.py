#!/usr/bin/env python3
"""Summarises the JSON lines of compare_small_step.sh as a Markdown table.

Per configuration: median images/s of each side over the rounds, the median of the per-round
ratios (selfsup / PyTorch, > 1 = selfsup faster; each ratio pairs two runs made back to back), their
range, the same ratio on process CPU seconds per step (PyTorch / selfsup, > 1 = selfsup needs less
CPU), and selfsup's median phase split.

    python3 benchmarks/pytorch/summarise_small_step.py results.jsonl
"""
import collections
import json
import statistics
import sys


def main():
    runs = collections.defaultdict(dict)
    for line in open(sys.argv[1]):
        line = line.strip()
        if line:
            d = json.loads(line)
            runs[d["config"]].setdefault(d["round"], {})[d["side"]] = d
    print("| config | rounds | selfsup images/s | PyTorch images/s | ratio (range) | CPU-time ratio (range) "
          "| selfsup forward / backward / optimizer / method, s |")
    print("|---|---|---|---|---|---|---|")
    for config, rounds in runs.items():
        pairs = [r for r in rounds.values() if "ours" in r and "theirs" in r]
        if not pairs:
            continue
        ours = [p["ours"]["images_per_second"] for p in pairs]
        theirs = [p["theirs"]["images_per_second"] for p in pairs]
        ratio = [p["ours"]["images_per_second"] / p["theirs"]["images_per_second"] for p in pairs]
        cpu = [p["theirs"]["median_step_cpu_seconds"] / p["ours"]["median_step_cpu_seconds"] for p in pairs]
        ph = {k: statistics.median(p["ours"]["median_phase_seconds"][k] for p in pairs)
              for k in ("forward", "backward", "optimizer", "method")}
        print(f"| {config} | {len(pairs)} | {statistics.median(ours):.1f} | {statistics.median(theirs):.1f} "
              f"| {statistics.median(ratio):.2f}x ({min(ratio):.2f}-{max(ratio):.2f}) "
              f"| {statistics.median(cpu):.2f}x ({min(cpu):.2f}-{max(cpu):.2f}) "
              f"| {ph['forward']:.2f} / {ph['backward']:.2f} / {ph['optimizer']:.3f} / {ph['method']:.3f} |")


if __name__ == "__main__":
    main()

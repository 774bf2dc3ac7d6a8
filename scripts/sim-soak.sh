#!/usr/bin/env bash
# Runs simulation seeds one after another for a while and keeps the failing ones: each failing
# seed's JSON line (with its replay command) is appended to sim-failures.jsonl.
#
#   scripts/sim-soak.sh [--from SEED] [--hours H] [--steps K]
#
# Defaults: from a seed picked from the clock (printed), for 1 hour, 300 steps a seed.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=$(( $(date +%s) * 1000 ))
hours=1
steps=300
while [ $# -gt 0 ]; do
  case "$1" in
    --from) seed="$2"; shift 2 ;;
    --hours) hours="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    *) echo "usage: scripts/sim-soak.sh [--from SEED] [--hours H] [--steps K]" >&2; exit 2 ;;
  esac
done
cargo build --quiet -p qianbao-sim --bin qianbao-sim
bin="${CARGO_TARGET_DIR:-target}/debug/qianbao-sim"
deadline=$(( $(date +%s) + hours * 3600 ))
echo "soaking from seed $seed for $hours h, $steps steps a seed; failures go to sim-failures.jsonl" >&2
runs=0
failed=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  if ! line=$("$bin" --seed "$seed" --steps "$steps" 2>/dev/null | tail -n1); then
    echo "$line" >> sim-failures.jsonl
    failed=$((failed + 1))
    echo "seed $seed failed: $line" >&2
  fi
  runs=$((runs + 1))
  seed=$((seed + 1))
done
echo "{\"runs\": $runs, \"failed\": $failed, \"next_seed\": $seed}"

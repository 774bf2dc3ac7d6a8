#!/usr/bin/env bash
# Risk control's cost: `qianbao bench` against a fresh sandbox server with the default rule set
# ("on", the velocity thresholds raised as the limits are for long runs, so the bench's bot-like
# holders are judged by every rule without tripping them) and with no rules ("off"), on both
# backends and both mixes, beside pgbench TPC-B in the same session. One JSON line per run.
#
#   scripts/bench-risk.sh [seconds] [repeats]      # needs target/release/qianbao and pgbench
#   CONCURRENCY=4 MIXES=p2p scripts/bench-risk.sh 10 1   # the stage's own latency, no queueing
set -euo pipefail
SECONDS_PER_RUN="${1:-20}"
REPEATS="${2:-2}"
BIN="${QIANBAO_BIN:-target/release/qianbao}"
PORT=18177
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

# shellcheck source=scripts/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
"$BIN" openapi >/dev/null # the binary runs
bench_policies "$WORK/on.json" "$WORK/off.json"


run() { # backend mix rules
    local backend=$1 mix=$2 rules=$3 dir="$WORK/data-$RANDOM"
    bench_storage "$backend" "$dir" qb_riskbench
    local db=$BENCH_DB
    "$BIN" serve --sandbox --listen "127.0.0.1:$PORT" "${STORAGE[@]}" --policy "$WORK/$rules.json" \
        >"$dir/server.log" 2>&1 &
    local server=$!
    wait_up "$PORT"
    local line
    line=$("$BIN" bench --url "http://127.0.0.1:$PORT" --holders 200 --concurrency "${CONCURRENCY:-64}" \
        --duration "${SECONDS_PER_RUN}s" --mix "$mix" 2>/dev/null | tail -1)
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "{\"backend\":\"$backend\",\"rules\":\"$rules\",\"data\":\"$dir\",\"db\":\"$db\",\"bench\":$line}"
}

echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"
for _ in $(seq "$REPEATS"); do
    for backend in ${BACKENDS:-sqlite postgres}; do
        for mix in ${MIXES:-p2p merchant}; do
            for rules in on off; do
                run "$backend" "$mix" "$rules"
            done
        done
    done
done
echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"

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
PG=postgres://postgres@127.0.0.1:5432
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

# The default rule set, with the two velocity rules' thresholds raised.
"$BIN" openapi >/dev/null # the binary runs
python3 - "$WORK" <<'PY'
import json, sys, subprocess
work = sys.argv[1]
doc = json.loads(open("crates/wallet/src/risk/defaults.rs").read().split('r#"', 1)[1].split('"#', 1)[0])
for r in doc["rules"]:
    if r["kind"] == "velocity":
        p = r["params"]
        if "max_count" in p: p["max_count"] = 1000000
        if "max_amount" in p: p["max_amount"] = 1000000000000
json.dump({"risk": doc}, open(f"{work}/on.json", "w"))
json.dump({"risk": {"rules": []}}, open(f"{work}/off.json", "w"))
PY

pgbench_tps() {
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS qb_pgbench" -c "CREATE DATABASE qb_pgbench" >/dev/null
    pgbench -h 127.0.0.1 -U postgres -i -s 10 -q qb_pgbench >/dev/null 2>&1
    pgbench -h 127.0.0.1 -U postgres -c 64 -j 2 -T "$SECONDS_PER_RUN" qb_pgbench 2>/dev/null \
        | awk '/^tps/ {print $3; exit}'
}

run() { # backend mix rules
    local backend=$1 mix=$2 rules=$3 dir="$WORK/data-$RANDOM" db=""
    mkdir -p "$dir"
    local storage=(--data-dir "$dir")
    if [ "$backend" = postgres ]; then
        db="qb_riskbench_$RANDOM"
        psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
        storage+=(--database "$PG/$db")
    fi
    "$BIN" serve --sandbox --listen "127.0.0.1:$PORT" "${storage[@]}" --policy "$WORK/$rules.json" \
        >"$dir/server.log" 2>&1 &
    local server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
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

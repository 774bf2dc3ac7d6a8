#!/usr/bin/env bash
# The performance issue's measurement, in one session: pgbench TPC-B, then per backend a fresh
# sandbox server with the default risk rules on (the two velocity rules' thresholds raised, as in
# bench-risk.sh, so the bench's bot-like holders are judged by every rule without tripping them),
# holders opened once by `qianbao bench`, then the P2P and one-hot-merchant mixes driven by wrk
# (an outside load generator, scripts/wrk/money.lua) and by `qianbao bench --reuse`, the server's
# peak RSS, and `qianbao verify` over what the runs wrote; pgbench again at the end. One JSON line
# per measurement.
#
#   scripts/bench-wrk.sh [seconds] [connections]      # needs target/release/qianbao, wrk, pgbench
#   BACKENDS=sqlite MIXES=p2p TOOLS=wrk scripts/bench-wrk.sh 20 64
set -euo pipefail
SECONDS_PER_RUN="${1:-20}"
CONNECTIONS="${2:-64}"
BIN="${QIANBAO_BIN:-target/release/qianbao}"
PORT="${PORT:-18178}"
PG=postgres://postgres@127.0.0.1:5432
WORK="$(mktemp -d)"
HERE="$(cd "$(dirname "$0")" && pwd)"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
doc = json.loads(open("crates/wallet/src/risk/defaults.rs").read().split('r#"', 1)[1].split('"#', 1)[0])
for r in doc["rules"]:
    if r["kind"] == "velocity":
        p = r["params"]
        if "max_count" in p: p["max_count"] = 1000000
        if "max_amount" in p: p["max_amount"] = 1000000000000
json.dump({"risk": doc}, open(f"{work}/policy.json", "w"))
PY

pgbench_tps() {
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS qb_pgbench" -c "CREATE DATABASE qb_pgbench" >/dev/null
    pgbench -h 127.0.0.1 -U postgres -i -s 10 -q qb_pgbench >/dev/null 2>&1
    pgbench -h 127.0.0.1 -U postgres -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_RUN" qb_pgbench 2>/dev/null \
        | awk '/^tps/ {print $3; exit}'
}

# holders.json (from `qianbao bench`) → holders.lua for wrk, which has no JSON reader.
to_lua() {
    python3 - "$1" "$2" <<'PY'
import json, sys
saved = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    out.write("return {\n  static_qr = %s,\n" % json.dumps(saved["static_qr"]))
    out.write("  tokens = {%s},\n" % ", ".join(json.dumps(h["token"]) for h in saved["holders"]))
    out.write("  wallets = {%s},\n}\n" % ", ".join(json.dumps(h["wallet_id"]) for h in saved["holders"]))
PY
}

peak_rss_mib() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
rss_mib() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

backend_runs() {
    local backend=$1 dir="$WORK/data-$1" db=""
    mkdir -p "$dir"
    local storage=(--data-dir "$dir")
    if [ "$backend" = postgres ]; then
        db="qb_wrkbench_$RANDOM"
        psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
        storage+=(--database "$PG/$db")
    fi
    "$BIN" serve --sandbox --listen "127.0.0.1:$PORT" "${storage[@]}" --policy "$WORK/policy.json" \
        >"$dir/server.log" 2>&1 &
    local server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    local url="http://127.0.0.1:$PORT" holders="$dir/holders.json"
    # Opens the holders (and warms the server up for 5 s).
    "$BIN" bench --url "$url" --holders 200 --concurrency "$CONNECTIONS" --duration 5s \
        --holders-file "$holders" --mix p2p >/dev/null 2>&1
    to_lua "$holders" "$dir/holders.lua"
    echo "{\"backend\":\"$backend\",\"after_opening_rss_mib\":$(rss_mib "$server"),\"peak_rss_mib\":$(peak_rss_mib "$server")}"
    for mix in ${MIXES:-p2p merchant}; do
        for tool in ${TOOLS:-wrk bench}; do
            local line
            if [ "$tool" = wrk ]; then
                line=$(HOLDERS="$dir/holders.lua" MIX="$mix" wrk -t2 -c"$CONNECTIONS" \
                    -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/wrk/money.lua" "$url" | tail -1)
            else
                line=$("$BIN" bench --url "$url" --holders 200 --concurrency "$CONNECTIONS" \
                    --duration "${SECONDS_PER_RUN}s" --holders-file "$holders" --reuse --mix "$mix" \
                    2>/dev/null | tail -1)
            fi
            echo "{\"backend\":\"$backend\",\"mix\":\"$mix\",\"tool\":\"$tool\",\"rss_mib\":$(rss_mib "$server"),\"peak_rss_mib\":$(peak_rss_mib "$server"),\"result\":$line}"
        done
    done
    kill "$server"; wait "$server" 2>/dev/null || true
    local verify=(--data-dir "$dir")
    [ -n "$db" ] && verify+=(--database "$PG/$db")
    if "$BIN" verify "${verify[@]}" >"$dir/verify.txt" 2>&1; then
        echo "{\"backend\":\"$backend\",\"verify\":\"clean\"}"
    else
        echo "{\"backend\":\"$backend\",\"verify\":\"FAILED\",\"report\":\"$dir/verify.txt\"}"
    fi
    [ -n "$db" ] && psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db" >/dev/null
    return 0
}

echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"
for backend in ${BACKENDS:-sqlite postgres}; do
    backend_runs "$backend"
done
echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"

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
WORK="$(mktemp -d)"
HERE="$(cd "$(dirname "$0")" && pwd)"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

# shellcheck source=scripts/bench-lib.sh
. "$HERE/bench-lib.sh"
bench_policies "$WORK/policy.json"

peak_rss_mib() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
rss_mib() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

backend_runs() {
    local backend=$1 dir="$WORK/data-$1"
    bench_storage "$backend" "$dir" qb_wrkbench
    local db=$BENCH_DB storage=("${STORAGE[@]}")
    "$BIN" serve --sandbox --listen "127.0.0.1:$PORT" "${storage[@]}" --policy "$WORK/policy.json" \
        >"$dir/server.log" 2>&1 &
    local server=$!
    wait_up "$PORT"
    local url="http://127.0.0.1:$PORT" holders="$dir/holders.json"
    # Opens the holders (and warms the server up for 5 s).
    "$BIN" bench --url "$url" --holders 200 --concurrency "$CONNECTIONS" --duration 5s \
        --holders-file "$holders" --mix p2p >/dev/null 2>&1
    holders_to_lua "$holders" "$dir/holders.lua"
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
    if "$BIN" verify "${storage[@]}" >"$dir/verify.txt" 2>&1; then
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

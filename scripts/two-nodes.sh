#!/usr/bin/env bash
# Several nodes on PostgreSQL: two `qianbao serve` processes on one database behind one address
# (haproxy, round robin), measured against one node alone in the same session, with pgbench
# beside them. Both nodes share the master key (QIANBAO_MASTER_KEY), as an operator's nodes do,
# so a session opened through one is honoured by the other. One JSON line per measurement.
#
#   scripts/two-nodes.sh [seconds] [connections]     # needs target/release/qianbao, haproxy, wrk
set -euo pipefail
SECONDS_PER_RUN="${1:-20}"
CONNECTIONS="${2:-64}"
BIN="${QIANBAO_BIN:-target/release/qianbao}"
FRONT=18190 NODE_A=18191 NODE_B=18192
PG=postgres://postgres@127.0.0.1:5432
WORK="$(mktemp -d)"
HERE="$(cd "$(dirname "$0")" && pwd)"
DB="qb_twonodes_$RANDOM"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
QIANBAO_MASTER_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export QIANBAO_MASTER_KEY

# shellcheck source=scripts/bench-lib.sh
. "$HERE/bench-lib.sh"
bench_policies "$WORK/policy.json"

cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend wallet
    bind 127.0.0.1:$FRONT
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    server a 127.0.0.1:$NODE_A check
    server b 127.0.0.1:$NODE_B check
CFG

# pgbench runs while no node is up: its 64 clients and the nodes' connections together would pass
# PostgreSQL's max_connections.
echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
node() { # port
    mkdir -p "$WORK/node-$1"
    "$BIN" serve --sandbox --listen "127.0.0.1:$1" --data-dir "$WORK/node-$1" \
        --database "$PG/$DB" --policy "$WORK/policy.json" >"$WORK/node-$1/server.log" 2>&1 &
    echo $!
}
A=$(node $NODE_A); wait_up $NODE_A
B=$(node $NODE_B); wait_up $NODE_B
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY=$!
wait_up $FRONT

# The holders, opened once through the front (so through both nodes).
"$BIN" bench --url "http://127.0.0.1:$FRONT" --holders 200 --concurrency "$CONNECTIONS" --duration 5s \
    --holders-file "$WORK/holders.json" --mix p2p >/dev/null 2>&1
holders_to_lua "$WORK/holders.json" "$WORK/holders.lua"

wrk_run() { # port label
    local line
    line=$(HOLDERS="$WORK/holders.lua" MIX="${MIX:-p2p}" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
        --latency -s "$HERE/wrk/money.lua" "http://127.0.0.1:$1" | tail -1)
    echo "{\"target\":\"$2\",\"result\":$line}"
}
lock_waits() { # how often a money batch waited on the journal head's lock, sampled for 5 s
    local waiting=0 samples=0
    for _ in $(seq 50); do
        n=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'journal_head' AND NOT l.granted")
        waiting=$((waiting + n)); samples=$((samples + 1)); sleep 0.1
    done
    echo "{\"journal_head_lock_waiters_per_sample\":$(python3 -c "print(round($waiting/$samples, 2))")}"
}

for _ in $(seq "${REPEATS:-2}"); do
    wrk_run $NODE_A "one node"
    (sleep $((SECONDS_PER_RUN / 2)); lock_waits) & wrk_run $FRONT "two nodes behind haproxy"; wait $!
done
kill "$A" "$B" "$HAPROXY"
while kill -0 "$A" 2>/dev/null || kill -0 "$B" 2>/dev/null; do sleep 0.1; done
echo "{\"pgbench_tpcb_tps\":$(pgbench_tps)}"
if "$BIN" verify --data-dir "$WORK/node-$NODE_A" --database "$PG/$DB" >"$WORK/verify.txt" 2>&1; then
    echo '{"verify":"clean"}'
else
    echo "{\"verify\":\"FAILED\",\"report\":\"$WORK/verify.txt\"}"
fi
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB" >/dev/null

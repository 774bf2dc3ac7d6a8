# Shared by the benchmark scripts (bench-risk.sh, bench-wrk.sh, two-nodes.sh); sourced, not run.
# They measure a release build against PostgreSQL at 127.0.0.1:5432 and pgbench in one session.

# The default risk rule set as a policy file at $1, with the two velocity rules' thresholds
# raised (the limits are for long runs), so the bench's bot-like holders are judged by every rule
# without tripping them; and, with a second argument, a policy with no rules at $2.
bench_policies() {
    python3 - "$1" "${2:-}" <<'PY'
import json, sys
doc = json.loads(open("crates/wallet/src/risk/defaults.rs").read().split('r#"', 1)[1].split('"#', 1)[0])
for r in doc["rules"]:
    if r["kind"] == "velocity":
        p = r["params"]
        if "max_count" in p: p["max_count"] = 1000000
        if "max_amount" in p: p["max_amount"] = 1000000000000
json.dump({"risk": doc}, open(sys.argv[1], "w"))
if sys.argv[2]:
    json.dump({"risk": {"rules": []}}, open(sys.argv[2], "w"))
PY
}

# pgbench TPC-B-like (-s 10) for $SECONDS_PER_RUN seconds with ${CONNECTIONS:-64} clients; prints tps.
pgbench_tps() {
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS qb_pgbench" -c "CREATE DATABASE qb_pgbench" >/dev/null
    pgbench -h 127.0.0.1 -U postgres -i -s 10 -q qb_pgbench >/dev/null 2>&1
    pgbench -h 127.0.0.1 -U postgres -c "${CONNECTIONS:-64}" -j 2 -T "$SECONDS_PER_RUN" qb_pgbench 2>/dev/null \
        | awk '/^tps/ {print $3; exit}'
}

# holders.json at $1 (written by `qianbao bench`) → holders.lua at $2 for wrk, which reads no JSON.
holders_to_lua() {
    python3 - "$1" "$2" <<'PY'
import json, sys
saved = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    # Lua 5.1 knows no \u escapes: the code's merchant name goes in as its own UTF-8 bytes.
    out.write("return {\n  static_qr = %s,\n" % json.dumps(saved["static_qr"], ensure_ascii=False))
    out.write("  tokens = {%s},\n" % ", ".join(json.dumps(h["token"]) for h in saved["holders"]))
    out.write("  wallets = {%s},\n}\n" % ", ".join(json.dumps(h["wallet_id"]) for h in saved["holders"]))
PY
}

# Waits up to 10 s for a server's /healthz on port $1.
wait_up() {
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
}

# Sets STORAGE (the `serve`/`verify` storage arguments) and BENCH_DB for backend $1 (sqlite or
# postgres) with data folder $2, making the folder and, for PostgreSQL, a fresh database named $3_N.
bench_storage() {
    mkdir -p "$2"
    STORAGE=(--data-dir "$2")
    BENCH_DB=""
    if [ "$1" = postgres ]; then
        BENCH_DB="$3_$RANDOM"
        psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $BENCH_DB" >/dev/null
        STORAGE+=(--database "postgres://postgres@127.0.0.1:5432/$BENCH_DB")
    fi
}

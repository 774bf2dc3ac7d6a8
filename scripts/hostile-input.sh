#!/usr/bin/env bash
# Hostile input: runs schemathesis against the OpenAPI document (/openapi.json) of a fresh sandbox
# server with every check on — server errors; status codes, content types, headers and bodies
# against the document; invalid input accepted and valid input refused; missing headers; wrong
# methods and their Allow header; objects missing after they were made or present after they were
# deleted; credentials ignored; and one user reaching another's objects. Exits non-zero on any
# failure, and ends with a one-line summary.
#
#   scripts/hostile-input.sh                          # 25 examples per operation
#   HOSTILE_MAX_EXAMPLES=200 scripts/hostile-input.sh # deeper
#
# Environment:
#   QIANBAO_BIN            the binary to test (default target/debug/qianbao, built first)
#   HOSTILE_MAX_EXAMPLES   examples per operation and pass (default 25)
#   HOSTILE_SEED           the generation seed (default 20261201: the same run every time)
#   HOSTILE_MAX_TIME       optional time budget in seconds for each pass
#   HOSTILE_CACHE          where the schemathesis virtualenv lives (default ~/.cache/qianbao-hostile)
#   HOSTILE_REPORT_DIR     keep the reports (JUnit, NDJSON), the configs and the server log here
#
# scripts/hostile_setup.py makes the identities; scripts/hostile-input.toml holds the settings
# every pass shares, with why each one is there.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

max_examples=${HOSTILE_MAX_EXAMPLES:-25}
seed=${HOSTILE_SEED:-20261201}
cache=${HOSTILE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qianbao-hostile}
venv="$cache/venv-$SCHEMATHESIS_VERSION"

# --- schemathesis, pinned, in its own virtualenv ---------------------------------------------
if [[ ! -x "$venv/bin/schemathesis" ]] ||
    [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    echo "hostile-input: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
    rm -rf "$venv"
    mkdir -p "$cache"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
st="$venv/bin/schemathesis"

# --- the binary ------------------------------------------------------------------------------
bin=${QIANBAO_BIN:-target/debug/qianbao}
if [[ -z "${QIANBAO_BIN:-}" ]]; then
    cargo build --quiet -p qianbao-server --bin qianbao
fi
[[ -x "$bin" ]] || { echo "hostile-input: no binary at $bin" >&2; exit 2; }

# --- a sandbox server on a free port, stopped on exit ----------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/qianbao-hostile.XXXXXX")
server_pid=""
cleanup() {
    local rc=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n "${HOSTILE_REPORT_DIR:-}" ]]; then
        mkdir -p "$HOSTILE_REPORT_DIR"
        cp -r "$work/report/." "$HOSTILE_REPORT_DIR/" 2>/dev/null || true
        cp "$work"/*.toml "$work/server.log" "$HOSTILE_REPORT_DIR/" 2>/dev/null || true
    elif [[ $rc -ne 0 && -s "$work/server.log" ]]; then
        echo "--- the server log's last lines ---" >&2
        tail -n 20 "$work/server.log" >&2 || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The operator's numbers, but with the lockouts out of reach: the fuzzer sends thousands of wrong
# payment passwords and login passwords, and a locked PIN (423 for three hours) or login would
# end its reach into the money paths within the first few requests. The lockouts themselves are
# tested in crates/server/tests.
cat >"$work/policy.json" <<'JSON'
{"pin_tries_max": 1000000000, "login_failures_max": 1000000000}
JSON

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --sandbox --listen "127.0.0.1:$port" --data-dir "$work/data" \
    --policy "$work/policy.json" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "hostile-input: the server exited" >&2; exit 2; }
    sleep 0.1
done
curl -fsS "$base/readyz" >/dev/null || { echo "hostile-input: the server never got ready" >&2; exit 2; }

# --- two holders, each with a card, a PIN, money and a merchant ------------------------------
python3 scripts/hostile_setup.py "$base" "$work"

# --- the runs --------------------------------------------------------------------------------
# Three passes against the same server, with every check on in each:
#   holder    every holder operation, as alice (bob is her peer for the object-level checks);
#   merchant  the merchant API, as alice's shop (bob's shop is its peer);
#   last      what takes the identity's own means away — freezing the wallet, changing the PIN,
#             unbinding the card — run after the others, which would otherwise meet a frozen
#             wallet, an unknown PIN and no card for the rest of the run.
# The identity is pinned per pass rather than picked per operation by schemathesis, because a
# wrong payment password is 401 `pin_incorrect` (API.md), which its identity escalation takes for
# refused credentials.
last_ops=("POST /v1/me/freeze" "PUT /v1/me/pin" "POST /v1/me/cards/{card_id}/unbind")

config() { # config PASS USER VALUES PEER...
    local pass=$1 user=$2 values=$3
    shift 3
    local peers
    peers=$(printf '"%s", ' "$@")
    {
        cat scripts/hostile-input.toml
        printf '\n[auth.wfc]\npath = "%s"\nuser = "%s"\npeers = [%s]\n\n' \
            "$work/auth.json" "$user" "${peers%, }"
        cat "$work/$values.toml"
    } >"$work/$pass-config.toml"
}
config holder alice holder alice bob
config merchant alice-shop merchant alice-shop bob-shop
config last alice holder alice bob

common=(
    --checks all
    --max-examples "$max_examples"
    --seed "$seed"
    --workers 1
    --no-color
)
[[ -n "${HOSTILE_MAX_TIME:-}" ]] && common+=(--max-time "$HOSTILE_MAX_TIME")

status=0
summary=""
pass() { # pass NAME FILTER-ARGUMENT...
    local name=$1
    shift
    echo "=== hostile-input: the $name pass ==="
    set +e
    "$st" --config-file "$work/$name-config.toml" run "$base/openapi.json" "${common[@]}" "$@" \
        --report junit,ndjson --report-dir "$work/report/$name" 2>&1 | tee "$work/$name.out"
    local rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 0 ]] || status=$rc
    # The summary's "Test cases:" line is followed by "  N generated, M found K unique failures, …".
    local cases ops
    cases=$(grep -A1 '^Test cases:' "$work/$name.out" | tail -n1 | sed 's/^ *//')
    ops=$(grep -A2 '^API Operations:' "$work/$name.out" | grep 'Tested:' | sed 's/^ *Tested: *//')
    summary+="$name ${ops:-?} operations: ${cases:-no test cases}; "
}
filter=()
for op in "${last_ops[@]}"; do filter+=(--exclude-name "$op"); done
pass holder --exclude-path-regex '^/v1/merchant/' "${filter[@]}"
pass merchant --include-path-regex '^/v1/merchant/'
filter=()
for op in "${last_ops[@]}"; do filter+=(--include-name "$op"); done
pass last "${filter[@]}"

verdict=$([[ $status -eq 0 ]] && echo PASS || echo FAIL)
echo "hostile-input: $verdict (schemathesis $SCHEMATHESIS_VERSION, seed $seed, $max_examples examples) ${summary%; }"
exit "$status"

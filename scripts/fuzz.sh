#!/usr/bin/env bash
# Fuzz every parser (phone, ID number, card number, PIN, password, photo, QR payload, payment
# code, journal instruction, amounts, stored names, webhook signature) for a fixed time each, on
# stable Rust. Prints the seed first; exits non-zero if any case panicked or broke a property,
# after printing the target, seed, case and input (debug and hex) and the command that replays it.
# See crates/fuzz/README.md.
#
#   scripts/fuzz.sh                          # every target, 30 s each, a fresh seed
#   FUZZ_SECONDS=60 scripts/fuzz.sh          # longer
#   FUZZ_SEED=12345 scripts/fuzz.sh phone    # one target, a given seed
#   scripts/fuzz.sh phone --seed 12345 --case 678   # replay one case of a finding
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 30)
#   FUZZ_SEED      the run's seed (default: drawn from /dev/urandom and printed)
#
# Builds in the `fuzz` profile: release optimisation plus overflow checks and debug assertions,
# so arithmetic that would silently wrap in a release build is caught as a panic.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}
which=${1:-all}
shift || true

echo "fuzz: seed ${seed}, ${seconds} s per target, target ${which}"

profile=(
  --profile fuzz
  --config 'profile.fuzz.inherits="release"'
  --config 'profile.fuzz.overflow-checks=true'
  --config 'profile.fuzz.debug-assertions=true'
)
cargo build --quiet "${profile[@]}" -p qianbao-fuzz

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
# Arguments after the target come last, so a replay's --seed and --case win.
"${target_dir:-target}/fuzz/qianbao-fuzz" "$which" --seconds "$seconds" --seed "$seed" "$@"

#!/usr/bin/env bash
# The whole test suite, as the README gives it: makes sure the browser the web-app tests drive is
# installed (Debian's chromium and chromium-driver) with axe-core from npm, and the EMVCo oracle
# (cemacqr from PyPI), then runs every test of the workspace.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p qianbao-server --test browser`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium and chromium-driver for the browser tests" >&2
    # The package lists may be missing or stale on a fresh machine; update only when the install fails.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }
  else
    echo "note: chromium and chromedriver are not installed and cannot be installed here (needs root and apt-get);" >&2
    echo "      the browser tests will be skipped unless QIANBAO_REQUIRE_BROWSER=1" >&2
  fi
fi

# The app is Chinese: its pages are measured (tap targets, overflow) as a holder's phone draws them,
# with a font that has Chinese glyphs. Without one, chromium 156 draws a two-character link 16 px
# wide and the tap-target checks fail for the missing font, not the page; screenshots need it too.
if ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-microhei >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-microhei >/dev/null; }
  else
    echo "note: no font with Chinese glyphs (fonts-wqy-microhei); the browser tests' layout checks may fail" >&2
  fi
fi

# The browser tests run axe-core inside the pages (crates/server/tests/browser/a11y.rs names the
# version); it comes from the npm registry into target/axe, outside the repo.
axe_version=4.10.3
if ! grep -qs "\"version\": \"$axe_version\"" target/axe/node_modules/axe-core/package.json; then
  if command -v npm >/dev/null 2>&1; then
    echo "installing axe-core $axe_version for the browser tests' accessibility checks" >&2
    npm install --prefix target/axe --no-audit --no-fund --no-save "axe-core@$axe_version" >/dev/null
  else
    echo "note: npm is missing; the browser tests cannot check accessibility" >&2
  fi
fi

# The EMVCo oracle test (crates/wallet/tests/emvco_oracle.rs) reads our merchant QR codes with
# cemacqr, an independent implementation from PyPI (scripts/emvco_oracle.py drives it); it goes
# into target/emvco-oracle, outside the repo, at the version the test names.
emvco_oracle_version=0.1.2
if [ ! -d "target/emvco-oracle/cemacqr-$emvco_oracle_version.dist-info" ]; then
  if command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    echo "installing cemacqr $emvco_oracle_version for the EMVCo oracle test" >&2
    rm -rf target/emvco-oracle
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps \
      --target target/emvco-oracle "cemacqr==$emvco_oracle_version" >/dev/null
  else
    echo "note: python3 or pip is missing; the EMVCo oracle test will be skipped unless QIANBAO_REQUIRE_ORACLES=1" >&2
  fi
fi

if [ $# -gt 0 ]; then
  exec cargo test --workspace "$@"
fi
cargo test --workspace
# The whole suite also proves the simulation finds bugs: the test-only `bugs` feature puts three
# real bug classes back (a second build of wallet, store, connectors, server and sim), and each
# must be caught within the CI seed budget (crates/sim/tests/finds_bugs.rs, docs/simulation.md).
exec cargo test -p qianbao-sim --features bugs --test finds_bugs

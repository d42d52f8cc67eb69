#!/usr/bin/env bash
# deps.sh: installs the Debian packages docket needs, only when missing.
#   scripts/deps.sh build   what `make run` needs (compiler, libraries)
#   scripts/deps.sh test    plus what `make test` needs (cmocka, clang-format
#                           and clang-tidy, database servers, SMTP server,
#                           Chromium, node packages)
#   scripts/deps.sh bench   plus what `make bench` needs (wrk, nginx)
# As root it runs apt-get; otherwise it prints the exact command and fails.
# When everything is present it only asks dpkg, which takes milliseconds.
set -eu
what=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)

pkgs="build-essential cmake pkg-config libsqlite3-dev libmicrohttpd-dev
  libcjson-dev libcurl4-openssl-dev libsodium-dev libcmark-dev libinih-dev
  libzip-dev zlib1g-dev libpq-dev libmariadb-dev libyaml-dev"
case $what in
build) ;;
test)
  pkgs="$pkgs libcmocka-dev clang clang-format clang-tidy libclang-rt-14-dev postgresql
    mariadb-server python3 python3-aiosmtpd chromium nodejs sqlite3
    openssl curl procps iproute2" ;;
bench)
  pkgs="$pkgs libcmocka-dev wrk nginx-light procps" ;;
*) echo "usage: scripts/deps.sh build|test|bench" >&2; exit 2 ;;
esac

missing=""
status=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null || true)
for p in $pkgs; do
  if ! printf '%s\n' "$status" | grep -q "^$p install ok installed$"; then
    missing="$missing $p"
  fi
done
# nginx-light or nginx both do for benchmarks.
if [ "$what" = bench ] && command -v nginx >/dev/null 2>&1; then
  missing=$(printf '%s' "$missing" | sed 's/ nginx-light//')
fi

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends $missing; then
      apt-get update -q
      apt-get install -y -q --no-install-recommends $missing
    fi
  else
    echo "deps: missing Debian packages; run:" >&2
    echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
  fi
fi

# Debian ships npm as its own package; some Node.js builds bundle it (and
# conflict with Debian's), so install it only when the command is missing.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
  else
    echo "deps: run: sudo apt-get install -y --no-install-recommends npm" >&2
    exit 1
  fi
fi

# Browser tests: playwright-core and axe-core from the npm registry, pinned
# by tests/e2e/package-lock.json; they use Debian's Chromium (no download).
if [ "$what" = test ] && [ -f "$here/tests/e2e/package.json" ]; then
  if [ ! -d "$here/tests/e2e/node_modules/playwright-core" ] ||
     [ ! -d "$here/tests/e2e/node_modules/axe-core" ]; then
    (cd "$here/tests/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
       npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
exit 0

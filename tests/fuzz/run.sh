#!/usr/bin/env bash
# run.sh [--seconds N] [--out DIR] [TARGET...]: builds the libFuzzer targets
# of tests/fuzz/ with clang (-fsanitize=fuzzer,address,undefined) and runs
# each for N seconds (default 60) on its seed corpus tests/fuzz/corpus/<t>.
# New inputs go to DIR/corpus/<t> (default build/fuzz), never into the
# repository; a crash is saved in DIR/crashes/<t>/ and fails the run: turn
# it into a regression test and a seed. Without TARGET, runs them all.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=60
out="$top/build/fuzz"
while [ $# -gt 0 ]; do
  case $1 in
  --seconds) seconds=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  *) break ;;
  esac
done
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/*.c; do targets+=("$(basename "$f" .c)"); done
fi
command -v clang >/dev/null || { echo "fuzz: clang is missing (scripts/deps.sh test)"; exit 1; }
mkdir -p "$out"

sources_for() {
  local t=$1 s="$top/core/*.c $top/forms/*.c"
  case $t in
  forms_*) ;;
  migrate_*) s="$s $top/migrations/*.c" ;;
  notify_*) s="$s $top/registry/*.c $top/notify/*.c" ;;
  web_*) s="$s $top/web/markdown.c" ;;
  webapp_*)
    # all of web/ (and what it links), with the embedded assets generated
    # the way web/CMakeLists.txt does
    cmake -DOUT="$out/$t.assets.c" -DDIR="$top/web/static" \
      -P "$top/web/embed.cmake" >/dev/null
    s="$s $top/migrations/*.c $top/registry/*.c $top/notify/*.c $top/web/*.c $out/$t.assets.c" ;;
  *) echo "fuzz: no source set for $t" >&2; return 1 ;;
  esac
  echo $s
}

# libzip is optional for web/ (HAVE_LIBZIP), as in web/CMakeLists.txt
zip=""
if pkg-config --exists libzip; then zip="-DHAVE_LIBZIP=1 $(pkg-config --cflags --libs libzip)"; fi
# web/ may use zlib (compressed replies)
if pkg-config --exists zlib; then zip="$zip $(pkg-config --cflags --libs zlib)"; fi

status=0
for t in "${targets[@]}"; do
  bin="$out/$t"
  src=$(sources_for "$t")
  # shellcheck disable=SC2086
  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DDOCKET_VERSION='"fuzz"' \
    -I"$top/core" -I"$top/forms" -I"$top/migrations" -I"$top/registry" \
    -I"$top/notify" -I"$top/web" \
    "$here/$t.c" $src -o "$bin" \
    $(pkg-config --cflags --libs libcjson inih sqlite3 libcurl libsodium libcmark libmicrohttpd) -lm $zip
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  seeds="$here/corpus/$t"
  [ -d "$seeds" ] || seeds=""
  echo "fuzz: $t for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=0 \
       -artifact_prefix="$out/crashes/$t/" "$out/corpus/$t" $seeds \
       >"$out/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A CRASH; see $out/$t.log and $out/crashes/$t/"
    tail -40 "$out/$t.log"
    status=1
  else
    grep -E '^#[0-9]+.*(DONE|pulse)' "$out/$t.log" | tail -1 || true
  fi
done
exit $status

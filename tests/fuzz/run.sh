#!/usr/bin/env bash
# run.sh [--seconds N] [--out DIR] [TARGET...]: builds the libFuzzer targets
# of tests/fuzz/ with clang (-fsanitize=fuzzer,address,undefined) and runs
# each for N seconds (default 60) on its seed corpus tests/fuzz/corpus/<t>.
# New inputs go to DIR/corpus/<t> (default build/fuzz), never into the
# repository; a crash is saved in DIR/crashes/<t>/ and fails the run: turn
# it into a regression test and a seed. Without TARGET, runs them all.
# --build-only builds the targets and runs none (make test builds them all
# first, in one test that starts early, so that the fuzz tests only run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=60
seed=0 # 0: libFuzzer picks one; make test passes a fixed seed so runs repeat
out="$top/build/fuzz"
build_only=0
while [ $# -gt 0 ]; do
  case $1 in
  --seconds) seconds=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --seed) seed=$2; shift 2 ;;
  --build-only) build_only=1; shift ;;
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
  core_* | forms_*) ;;
  migrate_*) s="$s $top/migrations/*.c" ;;
  notify_*) s="$s $top/migrations/*.c $top/live/*.c $top/registry/*.c $top/domain/*.c $top/notify/*.c" ;;
  web_* | webapp_*)
    # all of web/ (and what it links), with the embedded assets generated
    # the way web/CMakeLists.txt does (kept when unchanged, so that their
    # object is not compiled again; one file for every web target)
    exec 8>"$out/assets.lock"
    flock 8
    cmake -DOUT="$out/web.assets.c.new" -DDIR="$top/web/static" \
      -P "$top/web/embed.cmake" >/dev/null
    if cmp -s "$out/web.assets.c.new" "$out/web.assets.c"; then
      rm -f "$out/web.assets.c.new"
    else
      mv "$out/web.assets.c.new" "$out/web.assets.c"
    fi
    flock -u 8
    s="$s $top/migrations/*.c $top/live/*.c $top/registry/*.c $top/domain/*.c $top/notify/*.c $top/web/*.c $out/web.assets.c" ;;
  *) echo "fuzz: no source set for $t" >&2; return 1 ;;
  esac
  echo $s
}

# libzip is optional for web/ (HAVE_LIBZIP), as in web/CMakeLists.txt
zip="" zipdef=""
if pkg-config --exists libzip; then zip="$(pkg-config --libs libzip)"; zipdef="-DHAVE_LIBZIP=1 $(pkg-config --cflags libzip)"; fi
# web/ uses zlib (compressed replies)
if pkg-config --exists zlib; then zip="$zip $(pkg-config --libs zlib)"; fi

cflags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DDOCKET_VERSION=\"fuzz\"
  -I$top/core -I$top/forms -I$top/migrations -I$top/live -I$top/registry -I$top/domain
  -I$top/notify -I$top/web -I$top/domain/internal -I$top/forms/internal
  -I$top/migrations/internal -I$top/notify/internal -I$top/registry/internal
  -I$top/web/internal -I$top/live/internal
  $(pkg-config --cflags libcjson inih sqlite3 libcurl libsodium libcmark libmicrohttpd libpq libmariadb yaml-0.1)"
libs="$(pkg-config --libs libcjson inih sqlite3 libcurl libsodium libcmark libmicrohttpd libpq libmariadb yaml-0.1) -lm $zip"
newest_header=$(ls -t "$top"/*/*.h 2>/dev/null | head -1)

# Objects are shared by every target and kept in $out/obj, rebuilt when the
# source or any header is newer; the lock lets parallel runs share them.
objects_for() {
  local objs="" stale="" src o
  mkdir -p "$out/obj"
  exec 9>"$out/obj.lock"
  flock 9
  for src in $1; do
    # the name sed gives in the compile step below, without a process
    # per source (150 of them per web target, every fuzz test)
    o=${src#"$top"/}
    o=${o#"$out"/}
    o="$out/obj/${o//\//_}.o"
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
      stale="$stale $src"
    fi
    objs="$objs $o"
  done
  # Stale objects are compiled in parallel, one clang per core: on a clean
  # clone this is most of the fuzz tests' time.
  if [ -n "$stale" ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $stale | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} \
      sh -c 'o="$1/obj/$(echo "$2" | sed "s|^$3/||; s|^$1/||; s|/|_|g").o"
             clang $4 -c "$2" -o "$o.tmp" && mv "$o.tmp" "$o"' \
      sh "$out" {} "$top" "$cflags $zipdef" >&2 || { flock -u 9; return 1; }
  fi
  flock -u 9
  echo "$objs"
}

status=0
for t in "${targets[@]}"; do
  bin="$out/$t"
  src=$(sources_for "$t")
  objs=$(objects_for "$src") || { echo "fuzz: $t: compile failed"; status=1; continue; }
  # Linked again only when an object or the target's source is newer.
  relink=0
  [ -f "$bin" ] || relink=1
  for o in "$here/$t.c" "$here"/*.h $objs; do
    [ "$relink" = 1 ] && break
    [ "$o" -nt "$bin" ] && relink=1
  done
  if [ "$relink" = 1 ]; then
    # shellcheck disable=SC2086
    clang $cflags -fsanitize=fuzzer,address,undefined "$here/$t.c" $objs \
      -o "$bin.tmp" $libs && mv "$bin.tmp" "$bin" || { echo "fuzz: $t: link failed"; status=1; continue; }
  fi
  if [ "$build_only" = 1 ]; then echo "fuzz: $t built"; continue; fi
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  seeds="$here/corpus/$t"
  [ -d "$seeds" ] || seeds=""
  echo "fuzz: $t for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
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

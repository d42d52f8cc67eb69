#!/usr/bin/env bash
# tidy.sh SRC_DIR BUILD_DIR: clang-tidy with the repository's .clang-tidy
# over every .c file of app/ core/ domain/ forms/ live/ migrations/ notify/ registry/
# web/, using BUILD_DIR/compile_commands.json (CMake writes it for every
# build dir: CMAKE_EXPORT_COMPILE_COMMANDS). Headers of those folders are
# checked where the .c files include them (HeaderFilterRegex).
#
# Time: the bugprone/cert/readability checks cost ~0.3 s of CPU per large
# file; the clang static analyzer in its default "deep" mode ~16 s for
# registry/catalog.c alone (4-5 CPU minutes for the tree), so this check
# runs it in "shallow" mode (no inlining across calls, smaller path budget:
# a fifth of the time, and none of deep mode's false positives about out
# parameters of functions it cannot see into). TIDY_DEEP=1 runs the deep
# analysis (e.g. before a release); TIDY_JOBS sets the parallelism (2).
#
# The compiler's own warnings come with it (clang-diagnostic-*: the
# project's -W flags from compile_commands.json, as clang 14 sees them),
# so a warning only clang gives fails here: this is the clang half of the
# -Werror check (werror.sh builds with gcc, where optimisation finds more),
# at no cost beyond the parse clang-tidy does anyway. Headers of live/
# are checked as those of the other folders.
#
# Findings listed in tests/checks/tidy_known.txt ("path check" per line)
# are reported but do not fail the check: each is a known defect or
# false positive waiting for a change in the code; remove its line then.
set -u
src=$(cd "${1:?usage: tidy.sh SRC_DIR BUILD_DIR}" && pwd)
build=$(cd "${2:?usage: tidy.sh SRC_DIR BUILD_DIR}" && pwd)
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || {
  echo "tidy: clang-tidy not installed (scripts/deps.sh test installs it)"
  exit 1
}
[ -f "$build/compile_commands.json" ] || {
  echo "tidy: no $build/compile_commands.json"
  exit 1
}
jobs=${TIDY_JOBS:-2}
mode=shallow
[ "${TIDY_DEEP:-0}" = 1 ] && mode=deep
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cd "$src" || exit 1
# TIDY_FILES="core/str.c web/router.c" checks only those.
files=${TIDY_FILES:-$(ls app/*.c core/*.c domain/*.c forms/*.c live/*.c migrations/*.c notify/*.c \
                        registry/*.c web/*.c 2>/dev/null)}
# Only files the build knows (a file added since the last cmake run would
# lack its flags); name the ones left out.
for f in $files; do
  if grep -q "\"file\": \"$src/$f\"" "$build/compile_commands.json"; then
    echo "$f"
  else
    echo "tidy: $f is not in compile_commands.json (re-run cmake); skipped" >&2
  fi
done >"$out/files"

export tidy build out mode
# shellcheck disable=SC2016
xargs -P "$jobs" -n 1 sh -c '
  f=$1
  "$tidy" -p "$build" --quiet --use-color=false \
    --checks="clang-diagnostic-*" \
    --header-filter="/(app|core|domain|forms|live|migrations|notify|registry|web)/(internal/)?[^/]*\.h$" \
    --extra-arg=-Xclang --extra-arg=-analyzer-config \
    --extra-arg=-Xclang --extra-arg=mode=$mode \
    "$f" >"$out/$(echo "$f" | tr / _).log" 2>&1
  echo $? >"$out/$(echo "$f" | tr / _).rc"
' sh <"$out/files"

# One line per finding: "path:line:col: warning: text [check]".
cat "$out"/*.log 2>/dev/null |
  grep -E '^/.*: (warning|error): ' |
  sed "s|^$src/||" | sort -u >"$out/findings"
known="$src/tests/checks/tidy_known.txt"
: >"$out/new"
: >"$out/old"
while IFS= read -r line; do
  path=${line%%:*}
  checks=$(printf '%s\n' "$line" | sed -n 's/.*\[\([^]]*\)\]$/\1/p')
  hit=0
  if [ -f "$known" ]; then
    for c in $(printf '%s' "$checks" | tr , ' '); do
      grep -qE "^$path[[:space:]]+$c([[:space:]]|$)" "$known" && hit=1
    done
  fi
  if [ $hit = 1 ]; then
    echo "$line" >>"$out/old"
  else
    echo "$line" >>"$out/new"
  fi
done <"$out/findings"

n=$(wc -l <"$out/files")
if [ -s "$out/old" ]; then
  echo "tidy: known findings (tests/checks/tidy_known.txt), still to fix:"
  cat "$out/old"
fi
if [ -s "$out/new" ]; then
  echo "tidy: new findings:"
  cat "$out/new"
  echo
  echo "Details (notes, paths through the code):"
  cat "$out"/*.log | grep -v '^[0-9]* warnings\? generated\.$'
  echo "tidy: FAILED ($(wc -l <"$out/new") findings in $n files, analyzer $mode)"
  exit 1
fi
# clang-tidy failing without a finding (e.g. it could not run)
for rc in "$out"/*.rc; do
  if [ "$(cat "$rc")" != 0 ]; then
    echo "tidy: clang-tidy failed on $(basename "$rc" .rc):"
    cat "${rc%.rc}.log"
    exit 1
  fi
done
echo "tidy: ok ($n files, analyzer $mode)"
exit 0

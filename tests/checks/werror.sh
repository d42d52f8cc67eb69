#!/usr/bin/env bash
# werror.sh SRC_DIR BUILD_DIR COMPILER: a Release build of the docket
# binary (every library and app/, not the tests) with -Werror under
# COMPILER (gcc or clang), in BUILD_DIR, a directory of its own: a
# warning that only optimisation or the other compiler sees fails here.
# Incremental: a second run rebuilds only what changed.
set -u
src=${1:?usage: werror.sh SRC_DIR BUILD_DIR COMPILER}
dir=${2:?usage: werror.sh SRC_DIR BUILD_DIR COMPILER}
cc=${3:?usage: werror.sh SRC_DIR BUILD_DIR COMPILER}
command -v "$cc" >/dev/null || {
  echo "werror: $cc not installed (scripts/deps.sh test installs it)"
  exit 1
}
extra=""
mkdir -p "$dir" || exit 1
log=$dir/werror.log
cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DWERROR=ON \
  -DBUILD_TESTING=OFF -DCMAKE_C_COMPILER="$cc" -DEXTRA_WARNINGS="$extra" \
  -DSANITIZE= >"$log" 2>&1 || {
  cat "$log"
  exit 1
}
if ! cmake --build "$dir" -j"${WERROR_JOBS:-2}" >>"$log" 2>&1; then
  grep -vE '^\[ *[0-9]+%\]|^(Scanning|Consolidate)' "$log" | head -200
  echo "werror: the $cc Release build has warnings (full log: $log)"
  exit 1
fi
echo "werror: $cc Release build clean"

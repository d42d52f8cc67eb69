#!/usr/bin/env bash
# format.sh SRC_DIR: every tracked .c and .h file is formatted as the
# repository's .clang-format says (clang-format 14). `make format` fixes.
set -u
cd "${1:?usage: format.sh SRC_DIR}" || exit 2
cf=$(command -v clang-format-14 || command -v clang-format) || {
  echo "format: clang-format not installed (scripts/deps.sh test installs it)"
  exit 1
}
if git rev-parse --git-dir >/dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else # an unpacked source tarball
  files=$(find . -name node_modules -prune -o -name build -prune -o \
            \( -name '*.c' -o -name '*.h' \) -print)
fi
present=""
for f in $files; do
  [ -f "$f" ] && present="$present $f" # not deleted in the work tree
done
bad=""
# One process for all files; per file only to name the ones that differ.
# shellcheck disable=SC2086
if ! "$cf" --dry-run -Werror $present >/dev/null 2>&1; then
  for f in $present; do
    "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
  done
fi
if [ -n "$bad" ]; then
  for f in $bad; do
    echo "format: $f is not formatted; first differences:"
    "$cf" --dry-run "$f" 2>&1 | head -12
  done
  echo "format: run 'make format' (clang-format -i) on:$bad"
  exit 1
fi
echo "format: ok ($(echo "$present" | wc -w) files)"

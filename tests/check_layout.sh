#!/usr/bin/env bash
# Checks the module rules of DESIGN.md on the source tree:
# - registry/, forms/, migrations/, domain/, notify/ and core/ include
#   nothing of web/, and nothing below domain/ includes domain/;
# - forms/ and migrations/ never touch SQLite, only notify/ calls curl_*,
#   only web/ calls MHD_*, only registry/ prepares SQL on docket's own
#   database and only live/ talks to other databases (libpq, libmariadb,
#   SQLite files read-only), so live/ prepares SQL too;
# - banned functions (sprintf, strcpy, strcat, strncpy, strtok, atoi, gets);
# - a folder's internal header (<name>_int.h) is included only inside that
#   folder (its own tests under tests/ may include it);
# - the process-wide configuration g_config is read only by app/: the
#   modules get what they need as arguments (core/config.[ch] define it);
# - shell scripts under pipefail end no pipe in grep -q or head.
set -u
top=${1:-.}
cd "$top" || exit 2
fail=0
report() { echo "layout: $*"; fail=1; }

for d in core forms registry migrations live domain notify; do
  for h in web.h web_int.h assets.h page.h api.h; do
    if grep -ln "#include \"$h\"" $d/*.[ch] 2>/dev/null; then
      report "$d/ includes web/$h"
    fi
  done
done
# domain/ (the use cases) sits above registry/ and migrations/: nothing
# below it includes its headers.
# (One grep over all the files for each rule below, not one per file: a
# process per file and header took minutes on a busy machine.)
domain_h=$(cd domain && ls ./*.h 2>/dev/null | sed 's|^\./||; s/\./\\./g' | paste -sd'|')
if [ -n "$domain_h" ]; then
  # shellcheck disable=SC2046
  for hit in $(grep -oE "#include \"($domain_h)\"" $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] \
                 migrations/*.[ch] live/*.[ch] 2>/dev/null) /dev/null | tr -d ' '); do
    h=${hit#*:#include\"}
    report "${hit%%:*} includes domain/${h%\"} (domain/ is above it)"
  done
fi
grep -ln 'sqlite3' forms/*.[ch] migrations/*.[ch] 2>/dev/null &&
  report "forms/ or migrations/ use SQLite"
# shellcheck disable=SC2046
for f in $(grep -l 'curl_easy_\|curl_multi_' $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] live/*.[ch] domain/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null) /dev/null); do
  report "$f calls libcurl (only notify/ may)"
done
# live/ sits beside registry/ and migrations/: it knows neither, and only it
# links the client libraries of other databases.
# shellcheck disable=SC2046
for f in $(grep -l '#include "\(registry\|catalog\|migrate\|form\)[a-z_]*\.h"' $(ls live/*.[ch] 2>/dev/null) /dev/null); do
  report "$f includes registry/, migrations/ or forms/ (live/ reads plain structs only)"
done
# shellcheck disable=SC2046
for f in $(grep -l 'libpq-fe\.h\|<mysql\.h>\|PQconnectdb\|mysql_real_connect' $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] domain/*.[ch] notify/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null) /dev/null); do
  report "$f talks to another database (only live/ may)"
done
# shellcheck disable=SC2046
for f in $(grep -l 'MHD_' $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] live/*.[ch] domain/*.[ch] notify/*.[ch] app/*.[ch] 2>/dev/null) /dev/null); do
  report "$f uses libmicrohttpd (only web/ may)"
done
# shellcheck disable=SC2046
for f in $(grep -l 'sqlite3_prepare' $(ls core/*.[ch] forms/*.[ch] migrations/*.[ch] domain/*.[ch] notify/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null) /dev/null); do
  report "$f prepares SQL (only registry/ may)"
done
if grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|gets)\s*\(' \
     core/*.c forms/*.c registry/*.c migrations/*.c live/*.c domain/*.c notify/*.c web/*.c app/*.c 2>/dev/null |
   grep -v 'snprintf\|vsnprintf'; then
  report "banned function used"
fi
mods="app core domain forms live migrations notify registry web"
for d in $mods; do
  int_h=$(cd $d/internal 2>/dev/null && ls ./*_int.h 2>/dev/null | sed 's|^\./||; s/\./\\./g' | paste -sd'|')
  [ -n "$int_h" ] || continue
  others=$(for o in $mods; do [ "$o" != "$d" ] && ls $o/*.[ch] $o/internal/*.h 2>/dev/null; done)
  # shellcheck disable=SC2086
  for hit in $(grep -oE "#include \"($int_h)\"" $others /dev/null 2>/dev/null | tr -d ' '); do
    h=${hit#*:#include\"}
    report "${hit%%:*} includes $d/internal/${h%\"} (internal to $d/)"
  done
done

# Only app/ reads the global configuration; the other modules are handed
# what they need (the registry gets the event routes through
# registry_routes_set).
for f in $(grep -lw 'g_config' core/*.[ch] forms/*.[ch] registry/*.[ch] \
             migrations/*.[ch] live/*.[ch] domain/*.[ch] notify/*.[ch] web/*.[ch] 2>/dev/null); do
  case $f in core/config.c | core/config.h) continue ;; esac
  grep -nw 'g_config' "$f" | sed "s|^|$f:|"
  report "$f reads g_config (only app/ may; pass what is needed)"
done

# Shell scripts under `set -o pipefail`: no reader that stops before the
# end of its input (grep -q, head) at the end of a pipe. It exits at its
# first match or line, the writer before it then dies of SIGPIPE, and
# pipefail makes the whole pipe fail: a check that passes fails now and
# then on a busy machine (`echo "$out" | grep -q X` failed 11 times in
# 3,000 here). grep without -q (output to /dev/null) and sed -n 1p read
# everything. A line that ends in `|| true` does not care.
for f in $(grep -lE '^[[:space:]]*set -[a-z]*o pipefail' $(git ls-files '*.sh' 2>/dev/null) /dev/null 2>/dev/null); do
  grep -nE '\| *(grep -[a-zA-Z]*q|head)\b' "$f" | grep -v '|| true' |
    grep -v 'sh -c' | sed "s|^|$f:|" | grep . &&
    report "$f: a pipe ends in a reader that stops early under pipefail"
done

[ $fail = 0 ] && echo "layout: ok"
exit $fail

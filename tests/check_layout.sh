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
#   modules get what they need as arguments (core/config.[ch] define it).
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
for f in $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] live/*.[ch] 2>/dev/null); do
  for h in domain/*.h; do
    [ -e "$h" ] || continue
    grep -q "#include \"$(basename "$h")\"" "$f" && report "$f includes $h (domain/ is above it)"
  done
done
grep -ln 'sqlite3' forms/*.[ch] migrations/*.[ch] 2>/dev/null &&
  report "forms/ or migrations/ use SQLite"
for f in $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] live/*.[ch] domain/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null); do
  grep -q 'curl_easy_\|curl_multi_' "$f" && report "$f calls libcurl (only notify/ may)"
done
# live/ sits beside registry/ and migrations/: it knows neither, and only it
# links the client libraries of other databases.
for f in $(ls live/*.[ch] 2>/dev/null); do
  grep -q '#include "\(registry\|catalog\|migrate\|form\)[a-z_]*\.h"' "$f" &&
    report "$f includes registry/, migrations/ or forms/ (live/ reads plain structs only)"
done
for f in $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] domain/*.[ch] notify/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null); do
  grep -q 'libpq-fe\.h\|<mysql\.h>\|PQconnectdb\|mysql_real_connect' "$f" &&
    report "$f talks to another database (only live/ may)"
done
for f in $(ls core/*.[ch] forms/*.[ch] registry/*.[ch] migrations/*.[ch] live/*.[ch] domain/*.[ch] notify/*.[ch] app/*.[ch] 2>/dev/null); do
  grep -q 'MHD_' "$f" && report "$f uses libmicrohttpd (only web/ may)"
done
for f in $(ls core/*.[ch] forms/*.[ch] migrations/*.[ch] domain/*.[ch] notify/*.[ch] web/*.[ch] app/*.[ch] 2>/dev/null); do
  grep -q 'sqlite3_prepare' "$f" && report "$f prepares SQL (only registry/ may)"
done
if grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|gets)\s*\(' \
     core/*.c forms/*.c registry/*.c migrations/*.c live/*.c domain/*.c notify/*.c web/*.c app/*.c 2>/dev/null |
   grep -v 'snprintf\|vsnprintf'; then
  report "banned function used"
fi
mods="app core domain forms live migrations notify registry web"
for d in $mods; do
  for h in $d/internal/*_int.h; do
    [ -e "$h" ] || continue
    others=$(for o in $mods; do [ "$o" != "$d" ] && ls $o/*.[ch] $o/internal/*.h 2>/dev/null; done)
    # shellcheck disable=SC2086
    for f in $(grep -l "#include \"$(basename "$h")\"" $others 2>/dev/null); do
      report "$f includes $h (internal to $d/)"
    done
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

[ $fail = 0 ] && echo "layout: ok"
exit $fail

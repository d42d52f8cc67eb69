# realdb.sh: sourced by the tests that need real database servers
# (test_migrations_realdb.sh, test_live_realdb.sh). realdb_start TAG finds
# the PostgreSQL and MariaDB binaries, makes the temporary directories
# ($tmp, $pgdir), starts both servers on unix sockets only (no TCP) and
# stops them on every exit. After it:
#   pg ARGS...   psql as postgres on database postgres ($pgdir is the socket
#                directory; as_pg runs a command as the server's user)
#   my ARGS...   the mariadb client as root ($mysock is the socket)
#   $sqlite      the sqlite3 shell
#   fail, say    a failure message and exit 1 / a timed progress line
# TEST_TMP says where to put the temporary files (default /tmp); KEEP_TMP
# keeps them. A missing server binary is a failure, not a skip:
# scripts/deps.sh test installs them all.

fail() { echo "FAIL: $*" >&2; exit 1; }
say() { printf '[%5.1fs] %s\n' "$(( $(date +%s%N) / 1000000 - t0 ))e-3" "$*"; }
t0=$(( $(date +%s%N) / 1000000 ))

first() { for c in "$@"; do command -v "$c" 2>/dev/null && return 0; done; return 1; }

realdb_find() {
  pgbin=""
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] &&
      { pgbin=$d; break; }
  done
  if [ -z "$pgbin" ] && command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir)
    [ -x "$d/initdb" ] && pgbin=$d
  fi
  [ -n "$pgbin" ] || fail "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; run scripts/deps.sh test"
  psql=$(command -v psql || true)
  [ -x "$pgbin/psql" ] && psql=$pgbin/psql
  [ -n "$psql" ] || fail "psql not found; run scripts/deps.sh test"

  mysqld=$(first mariadbd mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n1 || true)
  [ -n "$mysqld" ] || fail "MariaDB server (mariadbd) not found; run scripts/deps.sh test"
  installdb=$(first mariadb-install-db mysql_install_db) ||
    fail "mariadb-install-db not found; run scripts/deps.sh test"
  mysql=$(first mariadb mysql) || fail "mariadb client not found; run scripts/deps.sh test"
  sqlite=$(first sqlite3) || fail "sqlite3 command-line shell not found; run scripts/deps.sh test"
  runuser=$(first runuser) || fail "runuser not found (util-linux)"
}

realdb_cleanup() {
  set +e
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ -n "$mypid" ] && kill -0 "$mypid" 2>/dev/null; then
    kill "$mypid"
    for _ in $(seq 1 100); do kill -0 "$mypid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$mypid" 2>/dev/null
  fi
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "kept $tmp and $pgdir"
  else
    rm -rf "$tmp" "$pgdir"
  fi
}

pg() { "$psql" -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -U postgres -d postgres "$@"; }
my() { "$mysql" --no-defaults --socket="$mysock" -uroot \
         --default-character-set=utf8mb4 "$@"; }

realdb_start() { # TAG
  realdb_find
  base=${TEST_TMP:-/tmp}
  mkdir -p "$base"
  tmp=$(mktemp -d "$base/$1.XXXXXX")
  # PostgreSQL refuses to run as root: its files belong to an unprivileged
  # user, in a directory that user can reach (a 0700 parent would stop it).
  pgdir=$(mktemp -d /tmp/docket-pg.XXXXXX)
  chmod 755 "$pgdir"
  pguser=nobody
  if [ "$(id -u)" = 0 ]; then
    id "$pguser" >/dev/null 2>&1 || fail "user $pguser is missing"
    as_pg() { "$runuser" -u "$pguser" -- "$@"; }
    chown "$pguser" "$pgdir"
    mysql_user=(--user=root)
  else
    as_pg() { "$@"; }
    mysql_user=()
  fi
  mydir=$tmp/mariadb
  mysock=$mydir/mysqld.sock
  mypid=""
  trap realdb_cleanup EXIT
  trap 'exit 1' INT TERM

  # Both servers start in parallel.
  (
    as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust \
      --locale=C -E UTF8 --no-sync >"$pgdir/initdb.log" 2>&1 ||
      { cat "$pgdir/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $pgdir -c fsync=off -c full_page_writes=off" \
      start >/dev/null || { cat "$pgdir/server.log" >&2; exit 1; }
  ) &
  local pg_start=$!

  # MariaDB's temporary files in a directory of its own: another test
  # clearing /tmp must not pull them away mid-start.
  mkdir -p "$mydir/tmp"
  "$installdb" --no-defaults --datadir="$mydir/data" "${mysql_user[@]}" \
    --tmpdir="$mydir/tmp" \
    --auth-root-authentication-method=normal --skip-test-db \
    >"$mydir/install.log" 2>&1 || { cat "$mydir/install.log" >&2; fail "mariadb-install-db failed"; }
  "$mysqld" --no-defaults --datadir="$mydir/data" --socket="$mysock" \
    --skip-networking --pid-file="$mydir/mysqld.pid" "${mysql_user[@]}" \
    --tmpdir="$mydir/tmp" \
    --log-error="$mydir/error.log" --innodb-buffer-pool-size=16M \
    --innodb-log-file-size=8M --skip-log-bin --open-files-limit=1024 --table-open-cache=200 --max-connections=20 --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_bin &
  mypid=$!
  wait "$pg_start" || fail "PostgreSQL did not start"
  say "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') up"

  for _ in $(seq 1 300); do
    my -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$mypid" 2>/dev/null || { cat "$mydir/error.log" >&2; fail "MariaDB exited"; }
    sleep 0.1
  done
  my -e 'SELECT 1' >/dev/null 2>&1 || { cat "$mydir/error.log" >&2; fail "MariaDB did not start"; }
  say "MariaDB $(my -N -B -e 'SELECT VERSION()') up"
}

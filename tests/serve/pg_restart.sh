#!/usr/bin/env bash
# pg_restart.sh - `mlfy serve` rides over a restart of its PostgreSQL server
# (issue 16, QA finding): with a session logged in and every worker
# connection used, `pg_ctl -m fast restart` ends all of the server's
# connections; afterwards every GET /api/me answers 200 (no 500 from a
# connection found lost by its first command), a wrong password gets 401
# (not the throttle's 503) (store/pg.c, pg_stmt.c: the first command of a
# read or transaction reconnects and runs again).
# The cluster is this test's own (scripts/pg-test-cluster in a temporary
# folder), never the shared pg fixture's.  Skipped (77) without curl, psql
# or PostgreSQL.
set -uo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
source "$(dirname "$0")/lib.sh"   # serve_launch; $FIXTURE
SRC=${MLFY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v curl >/dev/null || { echo "skipped: curl not installed"; exit 77; }
command -v psql >/dev/null || { echo "skipped: psql not installed"; exit 77; }
T=$(mktemp -d /tmp/mlfy-pgr.XXXXXX)   # short: the socket path lives in it
chmod 755 "$T"
SP=
cleanup() {
	[ -z "$SP" ] || { kill -TERM "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; }
	"$SRC/scripts/pg-test-cluster" stop "$T/pg" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "pg_restart: FAIL: $*" >&2; exit 1; }
"$SRC/scripts/pg-test-cluster" start "$T/pg" >/dev/null; rc=$?
[ $rc = 77 ] && { echo "skipped: PostgreSQL not installed"; exit 77; }
[ $rc = 0 ] || die "cluster start"
psql -q "postgresql:///postgres?host=$T/pg&user=postgres" -c "CREATE DATABASE restart" >/dev/null || die "createdb"
P="postgresql:///restart?host=$T/pg&user=postgres"
"$FIXTURE" synthetic "$P" "$T/img" --images 12 --classes 40 --batch-size 6 --image-files 12 >/dev/null || die "fixture"
"$FIXTURE" users "$P" ann1:annotator || die "mlfy-fixture users"   # password ann1-password-1
serve_launch "$T/serve" "$P" --cache "$T/cache" --threads 4
SP=$LAUNCH_PID
U=$LAUNCH_BASE
login() { curl -sS -c "$T/jar" -b "$T/jar" -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "{\"user\":\"ann1\",\"password\":\"$1\"}" "$U/api/login"; }
me() { curl -sS -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/me"; }
[ "$(login ann1-password-1)" = 200 ] || die "login: $(cat "$T/body")"
for _ in $(seq 1 20); do [ "$(me)" = 200 ] || die "GET /api/me before the restart"; done

# the restart: every connection of the server ends (fast: active sessions terminated)
pgctl=${PG_BIN:+$PG_BIN/pg_ctl}
[ -n "$pgctl" ] || pgctl=$(command -v pg_ctl)
[ -x "$pgctl" ] || die "no pg_ctl (set PG_BIN)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$pgctl" -D "$T/pg/data" -m fast -w -t 60 -l "$T/pg/server.log" restart >/dev/null || die "pg_ctl restart"

codes=
for _ in $(seq 1 20); do codes+="$(me) "; done
[ "$codes" = "$(printf '200 %.0s' $(seq 1 20))" ] || die "GET /api/me after the restart: $codes ($(tail -2 "$T/err"))"
c=$(login wrong-password)
[ "$c" = 401 ] || die "a wrong password after the restart: $c $(cat "$T/body")"
echo "pg_restart: 20 x GET /api/me = 200 and a wrong password = 401 after pg_ctl -m fast restart"

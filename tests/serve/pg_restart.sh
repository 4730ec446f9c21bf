#!/usr/bin/env bash
# pg_restart.sh - `mlfy serve` rides over a restart of its PostgreSQL server
# (issue 16, QA finding): with a session logged in and every worker
# connection used, `pg_ctl -m fast restart` ends all of the server's
# connections; afterwards every GET /api/me answers 200 (no 500 from a
# connection found lost by its first command), a wrong password gets 401
# (not the throttle's 503), and a save goes through the group commit (whose
# connection the restart ended too) and is stored exactly as acknowledged
# (store/pg.c, pg_stmt.c: the first command of a read or transaction
# reconnects and runs again).
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
"$MLFY" assign "$P" --per-image 1 --annotators ann1 >/dev/null || die "assign"
serve_launch "$T/serve" "$P" --cache "$T/cache" --threads 4
SP=$LAUNCH_PID
U=$LAUNCH_BASE
login() { curl -sS -c "$T/jar" -b "$T/jar" -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	-d "{\"user\":\"ann1\",\"password\":\"$1\"}" "$U/api/login"; }
me() { curl -sS -b "$T/jar" -o /dev/null -w '%{http_code}' "$U/api/me"; }
[ "$(login ann1-password-1)" = 200 ] || die "login: $(cat "$T/body")"
CSRF=$(grep -o '"csrf": *"[^"]*"' "$T/body" | cut -d'"' -f4)
[ -n "$CSRF" ] || die "no csrf token in the login answer: $(cat "$T/body")"
for _ in $(seq 1 20); do [ "$(me)" = 200 ] || die "GET /api/me before the restart"; done
# save IMAGE: ann1 ticks the image's first proposal; prints the HTTP status
# and leaves the class in $T/class.IMAGE
save() {
	local top
	curl -sS -b "$T/jar" -o "$T/task" "$U/api/tasks/$1?stage=annotate" || return 1
	top=$(sed -n 's/.*"proposals":\[{[^}]*"class":\([0-9]*\).*/\1/p' "$T/task")
	echo "$top" > "$T/class.$1"
	curl -sS -b "$T/jar" -o "$T/body" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
		-H "X-CSRF-Token: $CSRF" "$U/api/tasks/$1/annotation" \
		-d "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"proposal\"}],\"seconds\":3}"
}
curl -sS -b "$T/jar" -o "$T/tasks" "$U/api/tasks?stage=annotate" || die "GET /api/tasks"
read -r IMG1 IMG2 < <(sed -n 's/.*"ids":\[\([0-9]*\),\([0-9]*\).*/\1 \2/p' "$T/tasks")
[ -n "$IMG1" ] && [ -n "$IMG2" ] || die "fewer than two tasks: $(cat "$T/tasks")"
[ "$(save "$IMG1")" = 200 ] || die "save before the restart: $(cat "$T/body")"

# the restart: every connection of the server ends (fast: active sessions terminated)
pgctl=${PG_BIN:+$PG_BIN/pg_ctl}
[ -n "$pgctl" ] || pgctl=$(command -v pg_ctl)
[ -x "$pgctl" ] || die "no pg_ctl (set PG_BIN)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$pgctl" -D "$T/pg/data" -m fast -w -t 60 -l "$T/pg/server.log" restart >/dev/null || die "pg_ctl restart"

codes=
for _ in $(seq 1 20); do codes+="$(me) "; done
[ "$codes" = "$(printf '200 %.0s' $(seq 1 20))" ] || die "GET /api/me after the restart: $codes ($(tail -2 "$T/serve.err"))"
# the first save after the restart: the group commit's connection is found
# lost by its BEGIN, re-made, and the save acknowledged and stored
[ "$(save "$IMG2")" = 200 ] || die "save after the restart: $(cat "$T/body") ($(tail -2 "$T/serve.err"))"
stored() {   # IMAGE: the classes of ann1's annotation of IMAGE, as stored
	psql -qAt "$P" -c "SELECT string_agg(l.class_idx::text, ',') FROM annotations a
		JOIN annotation_labels l ON l.annotation_id = a.id WHERE a.image_id = $1"
}
for img in "$IMG1" "$IMG2"; do
	[ "$(stored "$img")" = "$(cat "$T/class.$img")" ] ||
		die "image $img: stored '$(stored "$img")', acknowledged '$(cat "$T/class.$img")'"
done
c=$(login wrong-password)
[ "$c" = 401 ] || die "a wrong password after the restart: $c $(cat "$T/body")"
echo "pg_restart: 20 x GET /api/me = 200, a save through the group commit stored as acknowledged and a wrong password = 401 after pg_ctl -m fast restart"

#!/usr/bin/env bash
# shared_state.sh - two `mlfy serve` instances on ONE project share what
# they keep in the store (issue 16, item 3; docs/deploy.md, "What is
# shared"): (1) the login throttle -- five wrong passwords on instance A,
# and the sixth attempt on instance B is refused with 429 and Retry-After,
# also after B restarts, while the same account from another address still
# logs in; nothing of the password or name is stored in clear; (2) the live
# view's long poll -- GET /api/admin/live?after=SEQ&wait=S on A answers
# within about a second of a change saved through B (a stage-iii analysis
# that decides an image), and with {"changed": false} after S seconds when
# nothing changed; (3) fail closed: with the throttle's table gone (a store
# that cannot read or write it), every login -- right password or wrong --
# gets 503 naming the throttle, never a 200 or 401.
#
# The project is a SQLite file, or with MLFY_TEST_PG set (the socket folder
# of scripts/pg-test-cluster) a fresh PostgreSQL database there (then the
# change reaches A through LISTEN/NOTIFY).  Skipped (77) without curl, or
# without both sqlite3 and python3.
set -uo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
source "$(dirname "$0")/lib.sh"   # serve_launch; $FIXTURE
command -v curl >/dev/null || { echo "skipped: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || command -v python3 >/dev/null || { echo "skipped: neither sqlite3 nor python3"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-shared.XXXXXX")
PIDS=()
DROP_DB=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "$DROP_DB" ] || psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DROP_DB" >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
die() { echo "shared_state: FAIL: $*" >&2; exit 1; }

if [ -n "${MLFY_TEST_PG:-}" ]; then
	command -v psql >/dev/null || { echo "skipped: psql not installed"; exit 77; }
	PG_ADMIN="postgresql:///postgres?host=$MLFY_TEST_PG&user=postgres"
	DROP_DB="mlfy_shared_$$"
	PGOPTIONS='-c client_min_messages=warning' psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DROP_DB" \
		-c "CREATE DATABASE $DROP_DB" >/dev/null || die "create database"
	P="postgresql:///$DROP_DB?host=$MLFY_TEST_PG&user=postgres"
	rows() { psql -qAt "$P" -c "$1"; }
else
	P="$T/p.mlfy"
	rows() { if command -v sqlite3 >/dev/null; then sqlite3 "file:$P?mode=ro" "$1"; return; fi
		python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))' "$P" "$1"; }
fi
echo "shared_state: project $P"

"$FIXTURE" synthetic "$P" "$T/img" --images 12 --classes 40 --batch-size 6 --image-files 12 >/dev/null \
	|| die "fixture"
# the accounts, password NAME-password-1, at argon2id's minimum cost (as
# serve_setup; `mlfy user add` and its real cost are tested in tests/cli)
"$FIXTURE" users "$P" ann1:annotator ann2:annotator admin:admin || die "mlfy-fixture users"
"$MLFY" assign "$P" --per-image 2 --annotators ann1,ann2 >/dev/null || die "assign"

start_instance() {   # NAME: sets BASE_NAME and PID_NAME
	serve_launch "$T/$1" "$P" --cache "$T/cache-$1"
	PIDS+=("$LAUNCH_PID")
	eval "PID_$1=$LAUNCH_PID BASE_$1=$LAUNCH_BASE"
}
stop_instance() {   # NAME
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid" && wait "$pid" || bad "instance $1 did not stop cleanly"
}

# call BASE USER METHOD PATH [curl args]: CODE, BODY, HDRS; USER '-' = no cookie jar
call() {
	local base=$1 user=$2 method=$3 path=$4
	shift 4
	local jar=()
	[ "$user" != - ] && jar=(-b "$T/jar.$user" -c "$T/jar.$user")
	BODY=$(curl -sS -X "$method" "${jar[@]}" -D "$T/hdrs" -o - -w '\n%{http_code}' "$@" "$base$path" 2>"$T/curl.err")
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	HDRS=$(tr -d '\r' <"$T/hdrs" 2>/dev/null)
}
# jget KEY: the first "KEY": scalar of BODY, quotes dropped (sed: a python3
# per value costs seconds on a loaded machine)
jget() { grep -o "\"$1\":[^,}]*" <<<"$BODY" | head -1 | cut -d: -f2- | tr -d '"'; }
try_login() {   # BASE USER PASSWORD [curl args]
	local base=$1 user=$2 pw=$3
	shift 3
	call "$base" "$user" POST /api/login -H 'Content-Type: application/json' \
		-d "{\"user\":\"$user\",\"password\":\"$pw\"}" "$@"
}
csrf() { printf -v "CSRF_$1" '%s' "$(jget csrf)"; }

start_instance A
start_instance B

# ---- (1) the login throttle is the project's, not an instance's ----------------------
for i in 1 2 3 4 5; do try_login "$BASE_A" ann1 wrong-password; done
[ "$CODE" = 401 ] && ok || bad "5th wrong password on A: $CODE $BODY"
try_login "$BASE_B" ann1 ann1-password-1
[ "$CODE" = 429 ] && ok || bad "6th attempt on B not throttled: $CODE $BODY"
grep -qi '^retry-after: [1-9]' <<<"$HDRS" && ok || bad "no Retry-After on B's 429: $HDRS"
stop_instance B
start_instance B
try_login "$BASE_B" ann1 ann1-password-1
[ "$CODE" = 429 ] && ok || bad "the delay did not survive B's restart: $CODE $BODY"
try_login "$BASE_A" ann1 ann1-password-1 --interface 127.0.0.2
[ "$CODE" = 200 ] && ok || bad "ann1 from another address: $CODE $BODY"
csrf ann1
# the table holds digests only: no name, address or password in clear
n=$(rows "SELECT COUNT(*) FROM login_throttle")
[ "${n:-0}" -ge 2 ] && ok || bad "login_throttle rows: '$n'"
clear=$(rows "SELECT COUNT(*) FROM login_throttle WHERE key LIKE '%ann1%' OR key LIKE '%127.0.0%' OR key LIKE '%wrong%'")
[ "$clear" = 0 ] && ok || bad "a name, address or password in login_throttle"

# ---- (2) the live view's long poll follows the other instance's changes --------------
try_login "$BASE_B" ann2 ann2-password-1; csrf ann2
try_login "$BASE_A" admin admin-password-1; csrf admin
cp "$T/jar.admin" "$T/jar.adminB"   # the same session on B (shared sessions)
call "$BASE_A" admin GET /api/admin/live
[ "$CODE" = 200 ] && ok || bad "live on A: $CODE $BODY"
seq0=$(jget seq)
# nothing changes: "no change" after the wait, not before
t0=$(date +%s%N)
call "$BASE_A" admin GET "/api/admin/live?after=$seq0&wait=1"
t1=$(date +%s%N)
[ "$CODE" = 200 ] && [ "$(jget changed)" = false ] && ok || bad "no change: $CODE $BODY"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] && ok || bad "the no-change answer came after $ms ms (wait=1)"
call "$BASE_A" admin GET "/api/admin/live?after=x"
[ "$CODE" = 400 ] && ok || bad "after=x: $CODE"
call "$BASE_A" admin GET "/api/admin/live?after=$seq0&wait=99"
[ "$CODE" = 400 ] && ok || bad "wait=99: $CODE"

# ann1 and ann2 agree on one image (saved through B); ann1's session is A's
# but valid on B
call "$BASE_B" ann2 GET "/api/tasks?stage=annotate"
img=$(sed -n 's/.*"ids":\[\([0-9]*\).*/\1/p' <<<"$BODY")
for u in ann1 ann2; do
	call "$BASE_B" $u GET "/api/tasks/$img?stage=annotate" --interface 127.0.0.2
	top=$(sed -n 's/.*"proposals":\[{[^}]*"class":\([0-9]*\).*/\1/p' <<<"$BODY")
	var="CSRF_$u"
	call "$BASE_B" $u PUT "/api/tasks/$img/annotation" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var}" \
		-d "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$top,\"source\":\"proposal\"}],\"seconds\":3}" \
		--interface 127.0.0.2
	[ "$CODE" = 200 ] || bad "save $u $img on B: $CODE $BODY"
done
# A's long poll waits; B's analysis decides the image
curl -sS -b "$T/jar.admin" -o "$T/poll.json" -w '%{http_code}' "$BASE_A/api/admin/live?after=$seq0&wait=20" \
	>"$T/poll.code" 2>"$T/poll.err" &
poll=$!
sleep 1
kill -0 "$poll" 2>/dev/null && ok || bad "the long poll answered before any change: $(cat "$T/poll.json")"
call "$BASE_B" adminB POST /api/admin/analyze -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF_admin" \
	-d '{"rule":"unanimous"}'
t_saved=$(date +%s%N)
[ "$CODE" = 200 ] && ok || bad "analyze on B: $CODE $BODY"
wait "$poll"
t_answered=$(date +%s%N)
ms=$(((t_answered - t_saved) / 1000000))
[ "$(cat "$T/poll.code")" = 200 ] && ok || bad "long poll: $(cat "$T/poll.code") $(cat "$T/poll.json" "$T/poll.err")"
BODY=$(cat "$T/poll.json")
[ "$(jget seq)" -gt "$seq0" ] && [ "$(jget decided)" -ge 1 ] && ok || bad "long poll answer: $BODY"
[ "$ms" -lt 1500 ] && ok || bad "A answered $ms ms after B's change (want about 1 s at most)"
echo "shared_state: A's long poll answered $ms ms after B's change"
# an old sequence is answered at once
t0=$(date +%s%N)
call "$BASE_A" admin GET "/api/admin/live?after=$seq0&wait=20"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$CODE" = 200 ] && [ "$ms" -lt 1000 ] && ok || bad "an old sequence: $CODE after $ms ms"

# ---- (3) a throttle the store cannot read or write refuses logins (fail closed) ----
if [ -n "${MLFY_TEST_PG:-}" ]; then
	psql -q "$P" -c "DROP TABLE login_throttle" >/dev/null || bad "drop login_throttle"
elif command -v sqlite3 >/dev/null; then
	sqlite3 "$P" "DROP TABLE login_throttle" || bad "drop login_throttle"
else
	python3 -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("DROP TABLE login_throttle"); c.commit()' "$P" \
		|| bad "drop login_throttle"
fi
try_login "$BASE_A" ann2 ann2-password-1
[ "$CODE" = 503 ] && grep -q "login throttle" <<<"$BODY" && grep -qi '^retry-after:' <<<"$HDRS" && ok \
	|| bad "a right password without the throttle's table: $CODE $BODY"
try_login "$BASE_B" ann2 wrong-password
[ "$CODE" = 503 ] && ok || bad "a wrong password without the throttle's table: $CODE $BODY"

stop_instance A
stop_instance B
PIDS=()
echo "shared_state: $pass passed, $fail failed"
[ "$fail" = 0 ]

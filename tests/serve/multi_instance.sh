#!/usr/bin/env bash
# multi_instance.sh - several servers, one project (issue 16, item 3): the
# shipped deploy/nginx-mlfy.conf (ports, TLS certificate and names
# substituted; nginx run as this user with its own prefix, pid and temp
# folders, on free loopback ports) in front of two `mlfy serve` instances on
# ONE project, and 50 simulated annotators (annotator_client.py) logging in
# through nginx over HTTPS and saving.  Once every annotator has saved, one
# instance is killed with kill -9 mid-run.  Then: every save a client got
# 200 for is in the store, the project passes `mlfy check`, both instances
# had served saves before the kill, every annotator saved again after it
# (nginx's proxy_next_upstream sent them to the other instance) and no
# client saw a 502, 504 or broken connection, plain HTTP
# redirects to HTTPS and the session cookie is marked Secure.
#
# The project is a SQLite file, or with MLFY_TEST_PG set (the socket folder
# of scripts/pg-test-cluster) a fresh PostgreSQL database there.  Skipped
# (77) without nginx (apt-get install nginx-light), python3 or openssl.
# MLFY_MI_ANNOTATORS changes the number of annotators (default 50).
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
source "$(dirname "$0")/lib.sh"   # serve_launch; $FIXTURE
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CLIENT="$HERE/annotator_client.py"
N=${MLFY_MI_ANNOTATORS:-50}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "skipped: nginx not installed (apt-get install nginx-light)"; exit 77; }
for t in python3 openssl curl; do
	command -v "$t" >/dev/null || { echo "skipped: $t not installed"; exit 77; }
done
T="$(mktemp -d)"
chmod 755 "$T"   # nginx's workers (another user when run as root) read here
PIDS=()
DROP_DB=
cleanup() {
	local p
	# TERM, not KILL: nginx's workers outlive a master killed with -9
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "$DROP_DB" ] || psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DROP_DB" >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "multi_instance: FAIL: $*" >&2; exit 1; }

# ---- the project: a SQLite file, or a PostgreSQL database (MLFY_TEST_PG) ----
if [ -n "${MLFY_TEST_PG:-}" ]; then
	command -v psql >/dev/null || { echo "skipped: psql not installed"; exit 77; }
	PG_ADMIN="postgresql:///postgres?host=$MLFY_TEST_PG&user=postgres"
	DROP_DB="mlfy_multi_$$"
	PGOPTIONS='-c client_min_messages=warning' psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $DROP_DB" \
		-c "CREATE DATABASE $DROP_DB" >/dev/null
	P="postgresql:///$DROP_DB?host=$MLFY_TEST_PG&user=postgres"
	rows() { psql -qAt -F '|' "$P" -c "$1"; }
else
	P="$T/p.mlfy"
	rows() { python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))' "$P" "$1"; }
fi
echo "multi_instance: project $P, $N annotators"

# 2 batches of 40 images per annotator
"$FIXTURE" synthetic "$P" "$T/img" --images $((N * 80)) --classes 40 --batch-size 40 --image-files 12 \
	>/dev/null || fail "fixture"
# the accounts (password NAME-password-1) at argon2id's minimum cost: the
# test is about a server killed under load, not about 50 hashes at 64 MiB
# (mlfy-fixture users; `mlfy user add` is tested in tests/cli)
# shellcheck disable=SC2046 # one argument per account
"$FIXTURE" users "$P" $(seq -f 'ann%g:annotator' 1 "$N") || fail "mlfy-fixture users"
users=$(seq -f 'ann%g' 1 "$N" | paste -sd,)
"$MLFY" assign "$P" --per-image 1 --annotators "$users" >/dev/null || fail "assign"

# ---- free loopback ports: nginx HTTPS and HTTP ----
read -r NP NP80 < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
PUBLIC="localhost:$NP"

# ---- two instances ----
start_instance() {   # NAME: starts mlfy serve (its own cache, as deploy/), sets PORT_NAME and PID_NAME
	serve_launch "$T/$1" "$P" --public-name "$PUBLIC" --trusted-proxy 127.0.0.1 \
		--max-per-address 0 --cache "$T/cache-$1" --access-log "$T/$1.access"
	PIDS+=("$LAUNCH_PID")
	eval "PID_$1=$LAUNCH_PID PORT_$1=$LAUNCH_PORT"
}
start_instance A
start_instance B

# ---- nginx: the shipped site file, with this test's ports, names, certificate ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
	2>/dev/null || fail "openssl"
sed -e "s|server 127\.0\.0\.1:9001|server 127.0.0.1:$PORT_A|; s|server 127\.0\.0\.1:9002|server 127.0.0.1:$PORT_B|" \
	-e "s|listen 443 ssl http2;|listen 127.0.0.1:$NP ssl http2;|; s|listen 80;|listen 127.0.0.1:$NP80;|" \
	-e '/listen \[::\]/d' \
	-e "s|/etc/letsencrypt/live/annot.lab.example.org/fullchain.pem|$T/cert.pem|" \
	-e "s|/etc/letsencrypt/live/annot.lab.example.org/privkey.pem|$T/key.pem|" \
	"$ROOT/deploy/nginx-mlfy.conf" > "$T/site.conf"
grep -q "127.0.0.1:$PORT_A" "$T/site.conf" && grep -q "127.0.0.1:$NP ssl" "$T/site.conf" && grep -q "$T/cert.pem" \
	"$T/site.conf" || fail "deploy/nginx-mlfy.conf no longer has the lines this test substitutes"
mkdir -p "$T/ngx"
{
	[ "$(id -u)" != 0 ] || echo "user $(id -un) $(id -gn);"   # else the workers run as nobody
	cat <<EOF
daemon off;
worker_processes 2;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log warn;
events { worker_connections 1024; }
http {
    access_log $T/ngx/access.log;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fastcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    include $T/site.conf;
}
EOF
} > "$T/ngx/nginx.conf"
"$NGINX" -t -q -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" 2>"$T/ngx/t.err" \
	|| { cat "$T/ngx/t.err" "$T/ngx/error.log" >&2; fail "nginx -t"; }
"$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" 2>>"$T/ngx/error.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
	curl -skf "https://$PUBLIC/api/health" >/dev/null 2>&1 && break
	sleep 0.1
done
[ "$(curl -sk "https://$PUBLIC/api/health")" = '{"ok":true}' ] || { cat "$T/ngx/error.log" >&2; fail "no health reply through nginx"; }
loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$NP80/annotate")
[ "${loc%% *}" = 301 ] && [ "${loc#* }" = "https://127.0.0.1/annotate" ] || fail "plain HTTP does not redirect: $loc"

# ---- the annotators ----
python3 "$CLIENT" "https://$PUBLIC" ann "$N" "-password-1" "$T/acks" --seconds 300 --stop-file "$T/stop" \
	>"$T/client.out" 2>"$T/client.err" &
CLIENT_PID=$!
PIDS+=($CLIENT_PID)
people_after() {   # how many annotators have a save acknowledged after time $1
	python3 - "$T/acks" "$1" <<'PY'
import json, sys
who = set()
try:
    for line in open(sys.argv[1]):
        if line.endswith("\n"):
            a = json.loads(line)
            if a["t"] > float(sys.argv[2]):
                who.add(a["user"])
except FileNotFoundError:
    pass
print(len(who))
PY
}
for _ in $(seq 1 1200); do
	[ "$(people_after 0)" = "$N" ] && break
	kill -0 "$CLIENT_PID" 2>/dev/null || break
	sleep 0.2
done
[ "$(people_after 0)" = "$N" ] || { cat "$T/client.err" >&2; fail "not every annotator logged in and saved"; }
sleep 2
saves_a=$(grep -c '"method":"PUT"' "$T/A.access" || true)
saves_b=$(grep -c '"method":"PUT"' "$T/B.access" || true)
[ "$saves_a" -gt 0 ] && [ "$saves_b" -gt 0 ] || fail "nginx did not spread the saves (A: $saves_a, B: $saves_b)"

# ---- kill -9 one instance mid-run ----
# (killed and reaped with bash's stderr closed: no "Killed" job line)
{ kill -9 "$PID_A"; T_KILL=$(date +%s.%N); wait "$PID_A"; } 2>/dev/null || true
echo "multi_instance: killed instance A (pid $PID_A, $saves_a saves served) at $T_KILL"
for _ in $(seq 1 600); do
	[ "$(people_after "$T_KILL")" = "$N" ] && break
	kill -0 "$CLIENT_PID" 2>/dev/null || break
	sleep 0.2
done
after=$(people_after "$T_KILL")
sleep 1
touch "$T/stop"
rc=0; wait "$CLIENT_PID" || rc=$?
cat "$T/client.out"
[ "$rc" = 0 ] || { cat "$T/client.err" >&2; fail "annotator client exit $rc"; }
[ "$after" = "$N" ] || fail "only $after of $N annotators saved again after the kill"
# the kill was invisible to the clients: nginx re-sent what reached the dead
# instance, so no client saw a 502/504 or a broken connection (the only
# retries are 503s of the login queue, before the kill)
python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["retries"]
sys.exit(1 if set(r) - {"503"} else 0)' "$T/client.out" || fail "a client saw a proxy or transport error"

# ---- every acknowledged save is in the store ----
rows "SELECT n.name, a.image_id, a.version FROM annotations a JOIN annotators n ON n.id = a.annotator_id
      WHERE a.stage = 'annotate'" > "$T/stored"
python3 - "$T/acks" "$T/stored" "$T_KILL" <<'PY' || fail "acknowledged saves missing from the store"
import json, sys
stored = set(tuple(l.rstrip("\n").split("|")) for l in open(sys.argv[2]) if l.strip())
t_kill = float(sys.argv[3])
n = before = missing = 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    n += 1
    before += a["t"] < t_kill
    if (a["user"], str(a["image"]), str(a["version"])) not in stored:
        missing += 1
        if missing <= 10:
            print("not in the store:", a, file=sys.stderr)
print("multi_instance: %d saves acknowledged (%d before the kill, %d after), %d of them in the store; %d rows stored"
      % (n, before, n - before, n - missing, len(stored)))
sys.exit(1 if missing else 0)
PY

# ---- the cookie over HTTPS only (proxy_cookie_flags) ----
hdr=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
	-d '{"user":"ann1","password":"ann1-password-1"}' "https://$PUBLIC/api/login")
grep -qi '^set-cookie:.*; *secure' <<<"$hdr" || fail "the session cookie is not Secure through nginx: $hdr"

# ---- the surviving instance stops cleanly, and the project is sound ----
kill -TERM "$PID_B"
rc=0; wait "$PID_B" || rc=$?
[ "$rc" = 0 ] || { cat "$T/B.err" >&2; fail "instance B exit $rc after SIGTERM"; }
"$MLFY" check "$P" >/dev/null || fail "mlfy check after the kill -9"
echo "multi_instance: ok (nginx errors logged: $(grep -c '\[error\]' "$T/ngx/error.log" || true))"

#!/usr/bin/env bash
# backup.sh - `mlfy backup PROJECT DEST` (issue 16, item 3): --help and
# usage errors; refusals that leave nothing behind (DEST exists, DEST is the
# project's -wal, a missing folder, a PostgreSQL project pointing to
# pg_dump, a file that is no project); then a backup taken in small steps
# while `mlfy serve` saves for 4 simulated annotators: it is written, passes
# `mlfy check`, holds every save acknowledged before the backup began, none
# of its steps restarted, and saves went on being acknowledged during it;
# an interrupted backup (SIGINT) leaves neither DEST nor a temporary file.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
FIXTURE="$(dirname "$MLFY")/mlfy-fixture"
HERE="$(cd "$(dirname "$0")" && pwd)"
CLIENT="$HERE/../serve/annotator_client.py"
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
T="$(mktemp -d)"
SERVE_PID=
CLIENT_PID=
cleanup() {
	# (|| true: under set -e a failing kill here would end the trap early)
	[ -z "$CLIENT_PID" ] || { kill -TERM "$CLIENT_PID" 2>/dev/null || true; wait "$CLIENT_PID" 2>/dev/null || true; }
	[ -z "$SERVE_PID" ] || { kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; }
	rm -rf "$T"
}
trap cleanup EXIT
P="$T/p.mlfy"

fail() { echo "backup: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }
no_leftovers() {   # no temporary copy left in folder $1
	local left
	left=$(find "$1" -maxdepth 1 -name '.*.backup-*' | head -3)
	[ -z "$left" ] || fail "$2: temporary files left behind: $left"
}
# rows of the store $1 for SQL $2 (python3's sqlite3: no sqlite3 binary needed)
sq() { python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))' "$1" "$2"; }

# --help and usage errors
out=$("$MLFY" backup --help) || fail "--help exit status"
expect_in "$out" "usage: mlfy backup PROJECT DEST" "--help"
expect_in "$out" "pg_dump" "--help names pg_dump"
expect_in "$("$MLFY" --help)" "backup" "mlfy --help lists backup"
rc=0; "$MLFY" backup "$P" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "one operand: exit $rc, expected 2"
expect_in "$(cat "$T/err")" "expected PROJECT and DEST" "one operand"
rc=0; "$MLFY" backup "$P" "$T/x" --step-pages 0 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "--step-pages 0: exit $rc, expected 2"

# a project with 4 annotators on 8 batches
"$FIXTURE" synthetic "$P" "$T/img" --images 400 --classes 40 --batch-size 50 --image-files 12 >/dev/null
users=
for i in 1 2 3 4; do
	printf 'ann%d-password-1\n' "$i" > "$T/pw"
	"$MLFY" user add "$P" "ann$i" --role annotator --password-file "$T/pw" >/dev/null
	users=${users:+$users,}ann$i
done
"$MLFY" assign "$P" --per-image 1 --annotators "$users" >/dev/null

# refusals: nothing written, nothing left behind
rc=0; "$MLFY" backup "$T/none.mlfy" "$T/b0.mlfy" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "missing project: exit $rc"
expect_in "$(cat "$T/err")" "none.mlfy: no such project file" "missing project"
echo keep > "$T/exists.mlfy"
rc=0; "$MLFY" backup "$P" "$T/exists.mlfy" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "existing DEST: exit $rc"
expect_in "$(cat "$T/err")" "exists.mlfy: already exists" "existing DEST"
[ "$(cat "$T/exists.mlfy")" = keep ] || fail "existing DEST was changed"
rc=0; "$MLFY" backup "$P" "$P-wal" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "DEST = the project's -wal: exit $rc"
expect_in "$(cat "$T/err")" "one of its companions" "DEST = -wal"
rc=0; "$MLFY" backup "$P" "$T/no/such/dir/b.mlfy" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "missing folder: exit $rc"
expect_in "$(cat "$T/err")" "cannot create a file in the folder" "missing folder"
rc=0; "$MLFY" backup "postgresql://mlfy:s3cret@db.example.org/lab" "$T/pg.mlfy" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "PostgreSQL project: exit $rc"
expect_in "$(cat "$T/err")" "pg_dump" "PostgreSQL project points to pg_dump"
grep -q s3cret "$T/err" && fail "the password of the URI was printed"
rc=0; "$MLFY" backup "$T/exists.mlfy" "$T/b1.mlfy" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "not a project: exit $rc"
expect_in "$(cat "$T/err")" "not an mlfy project" "not a project"
for f in b0 pg b1; do [ ! -e "$T/$f.mlfy" ] || fail "$f.mlfy written by a refused backup"; done
no_leftovers "$T" "refusals"

# an idle backup: complete, checked, mode 0600, reported
out=$("$MLFY" backup "$P" "$T/idle.mlfy" -q) || fail "idle backup"
expect_in "$out" "written and checked" "idle backup output"
expect_in "$out" "pages of 4096 bytes" "idle backup output"
[ "$(stat -c %a "$T/idle.mlfy")" = 600 ] || fail "backup mode is not 0600"
"$MLFY" check "$T/idle.mlfy" >/dev/null || fail "mlfy check of the idle backup"
[ "$(sq "$T/idle.mlfy" "SELECT count(*) FROM annotators")" = 4 ] || fail "idle backup lacks the accounts"

# the server, and 4 annotators saving in a loop
"$MLFY" serve "$P" --listen 127.0.0.1:0 --no-access-log >"$T/serve.out" 2>"$T/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$T/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's|.*listening on \(http://[^ ]*\)/ .*|\1|p' "$T/serve.out")
[ -n "$BASE" ] || { cat "$T/serve.err" >&2; fail "mlfy serve did not start"; }
python3 "$CLIENT" "$BASE" ann 4 -password-1 "$T/acks" --seconds 120 --stop-file "$T/stop" \
	>"$T/client.out" 2>"$T/client.err" &
CLIENT_PID=$!
saving() {   # true once every annotator saved and 40 saves were acknowledged
	[ "$(wc -l 2>/dev/null <"$T/acks" || echo 0)" -ge 40 ] &&
		[ "$(grep -o '"user": "ann[0-9]*"' "$T/acks" | sort -u | wc -l)" = 4 ]
}
for _ in $(seq 600); do saving && break; sleep 0.1; done
saving || { cat "$T/client.err" >&2; fail "not every annotator saved, or fewer than 40 saves"; }

# the backup in one-page steps with pauses, so that it spans many saves
T0=$(date +%s.%N)
"$MLFY" backup "$P" "$T/live.mlfy" --step-pages 1 --pause-ms 3 -q >"$T/backup.out" || fail "backup under load"
T1=$(date +%s.%N)
touch "$T/stop"
rc=0; wait "$CLIENT_PID" || rc=$?
CLIENT_PID=
[ "$rc" = 0 ] || { cat "$T/client.out" "$T/client.err" >&2; fail "annotator client exit $rc"; }
cat "$T/backup.out"
expect_in "$(cat "$T/backup.out")" " 0 restarts" "no step restarted the copy"
"$MLFY" check "$T/live.mlfy" >/dev/null || fail "mlfy check of the backup taken under load"
no_leftovers "$T" "backup under load"

# every save acknowledged before the backup began is in it
python3 - "$T/acks" "$T/live.mlfy" "$T0" "$T1" <<'PY' || fail "acknowledged saves missing from the backup"
import json, sqlite3, sys
acks, db, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
c = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
have = set(c.execute("SELECT n.name, a.image_id, a.version FROM annotations a "
                     "JOIN annotators n ON n.id = a.annotator_id WHERE a.stage = 'annotate'"))
before = during = missing = 0
for line in open(acks):
    a = json.loads(line)
    key = (a["user"], a["image"], a["version"])
    if a["t"] < t0:
        before += 1
        if key not in have:
            missing += 1
            print("missing from the backup:", key, file=sys.stderr)
    elif a["t"] < t1:
        during += 1
print("backup: %d saves acknowledged before it began (all in it), %d during it, %d rows in it"
      % (before, during, len(have)))
sys.exit(1 if missing or before < 40 or during < 5 else 0)
PY
[ "$(sq "$T/live.mlfy" "SELECT count(*) FROM annotations")" -le "$(sq "$P" "SELECT count(*) FROM annotations")" ] \
	|| fail "the backup holds more saves than the project"

# an interrupted backup leaves nothing behind: Ctrl-C (exit 130), and
# SIGTERM (systemctl stop, timeout: 143) and SIGHUP (a closed terminal: 129),
# which used to kill it with its temporary copy left behind
for sig in INT TERM HUP; do
	"$MLFY" backup "$P" "$T/int.mlfy" --step-pages 1 --pause-ms 50 -q 2>"$T/err" &
	BPID=$!
	# once its temporary copy exists, mlfy has its handler (a background
	# job starts with SIGINT ignored: a signal sent sooner, as a fixed
	# sleep did under load, was lost and the backup completed)
	for _ in $(seq 1 300); do
		[ -n "$(find "$T" -maxdepth 1 -name '.int.mlfy.backup-*' | head -1)" ] && break
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.05
	done
	kill -"$sig" "$BPID"
	rc=0; wait "$BPID" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" = "$want" ] || fail "backup stopped by SIG$sig: exit $rc, expected $want"
	[ ! -e "$T/int.mlfy" ] || fail "a backup stopped by SIG$sig wrote DEST"
	no_leftovers "$T" "backup stopped by SIG$sig"
done

# the backup of a backup
"$MLFY" backup "$T/live.mlfy" "$T/live2.mlfy" -q >/dev/null || fail "backup of a backup"
"$MLFY" check "$T/live2.mlfy" >/dev/null || fail "mlfy check of the backup of a backup"
echo "backup: ok"

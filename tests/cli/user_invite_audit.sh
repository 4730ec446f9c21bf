#!/usr/bin/env bash
# user_invite_audit.sh - `mlfy user invite|reset|role|list` and `mlfy audit`
# (issue 14): invite prints a one-time link whose fragment is a 64-hex token
# (kept in the project only as its SHA-256) and when it expires; `user list`
# shows each account's link state (open until, expired, used, -); reset
# revokes the older link and prints a new one; role changes the role; usage
# errors for bad durations, URLs and misplaced options; every shell command
# that changed the project has one audit row (actor shell:LOGIN, via cli,
# its arguments), listed by `mlfy audit` (table, --json, --action, --limit,
# --before); a failing or read-only command adds none, and a failing one
# leaves the project's content (its SQL dump) as it was.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
cd "$T"
P=p.mlfy

fail() { echo "user_invite_audit: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }
# status CMD...: the exit status, stdout in out, stderr in err
status() { local rc=0; "$MLFY" "$@" >out 2>err </dev/null || rc=$?; echo "$rc"; }
rows() { sqlite3 "$P" "SELECT COUNT(*) FROM audit_log"; }
# the content of the project (its header's change counter moves whenever it is
# opened for writing, so the bytes of the file are not compared)
sum() { sqlite3 "$P" .dump | sha256sum | cut -d' ' -f1; }
token_of() { sed -n 's|^link: *.*/invite#\([0-9a-f]*\)$|\1|p' out; }

# --help
[ "$(status user --help)" = 0 ] || fail "user --help"
for w in "mlfy user invite PROJECT NAME --role ROLE [--invite-ttl DURATION] [--url BASE]" \
	 "mlfy user reset PROJECT NAME" "mlfy user role PROJECT NAME --role ROLE" "--invite-ttl DURATION"; do
	expect_in "$(cat out)" "$w" "user --help"
done
[ "$(status audit --help)" = 0 ] || fail "audit --help"
expect_in "$(cat out)" "usage: mlfy audit PROJECT [--json] [--limit N] [--before ID] [--action ACTION]" "audit --help"
expect_in "$("$MLFY" --help)" "audit" "mlfy --help lists audit"

printf 'cat\ndog\n' >classes.txt
"$MLFY" init "$P" --classes classes.txt >/dev/null
[ "$(rows)" = 0 ] || fail "init wrote audit rows"

# invite: the link, its expiry, no password yet
[ "$(status user invite "$P" ann --role annotator)" = 0 ] || fail "invite: $(cat err)"
expect_in "$(cat out)" "invited annotator 'ann'" "invite"
grep -qE '^link: +http://127\.0\.0\.1:9000/invite#[0-9a-f]{64}$' out || fail "invite link: $(cat out)"
grep -qE '^expires: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' out || fail "invite expiry: $(cat out)"
tok1=$(token_of)
[ "${#tok1}" = 64 ] || fail "token '$tok1'"
# 7 days by default: expires_at - created_at
[ "$(sqlite3 "$P" "SELECT expires_at - created_at FROM invites")" = 604800 ] || fail "default lifetime"
[ "$(sqlite3 "$P" "SELECT pw_hash IS NULL FROM annotators WHERE name = 'ann'")" = 1 ] || fail "ann has a password"
# only the SHA-256 of the token is kept
[ "$(sqlite3 "$P" "SELECT token_hash FROM invites")" = "$(printf '%s' "$tok1" | sha256sum | cut -d' ' -f1)" ] \
	|| fail "token_hash is not the SHA-256 of the token"
! grep -qaF "$tok1" "$P"* || fail "the token is stored in clear"
[ "$(sqlite3 "$P" "SELECT created_by FROM invites")" = "shell:$(id -un)" ] || fail "created_by: $(sqlite3 "$P" "SELECT created_by FROM invites")"

# --url (trailing slash dropped) and --invite-ttl
[ "$(status user invite "$P" bob --role expert --url https://label.example.org/mlfy/ --invite-ttl 1s)" = 0 ] \
	|| fail "invite bob: $(cat err)"
grep -qE '^link: +https://label\.example\.org/mlfy/invite#[0-9a-f]{64}$' out || fail "--url: $(cat out)"
"$MLFY" user add "$P" boss --role admin --no-password >/dev/null
"$MLFY" user add "$P" used --role annotator --no-password >/dev/null
[ "$(status user reset "$P" used)" = 0 ] || fail "reset used: $(cat err)"
sqlite3 "$P" "UPDATE invites SET used_at = created_at WHERE annotator_id = (SELECT id FROM annotators WHERE name = 'used')"
sleep 2   # bob's link (1 s) expires

# user list: the link states
[ "$(status user list "$P")" = 0 ] || fail "user list: $(cat err)"
expect_in "$(head -1 out)" "INVITE" "user list header"
grep -qE '^ann +annotator +no-password +[0-9TZ:-]+ +open until [0-9]{4}-[0-9-]+T[0-9:]+Z$' out || fail "list ann: $(cat out)"
grep -qE '^bob +expert .* expired$' out || fail "list bob: $(cat out)"
grep -qE '^boss +admin .* -$' out || fail "list boss: $(cat out)"
grep -qE '^used +annotator .* used$' out || fail "list used: $(cat out)"

# reset: a new link, the older one revoked
[ "$(status user reset "$P" ann --invite-ttl 12h)" = 0 ] || fail "reset: $(cat err)"
expect_in "$(cat out)" "reset 'ann'" "reset"
tok2=$(token_of)
[ "${#tok2}" = 64 ] && [ "$tok2" != "$tok1" ] || fail "reset token '$tok2'"
[ "$(sqlite3 "$P" "SELECT COUNT(*) FROM invites i JOIN annotators a ON a.id = i.annotator_id
	WHERE a.name = 'ann' AND revoked_at IS NOT NULL")" = 1 ] || fail "older link not revoked"
[ "$(sqlite3 "$P" "SELECT expires_at - created_at FROM invites WHERE revoked_at IS NULL AND used_at IS NULL
	AND annotator_id = (SELECT id FROM annotators WHERE name = 'ann')")" = 43200 ] || fail "--invite-ttl 12h"

# role
[ "$(status user role "$P" ann --role expert)" = 0 ] || fail "role: $(cat err)"
"$MLFY" user list "$P" | grep -qE '^ann +expert ' || fail "role not changed"

# refused: usage errors (2) and failures (1) change nothing and add no row
n=$(rows)
before=$(sum)
for args in "user invite $P eve" "user invite $P eve --role annotator --invite-ttl 0" \
	    "user invite $P eve --role annotator --invite-ttl 400d" "user invite $P eve --role annotator --url ftp://x" \
	    "user invite $P eve --role annotator --url http://" "user reset $P ann --role expert" \
	    "user role $P ann" "user role $P ann --role expert --invite-ttl 1d" "user invite $P bad/name --role annotator" \
	    "audit $P --limit 0"; do
	# shellcheck disable=SC2086 # the words are the arguments
	[ "$(status $args)" = 2 ] || fail "'$args': exit $(status $args), expected 2: $(cat err)"
done
[ "$(status user invite "$P" eve --role annotator --invite-ttl 5w)" = 2 ] || fail "5w"
expect_in "$(cat err)" "duration '5w'" "--invite-ttl 5w"
for args in "user invite $P ann --role annotator" "user reset $P nobody" "user role $P nobody --role admin"; do
	# shellcheck disable=SC2086
	[ "$(status $args)" = 1 ] || fail "'$args': exit $(status $args), expected 1"
done
[ "$(sum)" = "$before" ] || fail "a failed command changed the project"
[ "$(rows)" = "$n" ] || fail "a failed command added an audit row"
# read-only commands add none either
"$MLFY" user list "$P" >/dev/null
"$MLFY" audit "$P" >/dev/null
"$MLFY" check "$P" >/dev/null
[ "$(rows)" = "$n" ] || fail "a read-only command added an audit row"

# mlfy audit --json: the shell actions, newest first
[ "$(status audit "$P" --json)" = 0 ] || fail "audit --json: $(cat err)"
cat >check.py <<'PY'

import json, sys
rows = json.load(sys.stdin)
login = sys.argv[1]
want = ["user role", "user reset", "user reset", "user add", "user add", "user invite", "user invite"]
got = [r["action"] for r in rows]
assert got == want, got
ids = [r["id"] for r in rows]
assert ids == sorted(ids, reverse=True), ids
for r in rows:
    assert r["actor"] == "shell:" + login, r
    assert r["via"] == "cli" and r["ok"] is True and r["result"] == "ok", r
    assert len(r["at"]) == 20 and r["at"].endswith("Z"), r
assert rows[0]["params"] == {"argv": ["role", "p.mlfy", "ann", "--role", "expert"]}, rows[0]
assert rows[1]["params"] == {"argv": ["reset", "p.mlfy", "ann", "--invite-ttl", "12h"]}, rows[1]
assert rows[-1]["params"] == {"argv": ["invite", "p.mlfy", "ann", "--role", "annotator"]}, rows[-1]
for r in rows:   # no token in the log
    assert len(json.dumps(r)) < 400
PY
python3 check.py "$(id -un)" <out || fail "audit --json: $(cat out)"
! grep -qF "$tok2" out || fail "the audit log holds a token"

# the table, --action, --limit, --before
[ "$(status audit "$P" --action "user invite")" = 0 ] || fail "audit --action: $(cat err)"
expect_in "$(head -1 out)" "ID     TIME" "audit header"
[ "$(grep -c 'user invite' out)" = 2 ] && [ "$(wc -l <out)" = 3 ] || fail "--action 'user invite': $(cat out)"
grep -qE "^[0-9]+ +[0-9T:Z-]+ +shell:[^ ]+ +cli +user invite +yes +\{\"argv\":\[\"invite\",\"p.mlfy\",\"ann\"" out \
	|| fail "audit row: $(cat out)"
[ "$(status audit "$P" --limit 2)" = 0 ] && [ "$(wc -l <out)" = 3 ] || fail "--limit 2: $(cat out)"
expect_in "$(cat err)" "--before" "--limit hint"
last=$(tail -1 out | cut -d' ' -f1)
[ "$(status audit "$P" --before "$last" --json)" = 0 ] || fail "--before: $(cat err)"
[ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <out)" = 5 ] || fail "--before $last: $(cat out)"
echo "user invite / audit: ok"

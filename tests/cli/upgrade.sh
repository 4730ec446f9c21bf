#!/usr/bin/env bash
# upgrade.sh - `mlfy upgrade PROJECT`: a project written at schema version 5
# (tests/cli/data/schema5.sql) is refused by read-only commands with a
# pointer to `mlfy upgrade`; the upgrade runs every migration to this
# mlfy's version and says so; the upgraded project passes `mlfy check` and
# keeps its classes and account (the old password still logs in: the
# account is intact); a second upgrade has nothing to do; a project of a
# newer mlfy and a missing file are refused and left as they were.
set -euo pipefail
: "${MLFY:?MLFY must point to the mlfy binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "upgrade: FAIL: $*" >&2; exit 1; }
sq() { python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))' "$1" "$2"; }
DATA="$(cd "$(dirname "$0")" && pwd)/data"

"$MLFY" upgrade --help | grep -q "usage: mlfy upgrade PROJECT" || fail "--help"
# this mlfy's version, from a fresh project
printf 'cat\ndog\n' > "$T/classes.txt"
"$MLFY" init "$T/new.mlfy" --classes "$T/classes.txt" >/dev/null
V=$("$MLFY" check "$T/new.mlfy" | sed -n 's/.*ok (schema version \([0-9]*\)).*/\1/p')
[ -n "$V" ] && [ "$V" -gt 5 ] || fail "cannot read this mlfy's schema version ($V)"

python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())' \
	"$T/old.mlfy" "$DATA/schema5.sql"
[ "$(sq "$T/old.mlfy" "PRAGMA user_version")" = 5 ] || fail "fixture is not at version 5"
# read-only commands refuse it, naming the command
for cmd in check stats; do
	if "$MLFY" $cmd "$T/old.mlfy" >/dev/null 2>"$T/err"; then fail "$cmd accepted a version 5 project"; fi
	grep -q "schema version 5 is older than $V: run 'mlfy upgrade PROJECT'" "$T/err" || fail "$cmd: $(cat "$T/err")"
done
[ "$(sq "$T/old.mlfy" "PRAGMA user_version")" = 5 ] || fail "a read-only command changed the version"

"$MLFY" upgrade "$T/old.mlfy" > "$T/out" || fail "upgrade: $(cat "$T/out")"
grep -qx "$T/old.mlfy: upgraded to schema version $V" "$T/out" || fail "upgrade said: $(cat "$T/out")"
[ "$(sq "$T/old.mlfy" "PRAGMA user_version")" = "$V" ] || fail "not at version $V after the upgrade"
"$MLFY" check "$T/old.mlfy" | grep -q "ok (schema version $V)" || fail "check after the upgrade"
[ "$(sq "$T/old.mlfy" "SELECT group_concat(name, ',') FROM (SELECT name FROM classes ORDER BY idx)")" = "cat,dog,fox" ] \
	|| fail "classes changed"
"$MLFY" user list "$T/old.mlfy" | grep -q "ann1" || fail "the account is gone"
# nothing to do the second time, and the file is not written
cp "$T/old.mlfy" "$T/again.mlfy"
"$MLFY" upgrade "$T/old.mlfy" | grep -qx "$T/old.mlfy: already at schema version $V: nothing to upgrade" \
	|| fail "second upgrade"
# a newer mlfy's project: refused, untouched
cp "$T/new.mlfy" "$T/newer.mlfy"
sq "$T/newer.mlfy" "PRAGMA user_version = 99" >/dev/null
if "$MLFY" upgrade "$T/newer.mlfy" >/dev/null 2>"$T/err"; then fail "a newer project was accepted"; fi
grep -q "newer than this mlfy" "$T/err" || fail "newer: $(cat "$T/err")"
[ "$(sq "$T/newer.mlfy" "PRAGMA user_version")" = 99 ] || fail "the newer project was changed"
# a missing file: an error naming it, nothing created
if "$MLFY" upgrade "$T/missing.mlfy" >/dev/null 2>"$T/err"; then fail "a missing project was accepted"; fi
grep -q "$T/missing.mlfy" "$T/err" || fail "missing: $(cat "$T/err")"
[ ! -e "$T/missing.mlfy" ] || fail "upgrade created a file"
echo "upgrade: ok (5 -> $V)"

#!/usr/bin/env bash
# pg_secrets.sh - a password in a postgresql:// project URI is never shown
# nor kept: not in what commands print (init, user add, assign, check,
# stats, audit, the `mlfy serve` start line), nor in the audit log rows the
# commands write (which the console shows and `mlfy migrate` copies), nor
# in error messages.  The throw-away cluster trusts local connections, so
# a URI with any password connects.  Also: a URI of another kind (mysql://)
# is refused as such, not taken for a file name.  Needs MLFY_TEST_PG
# (CTest's pg/cli/pg_secrets).
set -uo pipefail
: "${MLFY:?set MLFY to the mlfy binary}"
[ -n "${MLFY_TEST_PG:-}" ] || { echo "skipping: MLFY_TEST_PG unset (run as ctest -L pg: pg/cli/pg_secrets)"; exit 77; }
command -v psql >/dev/null || { echo "skipping: psql not installed"; exit 77; }
T=$(mktemp -d)
DB=mlfy_secrets_$$
SECRET=S3cretPw
SPID=
cleanup() {
	[ -z "$SPID" ] || { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
	PGOPTIONS='-c client_min_messages=warning' psql -X -q -h "$MLFY_TEST_PG" -U postgres -d postgres \
		-c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "pg_secrets: FAIL: $*" >&2; exit 1; }
psql -X -q -h "$MLFY_TEST_PG" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null || fail "CREATE DATABASE"
URI="postgresql://postgres:$SECRET@/$DB?host=$MLFY_TEST_PG"
KWURI="postgresql:///$DB?host=$MLFY_TEST_PG&user=postgres&password=$SECRET"

printf 'cat\ndog\n' > "$T/classes.txt"
printf 'password-123\n' > "$T/pw"
{
	"$MLFY" init "$URI" --classes "$T/classes.txt" || fail "init"
	"$MLFY" user add "$URI" ann1 --role annotator --password-file "$T/pw" || fail "user add"
	"$MLFY" user add "$KWURI" ann2 --role annotator --password-file "$T/pw" || fail "user add (keyword URI)"
	"$MLFY" assign "$URI" --per-image 1 --annotators ann1 || true   # no images: a message, no error needed
	"$MLFY" check "$URI" || fail "check"
	"$MLFY" check "$KWURI" || fail "check (keyword URI)"
	"$MLFY" stats "$URI" || fail "stats"
	"$MLFY" audit "$URI" --json || fail "audit"
	"$MLFY" init "$URI" --classes "$T/classes.txt"   # refused: already a project
	"$MLFY" check "postgresql://postgres:$SECRET@/${DB}_missing?host=$MLFY_TEST_PG"   # refused
} > "$T/out" 2>&1
grep -q "ann1" "$T/out" || fail "the commands did not run: $(head -20 "$T/out")"
# the serve start line (it goes to the journal)
"$MLFY" serve "$URI" --listen 127.0.0.1:0 --cache "$T/cache" > "$T/serve.out" 2> "$T/serve.err" &
SPID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$T/serve.out" && break; sleep 0.1; done
grep -q 'listening on' "$T/serve.out" || fail "serve did not start: $(cat "$T/serve.err")"
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null; SPID=
cat "$T/serve.out" "$T/serve.err" >> "$T/out"
if grep -n "$SECRET" "$T/out"; then fail "the password was printed (lines above)"; fi
grep -q "postgres:\*\*\*@" "$T/out" || fail "no redacted URI in the output: $(head -5 "$T/out")"
# nor kept: the audit rows, and nowhere else in the database
psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d "$DB" -c "SELECT params FROM audit_log" > "$T/audit"
grep -q '"argv"' "$T/audit" || fail "no audit rows were written: $(cat "$T/audit")"
if grep -n "$SECRET" "$T/audit"; then fail "the password is in the audit log (rows above)"; fi
psql -X -qAt -h "$MLFY_TEST_PG" -U postgres -d "$DB" -c "SELECT string_agg(t::text, ' ') FROM audit_log t" | grep -q "$SECRET" &&
	fail "the password is in the audit log"
# another kind of URI is named as such
if "$MLFY" check "mysql://root:$SECRET@localhost/x" >/dev/null 2>"$T/err"; then fail "mysql:// accepted"; fi
grep -q "unsupported kind of project URI" "$T/err" || fail "mysql://: $(cat "$T/err")"
if grep -q "$SECRET" "$T/err"; then fail "mysql:// message shows the password"; fi
echo "pg_secrets: ok"

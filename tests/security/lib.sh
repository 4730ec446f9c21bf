# lib.sh - helpers for the security tests in tests/security/ (sourced; CMake
# skips files named lib.sh).  Builds on tests/serve/lib.sh (fixture project,
# accounts ann1, ann2, ann3 (unassigned), expert, admin with password
# NAME-password-1; serve_start / serve_stop).  docs/security-tests.md.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../serve/lib.sh"
for tool in curl sqlite3 python3; do
	command -v "$tool" >/dev/null || { echo "skipped: $tool not installed"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlfy-security.XXXXXX")
trap 'serve_cleanup; chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# req USER METHOD PATH [curl args]: sets CODE, BODY, HDRS; USER '-' = no cookie jar
req() {
	local user=$1 method=$2 path=$3
	shift 3
	local jar=()
	[ "$user" != - ] && jar=(-b "$tmp/jar.$user" -c "$tmp/jar.$user")
	BODY=$(curl -sS --path-as-is -k -X "$method" "${jar[@]}" -D "$tmp/hdrs" -o - -w '\n%{http_code}' \
		"$@" "$BASE$path" 2>"$tmp/curl.err" | tr -d '\000')
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	HDRS=$(tr -d '\r' <"$tmp/hdrs" 2>/dev/null)
}
# expect CODE WHAT
expect() {
	if [ "$CODE" = "$1" ]; then ok; else bad "$2: expected $1, got $CODE: ${BODY:0:200}"; fi
}
# expect_one_of "C1 C2" WHAT
expect_one_of() {
	case " $1 " in *" $CODE "*) ok ;; *) bad "$2: expected one of $1, got $CODE: ${BODY:0:200}" ;; esac
}
json() {
	python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$BODY"
}
# login USER: a session in $tmp/jar.USER, its CSRF token in CSRF_USER
login() {
	rm -f "$tmp/jar.$1"
	req "$1" POST /api/login -H 'Content-Type: application/json' \
		-d "{\"user\":\"$1\",\"password\":\"$1-password-1\"}"
	expect 200 "login $1"
	printf -v "CSRF_$1" '%s' "$(json 'j["csrf"]')"
}
# put USER PATH JSON [curl args]: a save with the user's CSRF token
put() {
	local user=$1 path=$2 data=$3
	shift 3
	local var="CSRF_$user"
	req "$user" PUT "$path" -H 'Content-Type: application/json' -H "X-CSRF-Token: ${!var:-}" -d "$data" "$@"
}
sq() { sqlite3 "$PROJECT" "$1"; }

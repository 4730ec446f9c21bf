#!/usr/bin/env bash
# api_input.sh - what an annotator can type reaches the store exactly, and
# what the page cannot send is refused with a 400 naming the field: comments
# in any script up to 4000 characters (not bytes), control characters, RTL
# marks and markup kept verbatim, and label sources of the wrong type
# (live `mlfy serve`, curl).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v curl >/dev/null || { echo "skipping: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

serve_setup "$tmp" synthetic 12
serve_start --threads 2

curl -sS -c "$tmp/jar" -H 'Content-Type: application/json' -o "$tmp/login.json" \
	-d '{"user":"ann1","password":"ann1-password-1"}' "$BASE/api/login" || die "login"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$tmp/login.json")
img=$(curl -sS -b "$tmp/jar" "$BASE/api/tasks?stage=annotate" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ids"][0])')
version=0

# put FILE: PUT the JSON body in FILE as ann1's save of $img; sets CODE, BODY
put() {
	BODY=$(curl -sS -b "$tmp/jar" -X PUT -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
		--data-binary @"$1" -w '\n%{http_code}' "$BASE/api/tasks/$img/annotation")
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	if [ "$CODE" = 200 ]; then version=$((version + 1)); fi
}
# body COMMENT_PYTHON_EXPR [LABELS_JSON]: writes a save body with that comment to $tmp/body
one_label='[{"class": 1}]'
body() {
	python3 - "$1" "${2:-$one_label}" "$version" > "$tmp/body" <<'PY'
import json, sys
print(json.dumps({"stage": "annotate", "base_version": int(sys.argv[3]), "labels": json.loads(sys.argv[2]),
                  "comment": eval(sys.argv[1]), "seconds": 1.5}))
PY
}
stored_comment() {
	sqlite3 "$PROJECT" "SELECT hex(comment) FROM current_annotations WHERE image_id = $img AND stage = 'annotate'
		AND annotator_id = (SELECT id FROM annotators WHERE name = 'ann1')"
}
hex_of() { python3 -c 'import sys; print(eval(sys.argv[1]).encode().hex().upper())' "$1"; }

# ---- comments: 4000 characters in any script ---------------------------------------
for expr in '"\u9d8f" * 4000' '"\U0001F414" * 4000' '"x" * 4000'; do
	body "$expr"; put "$tmp/body"
	if [ "$CODE" = 200 ] && [ "$(stored_comment)" = "$(hex_of "$expr")" ]; then ok
	else bad "comment $expr: expected 200 and the text stored as sent, got $CODE: ${BODY:0:200}"; fi
done
for expr in '"\u9d8f" * 4001' '"x" * 4001'; do
	body "$expr"; put "$tmp/body"
	if [ "$CODE" = 400 ] && grep -q 'comment: longer than 4000 characters' <<<"$BODY"; then ok
	else bad "comment $expr: expected 400 naming the limit, got $CODE: ${BODY:0:200}"; fi
done
# control characters, an RTL override, quotes and markup are text, kept exactly
expr='"a\tb\r\nc \u202e evil \u0007 \"q\" <b>x</b> & \\\\ end"'
body "$expr"; put "$tmp/body"
if [ "$CODE" = 200 ] && [ "$(stored_comment)" = "$(hex_of "$expr")" ]; then ok
else bad "comment with controls and markup: got $CODE: $BODY"; fi
# the task view returns it as saved
got=$(curl -sS -b "$tmp/jar" "$BASE/api/tasks/$img?stage=annotate" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["annotation"]["comment"].encode().hex().upper())')
[ "$got" = "$(hex_of "$expr")" ] && ok || bad "GET returns the comment as saved"
# NUL and invalid UTF-8 are refused, nothing written
n0=$(sqlite3 "$PROJECT" "SELECT COUNT(*) FROM annotations")
printf '{"stage":"annotate","base_version":%d,"labels":[],"comment":"a\\u0000b"}' "$version" > "$tmp/body"
put "$tmp/body"; [ "$CODE" = 400 ] && ok || bad "NUL in a comment: expected 400, got $CODE"
printf '{"stage":"annotate","base_version":%d,"labels":[],"comment":"\xff\xfe"}' "$version" > "$tmp/body"
put "$tmp/body"; [ "$CODE" = 400 ] && ok || bad "invalid UTF-8: expected 400, got $CODE"
[ "$(sqlite3 "$PROJECT" "SELECT COUNT(*) FROM annotations")" = "$n0" ] && ok || bad "a refused save wrote"

# ---- label sources: a name or nothing; another type is an error, not "proposal" -------
for labels in '[{"class": 1, "source": 5}]' '[{"class": 1, "source": ["search"]}]' '[{"class": 1, "source": "bogus"}]'; do
	body '""' "$labels"; put "$tmp/body"
	if [ "$CODE" = 400 ] && grep -q 'labels\[0\]' <<<"$BODY"; then ok
	else bad "labels $labels: expected 400 naming labels[0], got $CODE: $BODY"; fi
done
body '""' '[{"class": 1, "source": null}, {"class": 2, "source": "search"}]'; put "$tmp/body"
[ "$CODE" = 200 ] && ok || bad "source null (= proposal): expected 200, got $CODE: $BODY"
src=$(sqlite3 "$PROJECT" "SELECT group_concat(l.source, ',') FROM annotation_labels l JOIN current_annotations n
	ON n.id = l.annotation_id WHERE n.image_id = $img AND n.stage = 'annotate' ORDER BY l.class_idx")
[ "$src" = "proposal,search" ] && ok || bad "stored sources: $src"

serve_stop
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

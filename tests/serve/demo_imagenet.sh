#!/usr/bin/env bash
# demo_imagenet.sh - the server on a project built by the real commands:
# scripts/demo --imagenet --no-serve (init, add-images, import-predictions,
# add-exemplars, the demo accounts, assign), then the pages and every
# annotator/admin route with the demo logins.  Skips without shared data.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
[ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] || { echo "skipping: shared imagenet-samples absent"; exit 77; }
"$MLFY" help | grep -qE '^  import-predictions ' || { echo "skipping: no import-predictions in this build"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
MLFY="$MLFY" DEMO_DIR="$tmp" "$MLFY_SOURCE_DIR/scripts/demo" --imagenet --no-serve > "$tmp/demo.out" 2>&1 \
	|| { cat "$tmp/demo.out"; die "scripts/demo --imagenet"; }
grep -q "logins: annotator1" "$tmp/demo.out" || die "demo prints the logins"
PROJECT=$tmp/imagenet-samples.mlfy
SERVE_DIR=$tmp
pw=$(cat "$tmp/demo-password")
serve_start --threads 2

n=0
check() {   # check WANT_CODE CURL_ARGS... : one request, status compared
	local want=$1 code
	shift
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$@")
	[ "$code" = "$want" ] || die "$* -> $code (want $want): $(head -c 300 "$tmp/body")"
	n=$((n + 1))
}
login() {
	check 200 -c "$tmp/jar.$1" -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$pw\"}" "$BASE/api/login"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$tmp/body"
}
csrf=$(login annotator1)
for p in /login /annotate /refine /admin /static/annotate.js; do check 200 "$BASE$p"; done
check 200 -b "$tmp/jar.annotator1" "$BASE/api/tasks"
read -r total first < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["total"], j["ids"][0])' "$tmp/body")
[ "$total" = 500 ] || die "annotator1 has $total tasks, want all 500 (2 annotators per batch)"
check 200 -b "$tmp/jar.annotator1" "$BASE/api/tasks/$first"
# The demo's photos are split: half are the project's images, half the
# exemplars of their classes.  So a proposal offers at most one exemplar,
# about half of them one, and never a project image (the image's own class
# has none: its photo is a project image).
read -r cls rank < <(python3 - "$tmp/body" <<'PY' || die "task view"
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j["proposals"]) == 20, j["proposals"]
cs = [j["classes"][str(p["class"])] for p in j["proposals"]]
for c in cs:
    assert c["gloss"] and c["synonyms"], c
    assert c["exemplars"] == len(c["exemplar_ranks"]) <= 1, c
with_ex = [c for c in cs if c["exemplar_ranks"]]
assert 0 < len(with_ex) < len(cs), [c["idx"] for c in with_ex]
assert not j["classes"].get(str(j["image"].get("original_label", -1)), {}).get("exemplar_ranks"), j["image"]
c = with_ex[0]
print(c["idx"], c["exemplar_ranks"][0])
PY
)
check 200 -b "$tmp/jar.annotator1" "$BASE/api/images/$first?size=display"
check 200 -b "$tmp/jar.annotator1" "$BASE/api/images/$first?size=full"
check 200 -b "$tmp/jar.annotator1" "$BASE/api/exemplars/$cls/$rank?size=thumb"
check 200 -b "$tmp/jar.annotator1" "$BASE/api/classes?q=tench"
check 200 -b "$tmp/jar.annotator1" -X PUT -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
	-d "{\"stage\":\"annotate\",\"base_version\":0,\"labels\":[{\"class\":$cls,\"source\":\"proposal\"}],\"seconds\":2}" \
	"$BASE/api/tasks/$first/annotation"
check 403 -b "$tmp/jar.annotator1" "$BASE/api/dashboard"
login admin >/dev/null
check 200 -b "$tmp/jar.admin" "$BASE/api/dashboard"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["images"] == 500 and j["done"] == 1, j' "$tmp/body" \
	|| die "dashboard counts"
login expert >/dev/null
check 200 -b "$tmp/jar.expert" "$BASE/api/tasks"
serve_stop
echo "demo_imagenet: $n passed, 0 failed"

#!/usr/bin/env bash
# reopen.sh - `mlfy reopen PROJECT IMAGE... [--reason TEXT] [--by NAME]`
# (issue 12, item 5): --help, usage errors, an unknown or open image refused
# with nothing changed, and an agreed and a queued image reopened in one
# transaction: decision, queue row and decision basis gone, the audit row
# (who, why, the removed stage, labels and annotation versions) written;
# the next `mlfy analyze` decides the image anew.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
FIXTURE="$(dirname "$MLFY")/mlfy-fixture"
HELPER="$(dirname "$MLFY")/review_e2e_helper"
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "reopen: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }
sq() { sqlite3 "$P" "$1"; }

# --help and usage errors
out=$("$MLFY" reopen --help) || fail "--help exit status"
expect_in "$out" "usage: mlfy reopen PROJECT IMAGE..." "--help"
expect_in "$out" "--reason TEXT" "--help"
expect_in "$("$MLFY" --help)" "reopen" "mlfy --help lists reopen"
rc=0; "$MLFY" reopen "$P" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "no IMAGE: exit $rc, expected 2"
expect_in "$(cat "$T/err")" "expected at least one IMAGE" "no IMAGE"

# a project: 12 images in batches of 6, two annotators on every batch
"$FIXTURE" synthetic "$P" "$T/img" --images 12 --classes 10 --batch-size 6 --k 5 >/dev/null
for u in a1 a2; do "$HELPER" user "$P" "$u" annotator; done
for b in 1 2; do for u in a1 a2; do "$HELPER" assign "$P" "$b" "$u"; done; done
img1=$(sq "SELECT name FROM images WHERE id = 1")   # original label 0
img2=$(sq "SELECT name FROM images WHERE id = 2")   # original label 1
"$HELPER" annotate "$P" "$img1" a1 annotate 0
"$HELPER" annotate "$P" "$img1" a2 annotate 0
"$HELPER" annotate "$P" "$img2" a1 annotate 1
"$HELPER" annotate "$P" "$img2" a2 annotate 1,2
"$MLFY" analyze "$P" >/dev/null
[ "$(sq "SELECT stage FROM final_status WHERE image_id = 1")" = agreed ] || fail "image 1 not agreed"
[ "$(sq "SELECT reason FROM refinement_queue WHERE image_id = 2")" = sets_differ ] || fail "image 2 not queued"
basis1=$(sq "SELECT group_concat(annotation_id, ' ') FROM (SELECT annotation_id FROM decision_basis
	WHERE image_id = 1 ORDER BY annotation_id)")
[ "$basis1" = "$(sq "SELECT group_concat(id, ' ') FROM (SELECT id FROM annotations WHERE image_id = 1 ORDER BY id)")" ] \
	|| fail "decision basis of image 1: '$basis1'"
[ "$(sq "SELECT COUNT(*) FROM decision_basis WHERE image_id = 2")" = 2 ] || fail "queued image 2 has no basis"

# an unknown image, or an open one, next to a decided one: nothing changes
before=$(sq "SELECT COUNT(*) FROM final_status")-$(sq "SELECT COUNT(*) FROM refinement_queue")
rc=0; "$MLFY" reopen "$P" "$img1" no-such.png 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "unknown image: exit $rc"
expect_in "$(cat "$T/err")" "no-such.png" "unknown image named"
img5=$(sq "SELECT name FROM images WHERE id = 5")   # never annotated: open
rc=0; "$MLFY" reopen "$P" "$img1" "$img5" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "open image: exit $rc"
expect_in "$(cat "$T/err")" "open already" "open image"
[ "$(sq "SELECT COUNT(*) FROM final_status")-$(sq "SELECT COUNT(*) FROM refinement_queue")" = "$before" ] \
	|| fail "a refused reopen changed decisions"
[ "$(sq "SELECT COUNT(*) FROM reopenings")" = 0 ] || fail "a refused reopen was audited"

# reopen both
out=$("$MLFY" reopen "$P" "$img1" "$img2" --reason "a2 ticked the wrong tab" --by coord) || fail "reopen"
expect_in "$out" "$img1: reopened (was agreed {0}; based on annotations [$basis1])" "reopen output"
expect_in "$out" "$img2: reopened (was queued, queued paper:sets_differ" "reopen output"
expect_in "$out" "2 images reopened" "reopen output"
[ "$(sq "SELECT COUNT(*) FROM final_status WHERE image_id IN (1, 2)")" = 0 ] || fail "decision left"
[ "$(sq "SELECT COUNT(*) FROM refinement_queue WHERE image_id IN (1, 2)")" = 0 ] || fail "queue row left"
[ "$(sq "SELECT COUNT(*) FROM decision_basis WHERE image_id IN (1, 2)")" = 0 ] || fail "basis left"
[ "$(sq "SELECT image_id, reopened_by, reason, stage, labels, basis FROM reopenings ORDER BY id LIMIT 1")" = \
	"1|coord|a2 ticked the wrong tab|agreed|0|$basis1" ] || fail "audit row: $(sq "SELECT * FROM reopenings")"
[ "$(sq "SELECT stage, queue_reason, decided_at IS NULL FROM reopenings WHERE image_id = 2")" = \
	"queued|paper:sets_differ|1" ] || fail "audit row of the queued image"
sqlite3 "$P" "DELETE FROM reopenings" 2>/dev/null && fail "the audit can be deleted"
[ "$(sq "SELECT COUNT(*) FROM annotations")" = 4 ] || fail "annotations were touched"

# open again: a new stage-ii set, and analyze decides anew
"$HELPER" annotate "$P" "$img2" a2 annotate 1
"$MLFY" analyze "$P" >/dev/null
[ "$(sq "SELECT stage FROM final_status WHERE image_id = 2")" = agreed ] || fail "image 2 not decided anew"
[ "$(sq "SELECT stage FROM final_status WHERE image_id = 1")" = agreed ] || fail "image 1 not decided anew"
[ "$(sq "SELECT MAX(annotation_id) FROM decision_basis WHERE image_id = 2")" = \
	"$(sq "SELECT MAX(id) FROM annotations WHERE image_id = 2")" ] || fail "basis of the new decision"

# by id, as the page and the server's 409 name images ("image 2 is closed"; QA)
out=$("$MLFY" reopen "$P" '#2' --reason "by id") || fail "reopen #2"
expect_in "$out" "#2: reopened (was agreed" "reopen by id"
[ "$(sq "SELECT COUNT(*) FROM final_status WHERE image_id = 2")" = 0 ] || fail "#2 not reopened"
rc=0; "$MLFY" reopen "$P" '#999' 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "reopen #999: exit $rc"
expect_in "$(cat "$T/err")" "#999: no image with id 999" "unknown id"
echo "reopen: ok"

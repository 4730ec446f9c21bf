#!/usr/bin/env bash
# verify.sh - ReaL's verification protocol end to end with the CLI: a small
# project with a model's proposals -> mlfy questions (dry run, idempotent
# re-run) -> mlfy assign --protocol verify (balanced loads, audited, bad
# option combinations refused) -> the grid's answers -> mlfy aggregate
# --method dawid-skene --set-final on them -> check, stats and export.
# The answers are written with sqlite3 in the layout of src/store/verify.c,
# as 'mlfy serve' writes them (there is deliberately no CLI command for
# answering; tests/review/test_verify.c covers mlfy_verify_submit itself).
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "verify: $H not built" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "skipping: the sqlite3 shell is not installed"; exit 77; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/pets.mlfy"

fail() { echo "verify: FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in output:"$'\n'"$1"; }
expect_status() { # expected-status command...
	local want=$1 got=0
	shift
	"$@" >"$T/out" 2>"$T/err" || got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$T/err")"
}
q() { sqlite3 -batch -noheader "$P" "$1"; }

# --- a project: 5 classes, 4 images, a model's top-3 --------------------------------
printf 'cat\ndog\nfox\nowl\nbee\n' >"$T/classes.txt"     # indices 0..4
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img/cat" "$T/img/dog" "$T/img/fox" "$T/img/owl"
"$H" png "$T/img/cat/a.png" 200 10 10
"$H" png "$T/img/dog/b.png" 10 200 10
"$H" png "$T/img/fox/c.png" 10 10 200
"$H" png "$T/img/owl/d.png" 90 90 90
"$MLFY" add-images "$P" "$T/img" --quiet >/dev/null
printf 'filename,index,prob\ncat/a.png,[0 1 2],[0.7 0.2 0.05]\ndog/b.png,[0 1 4],[0.5 0.4 0.01]\nfox/c.png,[2 3 4],[0.6 0.3 0.1]\nowl/d.png,[4 0 1],[0.5 0.3 0.2]\n' >"$T/m1.csv"
"$MLFY" import-predictions "$P" --model m1 "$T/m1.csv" >/dev/null 2>&1
for u in ann1 ann2 ann3; do "$H" user "$P" "$u" annotator; done
audits() { q "SELECT COUNT(*) FROM audit_log WHERE action = '$1'"; }

# --- questions ------------------------------------------------------------------------
"$MLFY" questions --help | grep -q -- "--with-original" || fail "questions --help"
out="$("$MLFY" questions "$P" --top 2 --min-score 0.1 --dry-run)"
expect_in "$out" "dry run" "dry run announced"
expect_in "$out" "8 questions would be added" "dry run counts"
expect_eq "$(q 'SELECT COUNT(*) FROM verify_questions')" 0 "dry run writes nothing"
expect_eq "$(audits questions)" 0 "a dry run is not audited"
# top 2 with score >= 0.1: 8 proposals; the original label of owl/d.png (owl = 3) is not among them
out="$("$MLFY" questions "$P" --top 2 --min-score 0.1 --with-original)"
expect_in "$out" "4 images considered" "images"
expect_in "$out" "9 candidate questions, 1 of them only as the original label" "candidates"
expect_in "$out" "9 questions added, 0 already there" "added"
expect_eq "$(q "SELECT v.origin FROM verify_questions v JOIN questions x ON x.id = v.question_id WHERE x.image_name = 'owl/d.png' AND x.class_idx = 3")" \
	original "origin of the original label"
out="$("$MLFY" questions "$P" --top 2 --min-score 0.1 --with-original)"
expect_in "$out" "0 questions added, 9 already there" "idempotent"
expect_eq "$(audits questions)" 2 "each questions run is audited"
expect_status 2 "$MLFY" questions "$P" --top 0
expect_status 2 "$MLFY" questions "$P" --min-score 2
expect_status 1 "$MLFY" questions "$P" --models m1,nope
expect_in "$(cat "$T/err")" "nope" "unknown model named"

# --- assign -----------------------------------------------------------------------------
expect_status 2 "$MLFY" assign "$P" --protocol verify --per-image 2
expect_in "$(cat "$T/err")" "--per-image" "meaningless combination named"
expect_status 2 "$MLFY" assign "$P" --per-question 2
expect_status 2 "$MLFY" assign "$P" --protocol verify --gold-rate 0.1
expect_status 2 "$MLFY" assign "$P" --protocol nonsense
expect_status 1 "$MLFY" assign "$P" --protocol verify --per-question 4
out="$("$MLFY" assign "$P" --protocol verify --per-question 3 --dry-run)"
expect_in "$out" "27 new assignments" "dry run"
expect_eq "$(q 'SELECT COUNT(*) FROM verify_assignments')" 0 "dry run assigns nothing"
out="$("$MLFY" assign "$P" --protocol verify --per-question 3)"
expect_in "$out" "9 questions, 27 new assignments, 9/9 questions with at least 3 raters" "assigned"
grep -Eq '^ann2 +9 +9$' <<<"$out" || fail "ann2's load: $out"
out="$("$MLFY" assign "$P" --protocol verify --per-question 3)"
expect_in "$out" "0 new assignments" "a re-run adds nothing"
expect_eq "$(audits assign)" 2 "assign --protocol verify is audited"
# the batches of the paper's protocol are untouched
expect_eq "$(q 'SELECT COUNT(*) FROM assignments')" 0 "no batch assigned"

# --- the grid's answers (what mlfy serve writes) ---------------------------------------------
# truth: cat/a.png {cat}, dog/b.png {cat, dog}, fox/c.png {fox}, owl/d.png {owl, bee};
# ann1 and ann2 answer by the truth, ann3 too except a "maybe" on fox/c.png-owl.
truth="('cat/a.png',0),('dog/b.png',0),('dog/b.png',1),('fox/c.png',2),('owl/d.png',3),('owl/d.png',4)"
for u in ann1 ann2 ann3; do
	q "INSERT INTO verify_pages(annotator_id, class_idx, client_page_id, seconds, created_at)
	   SELECT DISTINCT n.id, x.class_idx, 'p-' || x.class_idx, 4.5, 't' FROM verify_assignments a
	   JOIN questions x ON x.id = a.question_id JOIN annotators n ON n.id = a.annotator_id WHERE n.name = '$u';
	   INSERT INTO verify_answers(page_id, question_id, annotator_id, answer, bulk, seconds, version, created_at)
	   SELECT p.id, a.question_id, a.annotator_id,
	     CASE WHEN (x.image_name, x.class_idx) IN (VALUES $truth) THEN 2
	          WHEN '$u' = 'ann3' AND x.image_name = 'fox/c.png' THEN 1 ELSE 0 END, 0, 1.0, 1, 't'
	   FROM verify_assignments a JOIN questions x ON x.id = a.question_id JOIN annotators n ON n.id = a.annotator_id
	   JOIN verify_pages p ON p.annotator_id = a.annotator_id AND p.class_idx = x.class_idx WHERE n.name = '$u'"
done
expect_eq "$(q 'SELECT COUNT(*) FROM verify_votes')" 27 "27 current answers"
if q "UPDATE verify_answers SET answer = 0" 2>"$T/err"; then fail "an answer was overwritten"; fi
expect_in "$(cat "$T/err")" "append-only" "append-only message"
out="$("$MLFY" check "$P")"
expect_in "$out" "ok (schema version 7)" "check"
# importing ReaL votes under the grid's source is refused
expect_status 2 "$MLFY" import-votes "$P" --from-annotations --source verify
expect_in "$(cat "$T/err")" "reserved" "reserved source"

# --- aggregate ---------------------------------------------------------------------------------
# an --out that cannot be written: nothing stored, no final labels, no file
expect_status 1 "$MLFY" aggregate "$P" --method dawid-skene --set-final --out "$T/missing/x.csv"
expect_in "$(cat "$T/err")" "$T/missing/x.csv" "the error names the output"
expect_status 1 "$MLFY" aggregate "$P" --method majority --out "$T/missing/x.npy"
expect_eq "$(q 'SELECT COUNT(*) FROM aggregations')" 0 "nothing stored when --out fails"
expect_eq "$(q 'SELECT COUNT(*) FROM final_status')" 0 "no final labels when --out fails"
"$MLFY" aggregate "$P" --method majority --out "$T/maj.npy" >/dev/null || fail "aggregate --out .npy"
expect_eq "$(q "SELECT COUNT(*) FROM aggregations WHERE method = 'majority'")" 9 "stored with --out"
[ -s "$T/maj.npy" ] || fail "the .npy is written"
out="$("$MLFY" aggregate "$P" --method dawid-skene --set-final)"
expect_in "$out" "27 votes" "the grid's votes are read: $out"
expect_eq "$(q "SELECT COUNT(*) FROM aggregations WHERE method = 'dawid-skene'")" 9 "a posterior per question"
got="$(q "SELECT i.name || ':' || COALESCE((SELECT group_concat(l.class_idx, ' ') FROM (SELECT class_idx FROM final_labels
          WHERE image_id = i.id ORDER BY class_idx) l), '') FROM images i ORDER BY i.name" | tr '\n' ';')"
expect_eq "$got" "cat/a.png:0;dog/b.png:0 1;fox/c.png:2;owl/d.png:3 4;" "final sets from the grid"
expect_eq "$(q "SELECT COUNT(*) FROM final_status WHERE stage = 'aggregated'")" 4 "all aggregated"
out="$("$MLFY" aggregate "$P" --method majority --source verify)"
expect_in "$out" "27 votes" "--source verify"

# --- stats, export -------------------------------------------------------------------------------
out="$("$MLFY" stats "$P")"
expect_in "$out" "4 images" "stats"
expect_in "$out" "raw votes: 27 on 9 questions" "stats counts the grid's answers"
"$MLFY" export "$P" --format real --out "$T/real.json"
expect_eq "$(tr -d ' \n' <"$T/real.json")" "[[0],[0,1],[2],[3,4]]" "ReaL export"
echo ok

#!/usr/bin/env bash
# cli_votes.sh - import-votes, aggregate (file and project mode, --set-final)
# and agreement on ReaL's golden vote files, plus bad inputs: exit statuses,
# messages naming the problem, and nothing stored on errors.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
SH="${MLFY_SHARED:-../shared}"
RG="$SH/data/real/raters_golden.npz"
G="$SH/data/real/golden.npz"
[ -f "$RG" ] && [ -f "$G" ] || { echo "skipping: $RG or $G not found"; exit 77; }
H="$(dirname "$MLFY")/review_e2e_helper"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

fail() { echo "cli_votes: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }
expect_status() { # expected-status command...
	local want=$1 got=0
	shift
	"$@" >"$T/out" 2>"$T/err" || got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$T/err")"
}

# --- file mode: no project ------------------------------------------------------
out="$("$MLFY" aggregate --votes "$RG" --method dawid-skene --out "$T/post.npy")"
expect_in "$out" "1,135 questions, 88,530 votes from 78 raters" "vote file read"
expect_in "$out" "30 iterations (converged" "EM converged as in the unit test"
[ -s "$T/post.npy" ] || fail "no .npy written"
# 1135 float64 after a 128-byte header
[ "$(stat -c %s "$T/post.npy")" = $((128 + 1135 * 8)) ] || fail "unexpected .npy size $(stat -c %s "$T/post.npy")"
"$MLFY" aggregate --votes "$RG" --method majority --threshold 0.5 --out "$T/post.csv" >/dev/null
[ "$(wc -l <"$T/post.csv")" = 1136 ] || fail "CSV has a header and 1,135 rows"
[ "$(head -1 "$T/post.csv")" = "file,label,posterior,decision,votes" ] || fail "CSV header"
[ "$(sed -n 2p "$T/post.csv" | cut -d, -f1,2,5)" = "ILSVRC2012_val_00030153.JPEG,101,78" ] || fail "CSV first row"

out="$("$MLFY" agreement "$G")"
expect_in "$out" "1,135 questions, 5,675 answers from 5 raters" "agreement header"
grep -Eq "Fleiss' kappa +0\.7321" <<<"$out" || fail "Fleiss' kappa of ReaL's experts: $out"
json="$("$MLFY" agreement "$G" --json)"
expect_in "$json" '"raters": 5' "agreement JSON"

# --- bad inputs -------------------------------------------------------------------
expect_status 2 "$MLFY" aggregate --votes "$RG" --method mean
expect_status 2 "$MLFY" aggregate --votes "$RG" --method majority --out "$T/x.txt"
expect_status 2 "$MLFY" aggregate --votes "$RG" --method majority --threshold 1.5
printf 'not a zip' >"$T/bad.npz"
expect_status 1 "$MLFY" aggregate --votes "$T/bad.npz" --method majority
expect_in "$(cat "$T/err")" "bad.npz" "error names the file"
expect_status 1 "$MLFY" agreement "$T/missing.npz"

# --- project mode ---------------------------------------------------------------------
# a project holding two of the golden images (classes 0..999)
for i in $(seq 0 999); do echo "c$i"; done >"$T/classes.txt"
"$MLFY" init "$T/p.mlfy" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img"
"$H" png "$T/img/ILSVRC2012_val_00030153.JPEG.png" 1 2 3
"$H" png "$T/img/other.png" 3 2 1
"$MLFY" add-images "$T/p.mlfy" "$T/img" --quiet >/dev/null
sqlite3 "$T/p.mlfy" "UPDATE images SET name = 'ILSVRC2012_val_00030153.JPEG' WHERE name LIKE 'ILSVRC%'"

out="$("$MLFY" import-votes "$T/p.mlfy" "$RG")"
expect_in "$out" "stored 88,530 votes on 1,135 questions from 78 raters as source 'npz:raters_golden.npz'" "import"
"$MLFY" import-votes "$T/p.mlfy" "$RG" >/dev/null   # again: replaces
# a project holding votes passes the integrity check (SQLite 3.40.1 misread
# the votes table of schema 5: "NULL value in votes.answer")
out="$("$MLFY" check "$T/p.mlfy" 2>&1)" || fail "mlfy check with votes: $out"
expect_in "$out" "ok (schema version 7)" "mlfy check with votes"
[ "$(sqlite3 "$T/p.mlfy" 'SELECT COUNT(*) FROM votes')" = 88530 ] || fail "re-import must replace"
"$MLFY" import-votes "$T/p.mlfy" "$G" --source experts >/dev/null
[ "$(sqlite3 "$T/p.mlfy" "SELECT COUNT(*) FROM votes WHERE source = 'experts'")" = 5675 ] || fail "second source"

out="$("$MLFY" aggregate "$T/p.mlfy" --method dawid-skene --source npz:raters_golden.npz --set-final)"
expect_in "$out" "30 iterations" "same EM run from the store"
expect_in "$out" "stored 1,135 results" "results stored"
expect_in "$out" "1 images decided" "the one project image among the questions"
expect_in "$out" "154 images not in the project" "the other golden images"
[ "$(sqlite3 "$T/p.mlfy" "SELECT COUNT(*) FROM aggregations WHERE method = 'dawid-skene'")" = 1135 ] || fail "rows"
# the image's final set = its questions decided positive
want="$(sqlite3 "$T/p.mlfy" "SELECT group_concat(q.class_idx) FROM (SELECT q.class_idx FROM questions q JOIN aggregations a ON a.question_id = q.id WHERE a.method = 'dawid-skene' AND a.label = 1 AND q.image_name = 'ILSVRC2012_val_00030153.JPEG' ORDER BY q.class_idx) q")"
got="$(sqlite3 "$T/p.mlfy" "SELECT group_concat(class_idx) FROM (SELECT l.class_idx FROM final_labels l JOIN images i ON i.id = l.image_id WHERE i.name = 'ILSVRC2012_val_00030153.JPEG' ORDER BY l.class_idx)")"
[ -n "$want" ] && [ "$want" = "$got" ] || fail "final labels '$got' != positive questions '$want'"
[ "$(sqlite3 "$T/p.mlfy" "SELECT stage FROM final_status")" = aggregated ] || fail "stage aggregated"
out="$("$MLFY" aggregate "$T/p.mlfy" --method dawid-skene --source npz:raters_golden.npz --set-final)"
expect_in "$out" "1 images decided (0 new or changed)" "re-running changes nothing"
# an image decided by another stage is kept
sqlite3 "$T/p.mlfy" "UPDATE final_status SET stage = 'agreed'"
out="$("$MLFY" aggregate "$T/p.mlfy" --method majority --source npz:raters_golden.npz --set-final)"
expect_in "$out" "0 images decided (0 new or changed), 1 kept" "agreed image kept"
[ "$(sqlite3 "$T/p.mlfy" "SELECT stage FROM final_status")" = agreed ] || fail "still agreed"

# a label outside the project's classes is refused and nothing is stored
head -500 "$T/classes.txt" >"$T/few.txt"
"$MLFY" init "$T/q.mlfy" --classes "$T/few.txt" >/dev/null
expect_status 1 "$MLFY" import-votes "$T/q.mlfy" "$RG"
expect_in "$(cat "$T/err")" "is not one of the project's 500 classes" "class check message"
[ "$(sqlite3 "$T/q.mlfy" 'SELECT COUNT(*) FROM votes')" = 0 ] || fail "nothing stored on error"
expect_status 0 "$MLFY" import-votes "$T/q.mlfy" "$RG" --no-class-check
expect_status 1 "$MLFY" aggregate "$T/q.mlfy" --method majority --source nosuch
expect_in "$(cat "$T/err")" "no votes from 'nosuch'" "unknown source"
echo "cli_votes: ok"

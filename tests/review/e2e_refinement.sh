#!/usr/bin/env bash
# e2e_refinement.sh - the worked end-to-end example of stages iii-iv with the
# CLI: two annotators disagree -> analyze -> assign-refinement -> experts save
# refinements -> finalize -> zero-label review -> export in every format ->
# the exports agree with the project (and with `mlfy stats` when built).
# Stage-ii/iv saves are written by review_e2e_helper (what `mlfy serve` would
# write); there is deliberately no `mlfy annotate`.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "e2e_refinement: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/pets.mlfy"

fail() { echo "e2e_refinement: FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in output:"$'\n'"$1"; }

# --- a project: 5 classes, 4 images, one batch --------------------------------
printf 'cat\ndog\nfox\nowl\nbee\n' >"$T/classes.txt"     # indices 0..4
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img/cat" "$T/img/dog" "$T/img/fox" "$T/img/owl"
"$H" png "$T/img/cat/a.png" 200 10 10
"$H" png "$T/img/dog/b.png" 10 200 10
"$H" png "$T/img/fox/c.png" 10 10 200
"$H" png "$T/img/owl/d.png" 90 90 90
"$MLFY" add-images "$P" "$T/img" --batches 1 --quiet >/dev/null
for who in ann1:annotator ann2:annotator exp1:expert exp2:expert; do
	"$H" user "$P" "${who%%:*}" "${who##*:}"
done
"$H" assign "$P" 1 ann1
"$H" assign "$P" 1 ann2

# --- stage ii: the two annotators ---------------------------------------------
#   cat/a.png (cat): {cat}      / {cat}   -> agree
#   dog/b.png (dog): {cat,dog}  / {dog}   -> sets differ
#   fox/c.png (fox): {bee}      / {bee}   -> same set without the original label
#   owl/d.png (owl): {owl}      / (none yet)
"$H" annotate "$P" cat/a.png ann1 annotate 0
"$H" annotate "$P" cat/a.png ann2 annotate 0
"$H" annotate "$P" dog/b.png ann1 annotate 0,1 "a cat on the sofa too"
"$H" annotate "$P" dog/b.png ann2 annotate 1
"$H" annotate "$P" fox/c.png ann1 annotate 4
"$H" annotate "$P" fox/c.png ann2 annotate 4
"$H" annotate "$P" owl/d.png ann1 annotate 3

# --- stage iii ----------------------------------------------------------------
out="$("$MLFY" analyze "$P" --dry-run)"
expect_in "$out" "dry run" "dry run is announced"
expect_eq "$(sqlite3 "$P" 'SELECT COUNT(*) FROM refinement_queue')" 0 "dry run queues nothing"

out="$("$MLFY" analyze "$P")"
expect_in "$out" "3 judged" "owl/d.png is not judged while ann2 is missing"
expect_in "$out" "owl/d.png: not annotated by ann2" "the incomplete image is listed"
expect_in "$out" "original label not chosen 1" "reason for fox/c.png"
"$H" annotate "$P" owl/d.png ann2 annotate -        # "none of these"
out="$("$MLFY" analyze "$P" --rule paper)"
expect_in "$out" "4 judged" "all four judged"
grep -Eq 'agreed +1 +\( *25\.00 %\)' <<<"$out" || fail "1 of 4 agreed (25 %): $out"
grep -Eq 'to refine +3 +\( *75\.00 %\)' <<<"$out" || fail "3 of 4 to refine (75 %): $out"
expect_in "$out" "0 cat" "cat is chosen by only one annotator of dog/b.png"
expect_eq "$(sqlite3 "$P" "SELECT stage FROM final_status f JOIN images i ON i.id = f.image_id WHERE i.name = 'cat/a.png'")" \
	agreed "cat/a.png agreed"
json="$("$MLFY" analyze "$P" --json)"
expect_in "$json" '"new_agreed": 0' "a re-run changes nothing"
expect_in "$json" '"queued": 0' "a re-run queues nothing new"

# --- stage iv -----------------------------------------------------------------
out="$("$MLFY" assign-refinement "$P" --experts exp1,exp2)"
expect_in "$out" "assigned 3 images" "three images handed out"
# even split in name order: dog -> exp1, fox -> exp2, owl -> exp1
expect_eq "$(sqlite3 "$P" "SELECT a.name FROM refinement_queue q JOIN images i ON i.id = q.image_id JOIN annotators a ON a.id = q.expert_id ORDER BY i.name" | tr '\n' ' ')" \
	"exp1 exp2 exp1 " "expert split"
out="$("$MLFY" assign-refinement "$P" --experts exp1,exp2)"
expect_in "$out" "assigned 0 images" "a re-run keeps assignments"
if "$MLFY" assign-refinement "$P" --experts ann1 2>"$T/err"; then fail "an annotator cannot refine"; fi
expect_in "$(cat "$T/err")" "role annotator" "role error message"

"$H" annotate "$P" dog/b.png exp1 refine 1 "the cat is a cushion"
"$H" annotate "$P" fox/c.png exp2 refine - "no fox, no bee: a hedgehog"
out="$("$MLFY" finalize "$P")"
expect_in "$out" "2 images finalized, 1 queued images have no refinement yet" "finalize"
expect_in "$out" "1 images have an empty final set" "zero-label pending"
"$H" annotate "$P" owl/d.png exp1 refine 3 "an owl"
"$MLFY" finalize "$P" owl/d.png >/dev/null

out="$("$MLFY" zero-review "$P" --list)"
expect_in "$out" "fox/c.png  (original label: 2 fox)" "zero-label list"
if "$MLFY" zero-review "$P" dog/b.png --expert exp1 --category low_resolution --verdict agree 2>"$T/err"; then
	fail "dog/b.png has labels: no zero-label review"
fi
"$MLFY" zero-review "$P" fox/c.png --expert exp2 --category no_valid_proposal --verdict disagree \
	--comment "it is a hedgehog" >/dev/null
expect_in "$("$MLFY" zero-review "$P" --list)" "0 images await" "nothing pending"

out="$("$MLFY" analyze "$P")"
expect_in "$out" "3 kept" "refined images are left alone by a new analysis"

# --- exports ------------------------------------------------------------------
"$MLFY" export "$P" --format real --out "$T/real.json" 2>/dev/null
expect_eq "$(cat "$T/real.json")" "[[0], [1], [], [3]]" "ReaL export"
"$MLFY" export "$P" --format multilabelfy --out "$T/ml.json" 2>/dev/null
expect_eq "$(cat "$T/ml.json")" '{"cat/a.png": ["0"], "dog/b.png": ["1"], "fox/c.png": [], "owl/d.png": ["3"]}' \
	"Multilabelfy export"
"$MLFY" export "$P" --format csv --out "$T/l.csv" 2>/dev/null
expect_eq "$(sed -n 1p "$T/l.csv")" "file,original_label,labels,label_count,stage,comment,unsure,tags" "CSV header"
expect_eq "$(sed -n 3p "$T/l.csv")" "dog/b.png,1,1,1,refined,the cat is a cushion,0," "CSV row"
expect_eq "$(sed -n 4p "$T/l.csv")" 'fox/c.png,2,,0,refined,"no fox, no bee: a hedgehog",0,' "CSV quoting"
"$MLFY" export "$P" --format jsonl --out "$T/l.jsonl" 2>/dev/null
expect_eq "$(wc -l <"$T/l.jsonl")" 4 "one JSONL line per image"
dog="$(sed -n 2p "$T/l.jsonl")"
expect_in "$dog" '"expert_changes":{"added":[],"removed":[0]}' "expert removed the cat"
expect_in "$dog" '"annotator":"ann1","role":"annotator","stage":"annotate","labels":[0,1]' "stage-ii provenance"
expect_in "$(sed -n 3p "$T/l.jsonl")" '"zero_label_review":{"expert":"exp2","category":"no_valid_proposal","verdict":"disagree"' \
	"zero-label review in the provenance"
"$MLFY" export "$P" --format labelstudio --out "$T/ls.json" 2>/dev/null
expect_in "$(cat "$T/ls.json")" '"value":{"choices":["dog"]}' "Label Studio choices"
expect_in "$(cat "$T/ls.json")" '"from_name":"label","to_name":"image","type":"choices"' "Label Studio result"

# --- agreement and votes --------------------------------------------------------
out="$("$MLFY" agreement "$P")"
expect_in "$out" "exact-set agreement" "agreement report"
expect_in "$out" "(2 of 4 images with 2+ sets)" "identical sets: cat/a.png and fox/c.png"
"$MLFY" import-votes "$P" --from-annotations >/dev/null
out="$("$MLFY" aggregate "$P" --method majority)"
expect_in "$out" "stored" "aggregation stored"

# --- stats: the review counts, and the exports' distribution equals the project's
out="$("$MLFY" stats "$P")"
expect_in "$out" "refinement queue: 3 images, 3 assigned to experts, 3 refined" "stats: queue"
expect_in "$out" "zero-label images: 1, 1 reviewed (no_valid_proposal 1" "stats: zero-label category"
expect_in "$out" "original label: agree 0, disagree 1, unsure 0" "stats: zero-label verdict"
counts() { "$MLFY" stats "$1" --json | tr -d ' \n' | grep -o '"counts":[^]]*]'; }
a="$(counts "$P")"
[ -n "$a" ] || fail "mlfy stats PROJECT --json has no counts"
expect_eq "$(counts "$T/ml.json")" "$a" "stats of the Multilabelfy export equal the project's"
expect_eq "$(counts "$T/real.json")" "$a" "stats of the ReaL export equal the project's"
echo "e2e_refinement: ok"

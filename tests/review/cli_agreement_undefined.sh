#!/usr/bin/env bash
# cli_agreement_undefined.sh - `mlfy agreement` when no image has two or more
# label sets (only one annotator has saved): exact-set agreement and mean
# Jaccard are undefined and print "n/a" (JSON null) like the other
# coefficients, not 0.0000, which reads as total disagreement.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "cli_agreement_undefined: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_agreement_undefined: FAIL: $*" >&2; exit 1; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img/cat"
"$H" png "$T/img/cat/a.png" 200 10 10
"$MLFY" add-images "$P" "$T/img" --batches 1 --quiet >/dev/null
"$H" user "$P" ann1 annotator
"$H" user "$P" ann2 annotator
"$H" assign "$P" 1 ann1
"$H" assign "$P" 1 ann2
"$H" annotate "$P" cat/a.png ann1 annotate 0

out="$("$MLFY" agreement "$P")"
grep -Eq 'exact-set agreement +n/a +\(no image has 2\+ sets\)' <<<"$out" || fail "exact-set agreement: $out"
grep -Eq 'mean Jaccard +n/a' <<<"$out" || fail "mean Jaccard: $out"
json="$("$MLFY" agreement "$P" --json | tr -d ' \n')"
grep -qF '"exact_set_agreement":null' <<<"$json" || fail "JSON exact_set_agreement: $json"
grep -qF '"mean_jaccard":null' <<<"$json" || fail "JSON mean_jaccard: $json"

# with the second set both are defined again: identical sets -> 1
"$H" annotate "$P" cat/a.png ann2 annotate 0
json="$("$MLFY" agreement "$P" --json | tr -d ' \n')"
grep -qF '"exact_set_agreement":1.0' <<<"$json" || fail "JSON exact_set_agreement with two sets: $json"
grep -qF '"mean_jaccard":1.0' <<<"$json" || fail "JSON mean_jaccard with two sets: $json"
echo "cli_agreement_undefined: ok"

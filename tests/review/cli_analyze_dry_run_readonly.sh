#!/usr/bin/env bash
# cli_analyze_dry_run_readonly.sh - `mlfy analyze --dry-run` on a project the
# user may only read (it used to fail: the dry run wrote in a transaction and
# rolled it back).  The dry run's report, JSON "dry_run" aside, equals what
# the real run then reports and does, for a first analysis and for a change
# of rule (images leaving the queue and the agreed set); the file is
# unchanged.  Read-only is a file mode for an ordinary user; as root (whom
# modes do not stop) the dry run is run as nobody through setpriv.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "cli_analyze_dry_run_readonly: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
chmod 755 "$T"
P="$T/p.mlfy"

fail() { echo "cli_analyze_dry_run_readonly: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "skipped: root without setpriv" >&2; exit 77; }
	as_reader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	# nobody must reach the binary
	as_reader test -x "$MLFY" || { echo "skipped: nobody cannot run $MLFY" >&2; exit 77; }
else
	as_reader() { "$@"; }
fi

printf 'cat\ndog\nfox\nowl\nbee\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img/cat" "$T/img/dog" "$T/img/fox"
"$H" png "$T/img/cat/a.png" 200 10 10
"$H" png "$T/img/dog/b.png" 10 200 10
"$H" png "$T/img/fox/c.png" 10 10 200
"$MLFY" add-images "$P" "$T/img" --batches 1 --quiet >/dev/null
for who in ann1 ann2; do "$H" user "$P" "$who" annotator; done
"$H" assign "$P" 1 ann1
"$H" assign "$P" 1 ann2
"$H" annotate "$P" cat/a.png ann1 annotate 0
"$H" annotate "$P" cat/a.png ann2 annotate 0
"$H" annotate "$P" dog/b.png ann1 annotate 0,1
"$H" annotate "$P" dog/b.png ann2 annotate 1
"$H" annotate "$P" fox/c.png ann1 annotate 4
"$H" annotate "$P" fox/c.png ann2 annotate 4

strip() { grep -v '"dry_run"'; }
for rule in paper unanimous; do
	chmod 444 "$P"
	sum="$(cksum <"$P")"
	dry="$(as_reader "$MLFY" analyze "$P" --rule "$rule" --dry-run --json 2>"$T/err")" ||
		fail "--rule $rule --dry-run on a read-only project: $(cat "$T/err")"
	[ "$(cksum <"$P")" = "$sum" ] || fail "--rule $rule: the dry run changed the file"
	grep -q '"dry_run": true' <<<"$dry" || fail "--rule $rule: not reported as a dry run: $dry"
	chmod 644 "$P"
	real="$("$MLFY" analyze "$P" --rule "$rule" --json)"
	[ "$(strip <<<"$dry")" = "$(strip <<<"$real")" ] ||
		fail "--rule $rule: the dry run's report differs from the real run's:"$'\n'"$(diff <(strip <<<"$dry") <(strip <<<"$real"))"
done
# the second rule moved fox/c.png ({bee} {bee}, original fox) from the queue to agreed
grep -q '"unqueued": 1' <<<"$real" || fail "the rule change did not unqueue fox/c.png: $real"
echo "cli_analyze_dry_run_readonly: ok"

#!/usr/bin/env bash
# cli_export_write_error.sh - a write error on `mlfy export --out FILE`
# partway through the export (the file size limit reached: `ulimit -f` with
# SIGXFSZ ignored, so write(2) fails with EFBIG; 64 KiB lets SQLite
# create its 32 KiB shared-memory file) names FILE in the message
# (it used to say only "write: File too large"), exits non-zero and leaves
# neither FILE nor a temporary file behind.  Device nodes such as /dev/full
# are never touched.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_export_write_error: FAIL: $*" >&2; exit 1; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/img/cat"
"$H" pngs "$T/img/cat/a_rather_long_image_file_name_to_fill_the_output_" 400
"$MLFY" add-images "$P" "$T/img" --batches 1 --quiet >/dev/null
# Label Studio names images by name, not by their (long, temporary) path:
# a root in front keeps the export over the limit whatever $TMPDIR is
root=https://files.example.org/a/root/long/enough/to/fill/the/output/
full="$("$MLFY" export "$P" --format labelstudio --image-root "$root" 2>/dev/null | wc -c)"
[ "$full" -gt 81920 ] || fail "the export is only $full bytes: too small to fail partway (the JSONL export is larger)"

for fmt in jsonl labelstudio; do
	rc=0
	( trap '' XFSZ; ulimit -f 64; exec "$MLFY" export "$P" --format "$fmt" --image-root "$root" --out "$T/out.$fmt" ) 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "$fmt: export over the file size limit succeeded"
	grep -qF -- "$T/out.$fmt" "$T/err" || fail "$fmt: the message does not name the file: $(cat "$T/err")"
	grep -qi "too large" "$T/err" || fail "$fmt: the message does not give the cause: $(cat "$T/err")"
	[ ! -e "$T/out.$fmt" ] || fail "$fmt: a partial output file was left"
	if ls "$T"/out."$fmt".tmp.* >/dev/null 2>&1; then fail "$fmt: a temporary file was left"; fi
done
echo "cli_export_write_error: ok"

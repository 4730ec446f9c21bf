#!/usr/bin/env bash
# cli_export_out.sh - where `mlfy export --out` (and `mlfy aggregate --out
# FILE.csv`, the same code) writes: never over the project file itself (it
# used to be replaced by the export), through a symbolic link to its target
# (the link stays), into a FIFO or device as it is (it used to be replaced
# by a regular file, even /dev/full when run as root; not tried here for
# that reason), with the mode a plain create gives (mkstemp's 0600 used to
# leak through) or the existing file's mode.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_export_out: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
before="$(cksum <"$P")"

# --- the project itself, directly or through a link: refused, project intact
for out in "$P" "$T/link.mlfy"; do
	ln -sf "$P" "$T/link.mlfy"
	if "$MLFY" export "$P" --format real --out "$out" 2>"$T/err"; then
		fail "export --out $out (the project) succeeded"
	fi
	expect_in "$(cat "$T/err")" "is the project file itself" "refusal message"
	[ "$(cksum <"$P")" = "$before" ] || fail "the project file changed"
done
"$MLFY" stats "$P" >/dev/null || fail "the project no longer opens"

# --- SQLite's companions of the project (QA, issue 11: an export written
# over PROJECT-wal under a running server lost every acknowledged save)
for out in "$P-wal" "$P-shm" "$P-journal" "$T/./p.mlfy-wal"; do
	if "$MLFY" export "$P" --format real --out "$out" 2>"$T/err"; then
		fail "export --out $out (a companion of the project) succeeded"
	fi
	expect_in "$(cat "$T/err")" "is a companion of the project file" "companion refusal message"
	# SQLite itself may leave an empty -wal and a -shm behind: never the export
	[ ! -e "$out" ] || ! grep -q '^\[' "$out" || fail "$out was written"
done

# --- a symbolic link: its target is written, the link kept, the mode kept
echo old >"$T/target.json"
chmod 640 "$T/target.json"
ln -s target.json "$T/out.json"
"$MLFY" export "$P" --format real --out "$T/out.json" 2>/dev/null
[ -L "$T/out.json" ] || fail "the symbolic link was replaced by a file"
[ "$(cat "$T/target.json")" = "[]" ] || fail "the link's target holds '$(cat "$T/target.json")'"
[ "$(stat -c %a "$T/target.json")" = 640 ] || fail "existing mode 640 became $(stat -c %a "$T/target.json")"

# --- a new file: 0666 minus the umask, like any created file
(umask 022 && "$MLFY" export "$P" --format csv --out "$T/new.csv" 2>/dev/null)
[ "$(stat -c %a "$T/new.csv")" = 644 ] || fail "new export has mode $(stat -c %a "$T/new.csv") under umask 022"
(umask 027 && "$MLFY" export "$P" --format csv --out "$T/new2.csv" 2>/dev/null)
[ "$(stat -c %a "$T/new2.csv")" = 640 ] || fail "new export has mode $(stat -c %a "$T/new2.csv") under umask 027"

# --- a FIFO is written, not replaced
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" >"$T/from_fifo" &
reader=$!
timeout 20 "$MLFY" export "$P" --format csv --out "$T/fifo" 2>/dev/null || fail "export into a FIFO failed"
wait "$reader" || fail "the FIFO reader got nothing"
[ -p "$T/fifo" ] || fail "the FIFO was replaced by a regular file"
[ "$(head -1 "$T/from_fifo")" = "file,original_label,labels,label_count,stage,comment,unsure,tags" ] \
	|| fail "the FIFO reader got '$(head -1 "$T/from_fifo")'"

echo "cli_export_out: ok"

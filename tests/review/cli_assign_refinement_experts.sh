#!/usr/bin/env bash
# cli_assign_refinement_experts.sh - an --experts list with an empty name
# ("a,,b", "a,", ",a", ",") is a usage error (exit 2) naming the position,
# before the project is opened (empty names used to be skipped silently, so
# a typo split the queue among fewer experts than meant); a well-formed list
# still works.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "cli_assign_refinement_experts: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_assign_refinement_experts: FAIL: $*" >&2; exit 1; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
for who in a b; do "$H" user "$P" "$who" expert; done
sum="$(cksum <"$P")"

check() {   # list, expected position in the message
	local rc=0
	"$MLFY" assign-refinement "$P" --experts "$1" >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" -eq 2 ] || fail "--experts '$1': exit $rc, expected 2 (usage): $(cat "$T/err")"
	grep -qF "empty name at position $2" "$T/err" || fail "--experts '$1': message: $(cat "$T/err")"
}
check "a,,b" 2
check "a," 2
check ",a" 1
check "," 1
[ "$(cksum <"$P")" = "$sum" ] || fail "a refused command changed the project"
"$MLFY" assign-refinement "$P" --experts "a,b" >/dev/null 2>"$T/err" || fail "--experts a,b: $(cat "$T/err")"
echo "cli_assign_refinement_experts: ok"

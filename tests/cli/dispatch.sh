#!/usr/bin/env bash
# dispatch.sh - what src/cli/dispatch.c does the same way for every command
# (cli.h): --help, -h and `mlfy help CMD` print the same usage and exit 0;
# an unknown option is a usage error (2) naming the command; usage errors
# come before the project is opened (a missing project does not hide them);
# a project that cannot be opened is an error (1) naming it; the commands
# that the command table marks read-only leave the project file unchanged.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() { echo "dispatch: FAIL: $*" >&2; exit 1; }
expect_in() { grep -qF -- "$2" <<<"$1" || fail "$3: '$2' not in:"$'\n'"$1"; }
# status CMD...: the exit status, stdout in out, stderr in err
status() { local rc=0; "$MLFY" "$@" >out 2>err </dev/null || rc=$?; echo "$rc"; }

commands=$("$MLFY" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ "$(wc -l <<<"$commands")" -ge 20 ] || fail "mlfy --help lists: $commands"
for c in $commands; do
	[ "$(status "$c" --help)" = 0 ] || fail "$c --help: exit status $(status "$c" --help)"
	[ ! -s err ] || fail "$c --help wrote to stderr: $(cat err)"
	head -1 out | grep -q "^usage: mlfy $c" || fail "$c --help starts with: $(head -1 out)"
	cp out help1
	[ "$(status help "$c")" = 0 ] && cmp -s out help1 || fail "'mlfy help $c' differs from '$c --help'"
	[ "$(status "$c" -h)" = 0 ] && cmp -s out help1 || fail "'$c -h' differs from '$c --help'"
	[ "$(status "$c" --no-such-option)" = 2 ] || fail "$c --no-such-option: not a usage error"
	expect_in "$(cat err)" "mlfy $c: unknown option '--no-such-option'" "$c --no-such-option"
	[ "$(wc -l <err)" = 2 ] || fail "$c --no-such-option: not one message and the hint: $(cat err)"
	expect_in "$(cat err)" "Try 'mlfy $c --help'" "$c --no-such-option"
	[ ! -s out ] || fail "$c --no-such-option wrote to stdout"
done

# an option without its value is named as such (QA: getopt's message, then
# a second line that did not name the option)
[ "$(status export missing.mlfy --format)" = 2 ] || fail "export --format without a value"
expect_in "$(cat err)" "mlfy export: option '--format' needs a value" "--format without a value"
[ "$(status export missing.mlfy -o)" = 2 ] || fail "export -o without a value"
expect_in "$(cat err)" "mlfy export: option '-o' needs a value" "-o without a value"
[ "$(status export missing.mlfy -Q)" = 2 ] || fail "export -Q"
expect_in "$(cat err)" "mlfy export: unknown option '-Q'" "unknown short option"

# usage errors before the project is opened
[ "$(status export missing.mlfy)" = 2 ] || fail "export without --format on a missing project: $(cat err)"
expect_in "$(cat err)" "--format is required" "export usage"
[ "$(status analyze missing.mlfy --rule nonsense)" = 2 ] || fail "analyze --rule nonsense: $(cat err)"
[ "$(status user add missing.mlfy bob)" = 2 ] || fail "user add without --role: $(cat err)"
[ ! -e missing.mlfy ] || fail "a usage error created the project"

# a project that cannot be opened: exit status 1, the command and the file named
for c in check stats export finalize analyze assign; do
	args=("$c" missing.mlfy)
	[ "$c" = export ] && args+=(--format real)
	[ "$(status "${args[@]}")" = 1 ] || fail "$c missing.mlfy: exit status $(status "${args[@]}")"
	expect_in "$(cat err)" "mlfy $c: error: " "$c missing.mlfy"
	expect_in "$(cat err)" "missing.mlfy" "$c missing.mlfy"
done

# read-only commands leave the file as it was
printf 'cat\ndog\n' >classes.txt
"$MLFY" init p.mlfy --classes classes.txt >/dev/null
"$MLFY" user add p.mlfy eve --role expert --no-password >/dev/null
before=$(cksum <p.mlfy)
for args in "check p.mlfy" "stats p.mlfy" "stats --json p.mlfy" "export p.mlfy --format csv" \
	    "analyze p.mlfy --dry-run" "user list p.mlfy" "zero-review p.mlfy --list" "agreement p.mlfy"; do
	# shellcheck disable=SC2086 # the words are the arguments
	"$MLFY" $args >/dev/null 2>&1 || true
	[ "$(cksum <p.mlfy)" = "$before" ] || fail "'mlfy $args' changed the project"
done
# and the writing ones write (one transaction each, committed)
[ "$(status user disable p.mlfy eve)" = 0 ] || fail "user disable: $(cat err)"
[ "$(status user list p.mlfy)" = 0 ] && expect_in "$(cat out)" "disabled" "user list after disable"
[ "$(status user disable p.mlfy nobody)" = 1 ] || fail "user disable nobody: $(cat err)"
expect_in "$(cat err)" "mlfy user: error: " "user disable nobody"
echo "dispatch: ok"

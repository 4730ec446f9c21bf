# lib.sh - helpers for the serve and e2e tests (sourced, not a test itself):
# build a fixture project with accounts and assignments, start and stop
# `mlfy serve` on a free loopback port.
#
#   serve_setup DIR synthetic|imagenet [N_IMAGES]   -> $PROJECT
#       accounts ann1, ann2 (annotator), ann3 (annotator, unassigned),
#       expert, admin; password of NAME is NAME-password-1
#   serve_start [mlfy serve options]                -> $BASE, $SERVE_PID
#   serve_launch OUT PROJECT [options]              -> $LAUNCH_PID, $LAUNCH_BASE, $LAUNCH_PORT
#   serve_stop                                      (SIGTERM; fails unless a clean exit)

: "${MLFY:?MLFY must name the mlfy binary}"
FIXTURE="$(dirname "$MLFY")/mlfy-fixture"
SERVE_PID=

die() { echo "FAIL: $*" >&2; exit 1; }

serve_setup() {
	local dir=$1 kind=$2 n=${3:-24}
	PROJECT=$dir/p.mlfy
	if [ "$kind" = imagenet ]; then
		"$FIXTURE" imagenet "$PROJECT" "$MLFY_SHARED" --images "$n" --batch-size 6 >/dev/null || die "fixture"
	else
		"$FIXTURE" synthetic "$PROJECT" "$dir/img" --images "$n" --classes 40 --batch-size 6 \
			--exemplars 10 --image-files 12 --exemplar-classes 8 >/dev/null || die "fixture"
	fi
	# the accounts, password NAME-password-1, at argon2id's minimum cost
	# (mlfy-fixture users: the tests log in hundreds of times; `mlfy user
	# add` and its real cost are tested in tests/cli)
	"$FIXTURE" users "$PROJECT" ann1:annotator ann2:annotator ann3:annotator expert:expert admin:admin \
		|| die "mlfy-fixture users"
	"$MLFY" assign "$PROJECT" --per-image 2 --annotators ann1,ann2 >/dev/null || die "assign"
	SERVE_DIR=$dir
}

# serve_launch OUT PROJECT [mlfy serve options]: starts `mlfy serve PROJECT
# --listen 127.0.0.1:0 OPTIONS` in the background, stdout in OUT.out and
# stderr in OUT.err, and waits (15 s at most) for the address it prints ->
# $LAUNCH_PID, $LAUNCH_BASE (http://127.0.0.1:PORT), $LAUNCH_PORT; dies with
# the server's stderr when it exits first or never says.  Every test that
# starts a server starts it here.
serve_launch() {
	local out=$1 project=$2 i line
	shift 2
	# created here, not by the background job's redirection, which may come
	# after the first look below (sed on a missing file: seen in CI), and
	# emptied, or a restart would read the previous server's port
	: >"$out.out"
	"$MLFY" serve "$project" --listen 127.0.0.1:0 "$@" >"$out.out" 2>"$out.err" &
	LAUNCH_PID=$!
	LAUNCH_BASE= LAUNCH_PORT=
	for i in $(seq 1 150); do
		line=$(grep -m1 'listening on' "$out.out" 2>/dev/null || true)
		if [ -n "$line" ]; then
			LAUNCH_BASE=$(sed -n 's|.*listening on \(https\?://[^ ]*\)/ .*|\1|p' <<<"$line")
			LAUNCH_PORT=${LAUNCH_BASE##*:}
			[ -n "$LAUNCH_PORT" ] || die "mlfy serve ($out): no address in '$line'"
			return 0
		fi
		kill -0 "$LAUNCH_PID" 2>/dev/null || { cat "$out.err" >&2; die "mlfy serve ($out) did not start"; }
		sleep 0.1
	done
	cat "$out.err" >&2
	die "mlfy serve ($out) did not start in 15 s"
}

serve_start() {
	serve_launch "$SERVE_DIR/serve" "$PROJECT" --access-log "$SERVE_DIR/access.log" "$@"
	SERVE_PID=$LAUNCH_PID
	BASE=$LAUNCH_BASE
	COOKIE=$(sed -n 's|.*session cookie \([^ ,]*\),.*|\1|p' "$SERVE_DIR/serve.out")
}

serve_stop() {
	[ -n "$SERVE_PID" ] || return 0
	kill -TERM "$SERVE_PID" 2>/dev/null
	local rc=0
	wait "$SERVE_PID" || rc=$?
	SERVE_PID=
	if [ "$rc" != 0 ]; then
		cat "$SERVE_DIR/serve.err" >&2
		die "mlfy serve exited with status $rc after SIGTERM"
	fi
	grep -q 'stopped' "$SERVE_DIR/serve.err" || die "no clean shutdown message"
}

serve_cleanup() {
	if [ -n "$SERVE_PID" ]; then
		kill -TERM "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
	fi
}

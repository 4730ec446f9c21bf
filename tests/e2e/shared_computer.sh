#!/usr/bin/env bash
# shared_computer.sh - runs shared_computer.mjs (images after logout, unsent
# changes at logout, bidirectional text in comments; issue 12) against a live
# `mlfy serve`: on the imagenet-samples photos when $MLFY_SHARED has them,
# else on a synthetic project.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../serve/lib.sh"

command -v node >/dev/null || { echo "skipping: node not installed"; exit 77; }
[ -x "${MLFY_CHROMIUM:-/usr/bin/chromium}" ] || { echo "skipping: /usr/bin/chromium not installed"; exit 77; }
for m in playwright-core axe-core; do
	[ -d "$here/node_modules/$m" ] || { echo "skipping: run scripts/install-deps (npm ci in tests/e2e)"; exit 77; }
done
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
if [ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] && [ -f "$MLFY_SHARED/models/imagenet-samples.order.txt" ]; then
	serve_setup "$tmp" imagenet 12
else
	echo "note: shared imagenet-samples absent; using a synthetic project"
	serve_setup "$tmp" synthetic 12
fi
serve_start --threads 2
node "$here/shared_computer.mjs" "$BASE" "$PROJECT" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

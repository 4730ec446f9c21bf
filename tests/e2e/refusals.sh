#!/usr/bin/env bash
# refusals.sh - runs refusals.mjs (what the annotation and refinement pages
# do when the server says no for good, or cannot give them what they need:
# an image file that cannot be loaded, a label set unticked after a save, an
# image taken out of the user's tasks or closed, an account disabled
# mid-session, a class search without a match) against a live `mlfy serve`.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../serve/lib.sh"

command -v node >/dev/null || { echo "skipping: node not installed"; exit 77; }
[ -x "${MLFY_CHROMIUM:-/usr/bin/chromium}" ] || { echo "skipping: /usr/bin/chromium not installed"; exit 77; }
[ -d "$here/node_modules/playwright-core" ] || { echo "skipping: run scripts/install-deps (npm ci in tests/e2e)"; exit 77; }
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
node "$here/refusals.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

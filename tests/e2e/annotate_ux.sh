#!/usr/bin/env bash
# annotate_ux.sh - browser tests of the annotation page (stage ii) as an
# annotator uses it (annotate_ux.mjs): the layout at 1366x768 and 1024x768,
# the keys after a mouse click and after a class search, held keys, no file
# name under the image, and that unsent work survives a server that is
# killed (-9) and restarted: the autosave retries by itself, changes left on
# another image are sent after a reload, a failed image load can be retried,
# an expired session sends the annotator to the login page without a "leave
# the page?" prompt and the change is saved after logging in again.  The
# .mjs runs `mlfy serve` itself (it kills and restarts it on the same port).
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../serve/lib.sh"

command -v node >/dev/null || { echo "skipping: node not installed"; exit 77; }
[ -x "${MLFY_CHROMIUM:-/usr/bin/chromium}" ] || { echo "skipping: /usr/bin/chromium not installed"; exit 77; }
[ -d "$here/node_modules/playwright-core" ] || { echo "skipping: run scripts/install-deps (npm install in tests/e2e)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] && [ -f "$MLFY_SHARED/models/imagenet-samples.order.txt" ]; then
	serve_setup "$tmp" imagenet 12
else
	echo "note: shared imagenet-samples absent; using a synthetic project"
	serve_setup "$tmp" synthetic 12
fi
node "$here/annotate_ux.mjs" "$MLFY" "$PROJECT" "$tmp" "$here/artifacts"
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

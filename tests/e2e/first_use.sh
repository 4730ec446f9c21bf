#!/usr/bin/env bash
# first_use.sh - runs first_use.mjs (what a new user hit: a small photo shown
# at its pixel size, the zero-label review on /refine, an admin sent to an
# empty /annotate; and the page's vocabulary from the API) against a live
# `mlfy serve`.  The project (imagenet-samples photos when $MLFY_SHARED has
# them, else synthetic) gets one more photo of 168x126 px, added with
# `mlfy add-images` from a CSV manifest and assigned with `mlfy assign`.
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
command -v vips >/dev/null || { echo "skipping: vips (libvips-tools) not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
if [ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] && [ -f "$MLFY_SHARED/models/imagenet-samples.order.txt" ]; then
	serve_setup "$tmp" imagenet 12
else
	echo "note: shared imagenet-samples absent; using a synthetic project"
	serve_setup "$tmp" synthetic 12
fi
# a 168x126 photo, as the one the new user met
mkdir "$tmp/small"
vips gaussnoise "$tmp/small/small-168.jpg" 168 126 --mean 128 --sigma 40 || die "vips"
printf 'path,label\nsmall-168.jpg,1\n' > "$tmp/small/manifest.csv"
batches=$(sqlite3 "$PROJECT" 'SELECT MAX(batch) FROM images')
"$MLFY" add-images "$PROJECT" "$tmp/small/manifest.csv" --batches "$batches" --quiet >/dev/null || die "add-images"
"$MLFY" assign "$PROJECT" --per-image 2 --annotators ann1,ann2 >/dev/null || die "assign"
small=$(sqlite3 "$PROJECT" "SELECT id FROM images WHERE name = 'small-168.jpg'")
[ -n "$small" ] || die "the small photo was not added"
serve_start --threads 2
node "$here/first_use.mjs" "$BASE" "$PROJECT" "$here/artifacts" "$small" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

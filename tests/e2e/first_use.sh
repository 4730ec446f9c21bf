#!/usr/bin/env bash
# first_use.sh - runs first_use.mjs (what a new user hit: a small photo shown
# at its pixel size, the zero-label review on /refine, an admin sent to an
# empty /annotate; and the page's vocabulary from the API) against a live
# `mlfy serve`.  The project (imagenet-samples photos when $MLFY_SHARED has
# them, else synthetic) gets one more photo of 168x126 px, added with
# `mlfy add-images` from a CSV manifest and assigned with `mlfy assign`.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core
command -v vips >/dev/null || { echo "skipping: vips (libvips-tools) not installed"; exit 77; }
e2e_project
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

#!/usr/bin/env bash
# refusals.sh - runs refusals.mjs (what the annotation and refinement pages
# do when the server says no for good, or cannot give them what they need:
# an image file that cannot be loaded, a label set unticked after a save, an
# image taken out of the user's tasks or closed, an account disabled
# mid-session, a class search without a match) against a live `mlfy serve`.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require
e2e_project
serve_start --threads 2
node "$here/refusals.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

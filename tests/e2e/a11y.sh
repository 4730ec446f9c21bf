#!/usr/bin/env bash
# a11y.sh - runs a11y.mjs (axe-core on every page and state, non-text
# contrast) against a live `mlfy serve`: on the imagenet-samples photos when
# $MLFY_SHARED has them, else on a synthetic project.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core
e2e_project
serve_start --threads 2
node "$here/a11y.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
echo "1 passed, 0 failed"

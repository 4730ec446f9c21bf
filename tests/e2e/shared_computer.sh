#!/usr/bin/env bash
# shared_computer.sh - runs shared_computer.mjs (images after logout, unsent
# changes at logout, bidirectional text in comments; issue 12) against a live
# `mlfy serve`: on the imagenet-samples photos when $MLFY_SHARED has them,
# else on a synthetic project.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core
e2e_project
serve_start --threads 2
node "$here/shared_computer.mjs" "$BASE" "$PROJECT" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

#!/usr/bin/env bash
# keyboard.sh - runs keyboard.mjs (the annotation page's keyboard model: Tab,
# focus kept through re-renders, shortcut keys outside text fields, modal
# dialogs) against a live `mlfy serve`: on the imagenet-samples photos when
# $MLFY_SHARED has them, else on a synthetic project.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core
e2e_project
serve_start --threads 2
node "$here/keyboard.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

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
source "$(dirname "$0")/lib.sh"
e2e_require
e2e_project
node "$here/annotate_ux.mjs" "$MLFY" "$PROJECT" "$tmp" "$here/artifacts"
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

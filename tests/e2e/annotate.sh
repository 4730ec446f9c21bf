#!/usr/bin/env bash
# annotate.sh - runs the browser end-to-end test (annotate.mjs) against a
# live `mlfy serve`: on the imagenet-samples photos when $MLFY_SHARED has
# them, else on a synthetic project.  Screenshots go to tests/e2e/artifacts/.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require
e2e_project
serve_start --threads 2
node "$here/annotate.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
# every request was logged as one JSON object
grep -q '"path":"/api/tasks"' "$tmp/access.log" || die "access log lacks /api/tasks"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/access.log" || die "access log is not JSON lines"
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

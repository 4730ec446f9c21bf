#!/usr/bin/env bash
# unsure_tags.sh - runs unsure_tags.mjs ("unsure" with its reason in stage
# ii and the problem tags in both stages, by keyboard: saved, restored, shown
# to the expert beside each annotator's set; the refinement page pre-checks
# the reply's prefill; a blind task) against a live `mlfy serve`, then checks
# the saved "unsure" and "tags" in `mlfy export --format jsonl` once the
# server has stopped.  On the imagenet-samples photos when $MLFY_SHARED has
# them, else on a synthetic project.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core
e2e_project
serve_start --threads 2
node "$here/unsure_tags.mjs" "$BASE" "$PROJECT" "$here/artifacts" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" export "$PROJECT" --format jsonl > "$tmp/export.jsonl" 2>/dev/null || die "mlfy export --format jsonl"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
const anns = lines.flatMap((l) => l.annotations || []);
const unsure = anns.filter((a) => a.annotator === "ann1" && a.stage === "annotate" && a.unsure && a.tags.length === 2);
if (unsure.length !== 1) { console.error("FAIL: ann1 has " + unsure.length + " stage-ii annotations with unsure and 2 tags"); process.exit(1); }
const refined = anns.filter((a) => a.annotator === "expert" && a.tags.length === 1 && a.unsure === null);
if (refined.length !== 1) { console.error("FAIL: the expert has " + refined.length + " refinements with one tag"); process.exit(1); }
console.log("export: ann1 unsure=" + unsure[0].unsure + " tags=" + unsure[0].tags.join(",") + "; expert tags=" + refined[0].tags.join(","));
' "$tmp/export.jsonl" || die "export"
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

#!/usr/bin/env bash
# verify.sh - runs verify.mjs: the verification grid (/verify, ReaL's
# protocol) in Chromium: a page answered by keyboard at 10 answers per
# second and every answer found stored once with its value, "no" for all
# unanswered, a reload and a server restart mid-page, a submit that failed
# sent again by itself, a submit with missing answers refused, a 409 from a
# second browser, the label picker, axe-core; the votes then aggregated by
# `mlfy aggregate`.  On a synthetic project of 48 images and 40 classes
# (many images per label): `mlfy questions --top 20`, every question given
# to ann3 (`mlfy assign --protocol verify --per-question 1`).  The .mjs runs
# `mlfy serve` itself (it kills and restarts it on the same port).
# MLFY_SCREENSHOTS=1 also writes docs/img/verify-grid.png and
# verify-label.png.  Skips (77) without chromium, node or the npm packages
# (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
serve_setup "$tmp" synthetic 48
# the fixture writes its model's rows directly: name it the proposal model
sqlite3 "$PROJECT" "INSERT OR IGNORE INTO meta(key, value) SELECT 'proposal_model', name FROM models WHERE id = 1" ||
	die "proposal model"
"$MLFY" questions "$PROJECT" --top 20 --min-score 0 >/dev/null || die "mlfy questions"
"$MLFY" assign "$PROJECT" --protocol verify --per-question 1 --annotators ann3 >/dev/null ||
	die "mlfy assign --protocol verify"
MLFY_DOCS_IMG="$here/../../docs/img" node "$here/verify.mjs" "$MLFY" "$PROJECT" "$tmp" "$here/artifacts" ||
	{ tail -20 "$tmp/serve.err" 2>/dev/null >&2; exit 1; }
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

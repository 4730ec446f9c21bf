#!/usr/bin/env bash
# paged.sh - runs paged.mjs (the annotation page holds its task list a window
# at a time: position and progress of the whole list, steps across windows,
# #<image id> outside the window, the first open image after the last) on a
# synthetic project of 600 images, ann1 with 299 of the first 300 saved.
# Skips (77) without chromium, node or the npm packages (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require
tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
serve_setup "$tmp" synthetic 600
# ann1's list is by batch then id; the first 300 saved but the 6th
sqlite3 "$PROJECT" "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)
	SELECT id, (SELECT id FROM annotators WHERE name = 'ann1'), 'annotate', 1, '2026-01-01T00:00:00Z' FROM (
	  SELECT i.id, ROW_NUMBER() OVER (ORDER BY i.batch, i.id) - 1 AS pos FROM images i JOIN assignments a
	  ON a.batch = i.batch WHERE a.annotator_id = (SELECT id FROM annotators WHERE name = 'ann1'))
	WHERE pos < 300 AND pos <> 5" || die "saves"
serve_start --threads 2
node "$here/paged.mjs" "$BASE" "$PROJECT" || { tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

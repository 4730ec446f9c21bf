#!/usr/bin/env bash
# console.sh - runs console.mjs: Chromium drives a whole project from the
# coordinator's console (docs/admin.md) against a live `mlfy serve`, from a
# project with no account but the first admin and no assignment: people
# invited (one sets her password in a second browser), assignment,
# annotation, analysis, refinement, gold, the zero-label review, quality,
# progress, audit, exports, a report, and the live view checked against
# `mlfy evaluate --project` on the same predictions; axe-core on every
# section, on /invite and on /login?user=.  MLFY_SCREENSHOTS=1 also writes
# docs/img/console-<section>.png (1366x900).
# On the imagenet-samples photos when $MLFY_SHARED has them, else on a
# synthetic project.  Skips (77) without chromium, node or the npm packages
# (scripts/install-deps).
source "$(dirname "$0")/lib.sh"
e2e_require axe-core

tmp=$(mktemp -d)
trap 'serve_cleanup; rm -rf "$tmp"' EXIT
SERVE_DIR=$tmp
PROJECT=$tmp/p.mlfy
N=12
# the fixture (images, classes, one model's proposals; no account, no assignment)
if [ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] &&
   [ -f "$MLFY_SHARED/models/imagenet-samples.order.txt" ]; then
	"$FIXTURE" imagenet "$PROJECT" "$MLFY_SHARED" --images $N --batch-size 6 >/dev/null || die "fixture"
else
	echo "note: shared imagenet-samples absent; using a synthetic project"
	"$FIXTURE" synthetic "$PROJECT" "$tmp/img" --images $N --classes 40 --batch-size 6 \
		--exemplars 10 --image-files 12 --exemplar-classes 8 >/dev/null || die "fixture"
fi
# the fixture writes its model's rows directly; name it the proposal model,
# as mlfy import-predictions does for a project's first model (else the
# latest import below would be taken for it)
sqlite3 "$PROJECT" "INSERT INTO meta(key, value) SELECT 'proposal_model', name FROM models WHERE id = 1" ||
	die "proposal model"
# the first admin: the only account made on the shell
printf 'admin-password-1\n' | "$MLFY" user add "$PROJECT" admin --role admin --password-file - >/dev/null ||
	die "user add admin"

# three models' scores, float32 .npy with rows in image-name order (as
# tests/serve/console.sh): model m puts its largest score on the original
# label of an image with probability 0.35 + 0.2 m, else on another class;
# imported as (inactive) predictions, read again by mlfy evaluate
sqlite3 "$PROJECT" "SELECT COALESCE(original_label, -1) FROM images ORDER BY name" > "$tmp/orig.txt"
ncls=$(sqlite3 "$PROJECT" "SELECT count(*) FROM classes")
for m in 1 2 3; do
	node - "$tmp/m$m.npy" "$tmp/orig.txt" "$ncls" "$m" <<'JS' || die "write m$m.npy"
const fs = require('fs');
const [path, origFile, c, m] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const orig = fs.readFileSync(origFile, 'utf8').trim().split('\n').map(Number);
let seed = 7919 * m;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
let hdr = `{'descr': '<f4', 'fortran_order': False, 'shape': (${orig.length}, ${c}), }`;
hdr += ' '.repeat(63 - ((10 + hdr.length) % 64)) + '\n';
const pre = Buffer.alloc(10);
Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
pre.writeUInt16LE(hdr.length, 8);
const body = Buffer.alloc(4 * orig.length * c);
orig.forEach((o, i) => {
  const top = o >= 0 && rnd() < 0.35 + 0.2 * m ? o : Math.floor(rnd() * c);
  for (let j = 0; j < c; j++) body.writeFloatLE(rnd() + (j === top ? 4 : 0), 4 * (i * c + j));
});
fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(hdr, 'latin1'), body]));
JS
	"$MLFY" import-predictions "$PROJECT" --model "m$m" --quiet "$tmp/m$m.npy" >/dev/null || die "import m$m"
done

serve_start --threads 2
MLFY_DOCS_IMG="$here/../../docs/img" node "$here/console.mjs" "$BASE" "$PROJECT" "$tmp" "$here/artifacts" ||
	{ tail -20 "$tmp/serve.err" >&2; exit 1; }
serve_stop
"$MLFY" check "$PROJECT" >/dev/null || die "project integrity"
echo "1 passed, 0 failed"

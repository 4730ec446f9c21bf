#!/usr/bin/env bash
# cli_export_labelstudio_paths.sh - `mlfy export --format labelstudio` and
# the server's directory layout (issue 12, item 11b): data.image was the
# image's absolute path on the server (/home/lab/datasets/...), handed to
# whoever gets the export.  It is now the image's name (its path below the
# imported folder), after --image-root when given (a URL root gets
# percent-encoded names).
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
H="$(dirname "$MLFY")/review_e2e_helper"
[ -x "$H" ] || { echo "cli_export_labelstudio_paths: $H not built" >&2; exit 1; }
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/p.mlfy"

fail() { echo "cli_export_labelstudio_paths: FAIL: $*" >&2; exit 1; }

printf 'cat\ndog\n' >"$T/classes.txt"
"$MLFY" init "$P" --classes "$T/classes.txt" >/dev/null
mkdir -p "$T/secret-layout/cat" "$T/secret-layout/dog"
"$H" png "$T/secret-layout/cat/a b.png" 200 10 10
"$H" png "$T/secret-layout/dog/c.png" 10 200 10
"$MLFY" add-images "$P" "$T/secret-layout" --batches 1 --quiet >/dev/null

"$MLFY" export "$P" --format labelstudio --out "$T/ls.json" 2>/dev/null
grep -qF "$T" "$T/ls.json" && fail "the export names the server's directories:"$'\n'"$(cat "$T/ls.json")"
python3 - "$T/ls.json" <<'PY' || fail "data.image is not the image's name: $(cat "$T/ls.json")"
import json, sys
tasks = json.load(open(sys.argv[1]))
assert [t["data"]["image"] for t in tasks] == ["cat/a b.png", "dog/c.png"], tasks
PY

"$MLFY" export "$P" --format labelstudio --image-root https://files.example.org/val --out "$T/url.json" 2>/dev/null
python3 - "$T/url.json" <<'PY' || fail "--image-root URL: $(cat "$T/url.json")"
import json, sys
tasks = json.load(open(sys.argv[1]))
assert [t["data"]["image"] for t in tasks] == ["https://files.example.org/val/cat/a%20b.png",
                                               "https://files.example.org/val/dog/c.png"], tasks
PY
"$MLFY" export "$P" --format labelstudio --image-root /data/ls/ --out "$T/dir.json" 2>/dev/null
python3 - "$T/dir.json" <<'PY' || fail "--image-root path: $(cat "$T/dir.json")"
import json, sys
tasks = json.load(open(sys.argv[1]))
assert [t["data"]["image"] for t in tasks] == ["/data/ls/cat/a b.png", "/data/ls/dog/c.png"], tasks
PY
echo "cli_export_labelstudio_paths: ok"

# lib.sh - the shared start of the browser tests' wrappers (sourced; CMake
# skips files named lib.sh): the skip checks and the fixture project.
#
#   e2e_require [NPM_MODULE...]   exits 77 (skipped) without node, chromium,
#                                 sqlite3 or the npm modules (playwright-core
#                                 always; scripts/install-deps installs them)
#   e2e_project [N]               $tmp (removed at exit, with the server) and
#                                 $PROJECT: N (12) imagenet-samples photos
#                                 when $MLFY_SHARED has them, else synthetic
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../serve/lib.sh"

e2e_require() {
	local m
	command -v node >/dev/null || { echo "skipping: node not installed"; exit 77; }
	[ -x "${MLFY_CHROMIUM:-/usr/bin/chromium}" ] || { echo "skipping: /usr/bin/chromium not installed"; exit 77; }
	for m in playwright-core "$@"; do
		[ -d "$here/node_modules/$m" ] || { echo "skipping: run scripts/install-deps (npm ci in tests/e2e)"; exit 77; }
	done
	command -v sqlite3 >/dev/null || { echo "skipping: sqlite3 CLI not installed"; exit 77; }
}

e2e_project() {
	tmp=$(mktemp -d)
	trap 'serve_cleanup; rm -rf "$tmp"' EXIT
	if [ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] &&
	   [ -f "$MLFY_SHARED/models/imagenet-samples.order.txt" ]; then
		serve_setup "$tmp" imagenet "${1:-12}"
	else
		echo "note: shared imagenet-samples absent; using a synthetic project"
		serve_setup "$tmp" synthetic "${1:-12}"
	fi
}

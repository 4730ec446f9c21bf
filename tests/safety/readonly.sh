# readonly.sh - a read-only project file, and a project in a read-only
# folder: commands that write fail with a message naming the cause;
# read-only commands (check) still work; the file is never modified.
# As root (who may write anything) the commands run as user nobody.
# (docs/bad-input.md)
. "$(dirname "$0")/lib.sh"

as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "skipped: root without setpriv"; exit 77; }
	id nobody >/dev/null 2>&1 || { echo "skipped: no user nobody"; exit 77; }
	as_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
fi
run_as() {
	status=0
	"${as_user[@]}" "$MLFY" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
}

mkdir -p proj src/cat
new_project proj/p.mlfy
jpeg src/cat/a.jpg
"$MLFY" add-images proj/p.mlfy src --quiet >/dev/null
jpeg src/cat/b.jpg 50 40
chmod 755 "$WORK" proj
chmod -R a+rX src
msg="proj/p.mlfy: cannot open the project (attempt to write a readonly database): the project file or its folder is read-only; SQLite needs write access to both to change it (it keeps proj/p.mlfy-wal and proj/p.mlfy-shm beside the file)"
sum=$(sha256sum proj/p.mlfy)

# 1. the file is read-only, its folder writable
chmod 444 proj/p.mlfy
run_as add-images proj/p.mlfy src --quiet
expect_status 1
expect_err "mlfy add-images: error: $msg"
run_as check proj/p.mlfy
expect_status 0
grep -qxF "proj/p.mlfy: ok (schema version 7)" "$WORK/out" || fail "check: $(cat "$WORK/out" "$WORK/err")"

# 2. the folder is read-only, the file writable
chmod 666 proj/p.mlfy
chmod 555 proj
run_as add-images proj/p.mlfy src --quiet
expect_status 1
expect_err "mlfy add-images: error: $msg"
run_as check proj/p.mlfy
expect_status 0

chmod 755 proj
[ "$(sha256sum proj/p.mlfy)" = "$sum" ] || fail "the project file was modified"
[ "$(sql proj/p.mlfy "SELECT count(*) FROM images")" = 1 ] || fail "image count changed"
echo "read-only project: ok"

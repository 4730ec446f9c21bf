# project_files.sh - PROJECT arguments that are not (usable) projects: a
# project from a newer mlfy (schema version 99), an empty file, random
# bytes, another program's SQLite database.  Each is refused with a clear
# message and left byte-for-byte unchanged (no -wal/-shm appear).
# (docs/bad-input.md: a project file from a newer schema)
. "$(dirname "$0")/lib.sh"

mkdir -p src/cat
jpeg src/cat/a.jpg
new_project newer.mlfy
sqlite3 newer.mlfy "PRAGMA user_version = 99"
: >empty.mlfy
head -c 8192 /dev/urandom >random.mlfy
sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"

sum() { sha256sum "$1" | cut -d' ' -f1; }
for f in newer.mlfy empty.mlfy random.mlfy other.db; do
	before=$(sum "$f")
	for cmd in "add-images $f src --quiet" "check $f"; do
		# shellcheck disable=SC2086
		run_mlfy $cmd
		expect_status 1
		case $f in
		newer.mlfy) expect_err_part "newer.mlfy: project schema version 99 is newer than this mlfy supports (" ;;
		empty.mlfy) expect_err_part "empty.mlfy: not an mlfy project (empty file)" ;;
		random.mlfy) expect_err_part "random.mlfy: not an mlfy project (file is not a database)" ;;
		other.db) expect_err_part "other.db: not an mlfy project (no schema)" ;;
		esac
	done
	[ "$(sum "$f")" = "$before" ] || fail "$f was modified"
	if [ "$f" != newer.mlfy ] && { [ -e "$f-wal" ] || [ -e "$f-shm" ]; }; then
		fail "$f: mlfy created $f-wal / $f-shm beside a file that is not a project"
	fi
done
[ "$(sql newer.mlfy "PRAGMA user_version")" = 99 ] || fail "newer.mlfy: user_version changed"
# stats takes a project or a label file: a .mlfy that is not a project is
# said to be one (QA, issue 11: it was parsed as a label file, "'hello' is
# not a class index")
printf 'hello\n' >notdb.mlfy
run_mlfy stats notdb.mlfy
expect_status 1
expect_err "mlfy stats: error: notdb.mlfy: not an mlfy project (not an SQLite database); a label file named .mlfy needs --format"
echo "project files: ok"

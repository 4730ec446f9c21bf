# empty_files.sh - empty inputs: an empty class file (JSON or text), an
# empty CSV manifest, an empty ground-truth file, an empty image.  Each is
# a one-line error naming the file; nothing is created or imported.
# (docs/bad-input.md)
. "$(dirname "$0")/lib.sh"

: >empty.txt
: >empty.json
printf '\n\n' >blank.txt
for f in empty.txt empty.json blank.txt; do
	run_mlfy init q.mlfy --classes "$f"
	expect_status 1
	expect_err "mlfy init: error: $f: no classes (the file is empty)"
	[ ! -e q.mlfy ] || fail "init left q.mlfy behind after '$f'"
done

new_project p.mlfy
mkdir -p flat
jpeg flat/a.jpg
: >m.csv
run_mlfy add-images p.mlfy m.csv --quiet
expect_status 1
expect_err "mlfy add-images: error: m.csv: empty manifest (expected a header 'path,label')"
run_mlfy add-images p.mlfy flat --labels empty.txt --quiet
expect_status 1
expect_err "a.jpg: no label: empty.txt has 0 lines for 1 images (sorted by name)"
: >flat/b.jpg
run_mlfy add-images p.mlfy flat --quiet
expect_status 1
expect_err "b.jpg: empty file"
expect_no_images p.mlfy

# a folder where a file is expected (QA, issue 11: "empty file", "read error")
mkdir -p adir
run_mlfy import-predictions p.mlfy --model q adir
expect_status 1
expect_err "mlfy import-predictions: error: adir: is a directory"
run_mlfy init q.mlfy --classes adir
expect_status 1
expect_err "mlfy init: error: adir: is a directory"
[ ! -e q.mlfy ] || fail "init left q.mlfy behind after a folder as the class file"
echo "empty files: ok"

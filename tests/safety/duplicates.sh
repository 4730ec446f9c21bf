# duplicates.sh - the same image twice: same content under two names, the
# same name twice in a manifest, a changed file under a name the project
# already has.  Each is listed and nothing is imported; --allow-duplicates
# accepts equal content under different names.  (docs/bad-input.md)
. "$(dirname "$0")/lib.sh"

new_project p.mlfy
mkdir -p src/cat src/dog
jpeg src/cat/a.jpg
cp src/cat/a.jpg src/dog/copy.jpg
run_mlfy add-images p.mlfy src --quiet
expect_status 1
expect_err "dog/copy.jpg: duplicate: same content as cat/a.jpg"
expect_no_images p.mlfy

# within a manifest: the same path twice
printf 'path,label\ncat/a.jpg,cat\ncat/a.jpg,dog\n' >src/m.csv
run_mlfy add-images p.mlfy src/m.csv --quiet
expect_status 1
expect_err "src/m.csv:3: cat/a.jpg: duplicate image name (also src/m.csv:2)"
expect_no_images p.mlfy
rm src/m.csv

# accepted on request; re-running is then a no-op
run_mlfy add-images p.mlfy src --quiet --allow-duplicates
expect_status 0
run_mlfy add-images p.mlfy src --quiet --allow-duplicates
expect_status 0
grep -qF "p.mlfy: 0 images added, 2 already present" "$WORK/out" || fail "re-run not idempotent: $(cat "$WORK/out")"

# a different file under a name the project has: refused, project unchanged
before=$(sql p.mlfy "SELECT group_concat(name || ':' || sha256, ',') FROM images ORDER BY name")
jpeg src/cat/a.jpg 70 50
run_mlfy add-images p.mlfy src --quiet --allow-duplicates
expect_status 1
expect_err "cat/a.jpg: a different file named 'cat/a.jpg' is already in the project ($WORK/src/cat/a.jpg)"
after=$(sql p.mlfy "SELECT group_concat(name || ':' || sha256, ',') FROM images ORDER BY name")
[ "$before" = "$after" ] || fail "the refused import changed the project"
echo "duplicates: ok"

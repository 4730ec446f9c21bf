# file_names.sh - file names that are not UTF-8, very long names, paths
# longer than the system allows: refused with the name shown safely
# (\xNN escapes), never skipped silently.  (docs/bad-input.md)
. "$(dirname "$0")/lib.sh"

new_project p.mlfy
mkdir -p src/cat
jpeg src/cat/ok.jpg
jpeg "src/cat/$(printf 'caf\xe9-latin1.jpg')" 40 30
run_mlfy add-images p.mlfy src --quiet
expect_status 1
expect_err 'cat/caf\xe9-latin1.jpg: file name is not valid UTF-8 or has control characters'
expect_err "mlfy add-images: error: src: 1 problem; nothing imported"
expect_no_images p.mlfy
# the same in a CSV manifest
printf 'path,label\ncat/ok.jpg,cat\n%s,cat\n' "$(printf 'cat/caf\xe9-latin1.jpg')" >src/manifest.csv
run_mlfy add-images p.mlfy src/manifest.csv --quiet
expect_status 1
expect_err_part "src/manifest.csv:3: cat/caf\\xe9-latin1.jpg: path is not valid UTF-8 or has control characters"
expect_no_images p.mlfy
rm src/manifest.csv "src/cat/$(printf 'caf\xe9-latin1.jpg')"

# a 255-byte name (the usual file-system limit) and UTF-8 names are fine
long=$(python3 -c 'print("l" * 251)')
jpeg "src/cat/$long.jpg" 41 30
jpeg "src/cat/ünïcødé 猫.jpg" 42 30
run_mlfy add-images p.mlfy src --quiet
expect_status 0
[ "$(sql p.mlfy "SELECT count(*) FROM images")" = 3 ] || fail "expected 3 images"
[ "$(sql p.mlfy "SELECT count(*) FROM images WHERE name = 'cat/ünïcødé 猫.jpg'")" = 1 ] || fail "UTF-8 name not stored as is"

# a folder nested beyond PATH_MAX (4096 bytes): an error naming the reason,
# never a silently skipped subtree
python3 - <<'PY'
import os
os.chdir("src/cat")
for i in range(22):
    d = "d%02d" % i + "y" * 200
    os.mkdir(d)
    os.chdir(d)
open("deep.jpg", "wb").write(open(os.environ["WORK"] + "/src/cat/ok.jpg", "rb").read())
PY
run_mlfy add-images p.mlfy src --quiet
expect_status 1
expect_err_part "yyyy: File name too long"
[ "$(sql p.mlfy "SELECT count(*) FROM images")" = 3 ] || fail "the failed import changed the project"
echo "file names: ok"

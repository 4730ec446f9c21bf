# bad_images.sh - add-images with truncated and corrupt JPEGs, a PNG with
# absurd dimensions, an empty file and a file that is not an image: every
# file is named with its reason, nothing is imported, exit status 1; with
# the bad files gone the same command imports the rest.
# (docs/bad-input.md: truncated/corrupt JPEG, absurd PNG, empty files)
. "$(dirname "$0")/lib.sh"

new_project p.mlfy
mkdir -p src/cat src/dog
jpeg src/cat/good.jpg 256 256
jpeg full.jpg 256 256
size=$(stat -c %s full.jpg)
head -c $((size * 6 / 10)) full.jpg >src/cat/cut.jpg      # scan data cut short
head -c 100 full.jpg >src/cat/header.jpg                  # cut inside the header
printf 'this is not a jpeg\n' >src/dog/text.jpg
: >src/dog/empty.jpg
png src/dog/huge.png 100000 100000 4                      # 10^10 pixels claimed
png src/dog/fine.png 300 200

run_mlfy add-images p.mlfy src --quiet
expect_status 1
expect_err_part "cat/cut.jpg: truncated or corrupt jpeg: "
expect_err_part "cat/header.jpg: truncated or corrupt jpeg (header): "
expect_err "dog/text.jpg: not an image (unrecognised content)"
expect_err "dog/empty.jpg: empty file"
expect_err "dog/huge.png: absurd size 100000 x 100000 pixels (more than 178956970: a decompression bomb or a corrupt header)"
expect_err "mlfy add-images: error: src: 5 problems; nothing imported"
expect_no_images p.mlfy

# a 13,000 x 13,000 header (169 Mpx) is still accepted: the limit is Pillow's
png src/dog/big.png 13000 13000
rm src/cat/cut.jpg src/cat/header.jpg src/dog/text.jpg src/dog/empty.jpg src/dog/huge.png
run_mlfy add-images p.mlfy src --quiet
expect_status 0
[ "$(sql p.mlfy "SELECT count(*) FROM images")" = 3 ] || fail "expected 3 images after the fix"
[ "$(sql p.mlfy "SELECT width || 'x' || height FROM images WHERE name = 'dog/big.png'")" = 13000x13000 ] ||
	fail "dog/big.png: wrong size recorded"
echo "bad images: ok"

# disk_full.sh - the disk fills up during add-images: the command fails with
# "the disk is full", the project keeps its previous content (one
# transaction, integrity_check ok), and once there is room the same command
# succeeds.  The project sits on a small tmpfs (needs root and mount), or
# else the file size is capped with RLIMIT_FSIZE (ulimit -f; SIGXFSZ
# ignored so writes fail with EFBIG as on a full disk; MLFY_TEST_NO_MOUNT=1
# forces this).  (docs/bad-input.md)
. "$(dirname "$0")/lib.sh"

mkdir -p src/cat
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
for i in range(3000):   # 3,000 distinct 4 x 4 PNGs with long names: ~1 MB of rows
    raw = b"".join(b"\0" + bytes([(i >> 8) & 255, i & 255, y, 0]) for y in range(4))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("src/cat/image-%05d-%s.png" % (i, "n" * 80), "wb").write(png)
PY

mode=ulimit
mkdir -p disk
if [ -z "${MLFY_TEST_NO_MOUNT:-}" ] && [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=640k mlfy-test "$WORK/disk" 2>/dev/null; then
	mode=tmpfs
fi
new_project disk/p.mlfy
before=$(sql disk/p.mlfy "SELECT count(*) FROM classes")
if [ $mode = tmpfs ]; then
	run_mlfy add-images disk/p.mlfy src --quiet
else
	# 640 KiB: room for the empty project, not for 3,000 more rows
	status=0
	( trap '' XFSZ; ulimit -f 640; exec "$MLFY" add-images disk/p.mlfy src --quiet ) \
		>"$WORK/out" 2>"$WORK/err" || status=$?
fi
echo "disk full via $mode"
expect_status 1
if [ $mode = tmpfs ]; then
	expect_err_part "disk/p.mlfy: the disk is full ("
else
	expect_err_part "disk/p.mlfy: cannot write to the disk (sql: disk I/O error): it may be full, failing, or over a file-size limit"
fi
expect_err_part "; the change was not saved"
expect_no_images disk/p.mlfy
[ "$(sql disk/p.mlfy "SELECT count(*) FROM classes")" = "$before" ] || fail "classes changed"

# room again: the same command now imports everything
[ $mode = tmpfs ] && mount -o remount,size=16m "$WORK/disk"
run_mlfy add-images disk/p.mlfy src --quiet
expect_status 0
[ "$(sql disk/p.mlfy "SELECT count(*) FROM images")" = 3000 ] || fail "expected 3000 images after freeing space"
echo "disk full: ok"

/* codec_decode.c - decoding an image file to 8-bit sRGB pixels for a
 * proposal model (util/codec.h, decode_rgb): orientation, colour space,
 * alpha, JPEG shrink-on-load, and the completeness checks for JPEG and PNG
 * that libvips 8.14 leaves out; the libvips half of propose/preprocess.c. */
#include "codec/codec_vips.h"
#include "ingest/probe.h"   /* MLFY_IMAGE_MAX_PIXELS */
#include "propose/preprocess.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

/* Checks that the JPEG file at path is complete: after the last start-of-scan
 * segment the entropy-coded data must end with an end-of-image marker.
 * libvips 8.14 does not always report a file cut short in its last rows
 * (nor one decoded at 1/8 scale), so we look for the EOI ourselves, walking
 * the marker segments of ITU-T T.81 annex B (segments carry a 2-byte length;
 * in scan data 0xFF is followed by 0x00 stuffing or RSTn, anything else is
 * a marker).  Bytes after the EOI are allowed (some cameras append data).
 * Returns 0, or MLFY_EINVAL / MLFY_EIO with err set. */
static int jpeg_check_complete(const char *path, struct mlfy_err *err)
{
	FILE *f = fopen(path, "rb");
	int state = 0; /* 0: markers, 1: scan data */
	long seg_left = 0;
	int c, prev_ff = 0, seen_soi = 0;

	if (!f)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	/* stdio reads the file in 64 KiB blocks; this thread alone uses f */
	setvbuf(f, NULL, _IOFBF, 65536);
	while ((c = getc_unlocked(f)) != EOF) {
		if (seg_left > 0) {
			seg_left--;
			continue;
		}
		if (!prev_ff) {
			/* scan data, or extraneous bytes between segments (which
			 * libjpeg and Pillow tolerate) */
			if (c == 0xFF)
				prev_ff = 1;
			continue;
		}
		/* c follows 0xFF */
		if (c == 0xFF)
			continue; /* fill bytes */
		prev_ff = 0;
		if (state == 1 && (c == 0x00 || (c >= 0xD0 && c <= 0xD7)))
			continue; /* stuffed byte or restart marker inside scan data */
		if (c == 0xD8) {
			seen_soi = 1;
			continue;
		}
		if (c == 0xD9 && seen_soi) {
			fclose(f);
			return 0; /* end of image (trailing bytes after it are allowed) */
		}
		if (c == 0x01 || (c >= 0xD0 && c <= 0xD7))
			continue; /* standalone markers */
		/* a segment with a length: its two length bytes, big-endian */
		{
			int hi = getc_unlocked(f);
			int lo = hi == EOF ? EOF : getc_unlocked(f);
			if (lo == EOF)
				break;
			seg_left = ((long)hi << 8 | lo) - 2;
			if (seg_left < 0)
				goto bad;
			state = c == 0xDA ? 1 : 0; /* SOS: scan data follow its header */
		}
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(e));
	}
	fclose(f);
	return mlfy_err_set(err, MLFY_EINVAL, "%s: truncated JPEG (no end-of-image marker)", path);
bad:
	fclose(f);
	return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt JPEG (bad segment length)", path);
}

/* Checks that the PNG file at path is complete: walking its chunks (PNG
 * specification, ISO/IEC 15948, section 5.3: 4-byte length, 4-byte type,
 * data, 4-byte CRC) reaches the IEND chunk.  libvips 8.14 decodes some
 * truncated PNGs without an error.  Returns 0, or MLFY_EINVAL / MLFY_EIO. */
static int png_check_complete(const char *path, struct mlfy_err *err)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char h[8];
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	if (fread(h, 1, 8, f) != 8 || memcmp(h, sig, 8)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not a PNG file", path);
		goto out;
	}
	for (;;) {
		uint32_t len;
		if (fread(h, 1, 8, f) != 8) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: truncated PNG (no IEND chunk)", path);
			goto out;
		}
		if (!memcmp(h + 4, "IEND", 4)) {
			rc = 0;
			goto out;
		}
		len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
		if (len > 0x7fffffffu || fseeko(f, (off_t)len + 4, SEEK_CUR) != 0) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt PNG chunk", path);
			goto out;
		}
	}
out:
	fclose(f);
	return rc;
}

/* Runs a libvips operation reading im and writing t_, then replaces im by
 * t_ (unreferencing the old image); jumps to vips_failed on failure. */
#define STEP(call) \
	do { \
		VipsImage *t_ = NULL; \
		if (call) \
			goto vips_failed; \
		g_object_unref(im); \
		im = t_; \
	} while (0)

int codec_vips_decode_rgb(const struct mlfy_prep *p, const char *path, uint8_t **rgb,
			  struct mlfy_prep_info *info, struct mlfy_err *err)
{
	struct mlfy_prep_info inf;
	struct mlfy_resample_window win;
	VipsImage *im = NULL;
	const char *loader;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc, shrink = 1;

	*rgb = NULL;
	memset(&inf, 0, sizeof(inf));

	loader = vips_foreign_find_load(path);
	if (!loader)
		return codec_vips_fail(err, MLFY_EINVAL, path, "not an image libvips can read");
	im = vips_image_new_from_file(path, "fail_on",
				      VIPS_FAIL_ON_ERROR, NULL);
	if (!im)
		return codec_vips_fail(err, MLFY_EINVAL, path, "cannot read image");
	inf.orientation = vips_image_get_orientation(im);
	inf.width = im->Xsize;
	inf.height = im->Ysize;
	if (vips_image_get_orientation_swap(im)) {
		inf.width = im->Ysize;
		inf.height = im->Xsize;
	}
	inf.bands = im->Bands;
	inf.bits = (int)vips_format_sizeof(im->BandFmt) * 8;
	if ((int64_t)im->Xsize * im->Ysize > MLFY_IMAGE_MAX_PIXELS) {
		/* a decompression bomb (a few hundred bytes claiming gigapixels,
		 * found by fuzz_propose): refused as add-images refuses it */
		int w = im->Xsize, h = im->Ysize;
		g_object_unref(im);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: absurd size %d x %d pixels (more than %lld)", path, w, h,
				    (long long)MLFY_IMAGE_MAX_PIXELS);
	}

	/* shrink-on-load: only JPEG, keeping >= 2x the resized size.  At most
	 * 1/4: libvips 8.14 misses truncated files decoded at 1/8. */
	if (p->shrink_on_load && strstr(loader, "Jpeg")) {
		double f;
		mlfy_prep_geometry(p, inf.width, inf.height, &win);
		f = fmin((double)inf.width / win.out_w, (double)inf.height / win.out_h);
		for (shrink = 4; shrink > 1 && f < 2.0 * shrink; shrink /= 2)
			;
		if (shrink > 1) {
			g_object_unref(im);
			im = vips_image_new_from_file(path, "fail_on",
						      VIPS_FAIL_ON_ERROR, "shrink", shrink, NULL);
			if (!im)
				return codec_vips_fail(err, MLFY_EINVAL, path, "cannot read image");
		}
	}
	inf.shrink = shrink;
	if ((strstr(loader, "Jpeg") && (rc = jpeg_check_complete(path, err))) ||
	    (strstr(loader, "Png") && (rc = png_check_complete(path, err)))) {
		g_object_unref(im);
		return rc;
	}

	STEP(vips_autorot(im, &t_, NULL));
	if (im->Type != VIPS_INTERPRETATION_sRGB || im->BandFmt != VIPS_FORMAT_UCHAR) {
		VipsInterpretation src = vips_image_guess_interpretation(im);
		STEP(vips_colourspace(im, &t_, VIPS_INTERPRETATION_sRGB, "source_space", src, NULL));
	}
	if (im->Bands == 4 || (im->Bands > 4 && vips_image_hasalpha(im))) {
		inf.had_alpha = 1;
		if (p->alpha == MLFY_ALPHA_DROP) {
			STEP(vips_extract_band(im, &t_, 0, "n", 3, NULL));
		} else {
			double bg = p->alpha == MLFY_ALPHA_WHITE ? 255.0 : 0.0;
			VipsArrayDouble *a = vips_array_double_newv(3, bg, bg, bg);
			VipsImage *t = NULL;
			int r = vips_flatten(im, &t, "background", a, NULL);
			vips_area_unref(VIPS_AREA(a));
			if (r)
				goto vips_failed;
			g_object_unref(im);
			im = t;
		}
	}
	if (im->Bands > 3)
		STEP(vips_extract_band(im, &t_, 0, "n", 3, NULL));
	if (im->Bands != 3) {
		int bands = im->Bands;
		g_object_unref(im);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %d bands after conversion to RGB",
				    path, bands);
	}
	if (im->BandFmt != VIPS_FORMAT_UCHAR)
		STEP(vips_cast_uchar(im, &t_, NULL));

	buf = vips_image_write_to_memory(im, &len);
	if (!buf)
		goto vips_failed;
	inf.decoded_w = im->Xsize;
	inf.decoded_h = im->Ysize;
	g_object_unref(im);
	im = NULL;
	if (len != (size_t)inf.decoded_w * (size_t)inf.decoded_h * 3) {
		g_free(buf);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: unexpected decoded size", path);
	}
	if (shrink == 1) {
		/* use the decoded size: it is the oriented size */
		inf.width = inf.decoded_w;
		inf.height = inf.decoded_h;
	}
	*rgb = buf;
	*info = inf;
	return 0;

vips_failed:
	if (im)
		g_object_unref(im);
	return codec_vips_fail(err, MLFY_EINVAL, path, "cannot decode image");
}

/* codec_probe.c - an image file's header (format, size) without decoding
 * its pixels, and the full decode that tells a truncated JPEG or PNG from
 * one with trailing bytes; the libvips half of ingest/probe.c. */
#include "codec/codec_vips.h"

#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

static const struct { const char *loader; const char *format; } loaders[] = {
	{ "VipsForeignLoadJpeg", "jpeg" }, { "VipsForeignLoadPng", "png" },
	{ "VipsForeignLoadWebp", "webp" }, { "VipsForeignLoadTiff", "tiff" },
	{ "VipsForeignLoadNsgif", "gif" }, { "VipsForeignLoadGif", "gif" },
	{ "VipsForeignLoadHeif", "heif" }, { "VipsForeignLoadJxl", "jxl" },
};

int codec_vips_header(const char *path, char format[8], int *width, int *height, struct mlfy_err *err)
{
	const char *loader, *fmt = NULL;
	char reason[256];
	VipsImage *im;
	size_t i;

	format[0] = '\0';
	*width = *height = 0;
	vips_error_clear();
	if (!(loader = vips_foreign_find_load(path))) {
		vips_error_clear();
		return mlfy_err_set(err, MLFY_EINVAL, "not an image (unrecognised content)");
	}
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (!strncmp(loader, loaders[i].loader, strlen(loaders[i].loader)))
			fmt = loaders[i].format;
	if (!fmt)
		return mlfy_err_set(err, MLFY_EINVAL, "unsupported image format (%s)", loader);
	snprintf(format, 8, "%s", fmt);
	if (!(im = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL))) {
		codec_vips_reason(reason, sizeof(reason));
		return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt %s (header): %s", fmt, reason);
	}
	*width = vips_image_get_width(im);
	*height = vips_image_get_height(im);
	g_object_unref(im);
	return 0;
}

/* The decode runs on one thread: with several, libvips 8.14 sometimes loses
 * the truncation error of a small file (measured: 22 of 40 runs on a 64x48
 * JPEG missing its last 40 bytes passed). */
int codec_vips_verify(const char *path, int jpeg, char *reason, size_t n)
{
	VipsImage *im = NULL;
	double avg;
	int rc, threads = vips_concurrency_get();

	vips_concurrency_set(1);
	vips_error_clear();
	if (jpeg)
		rc = vips_jpegload(path, &im, "shrink", 8, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
				   VIPS_ACCESS_SEQUENTIAL, NULL);
	else
		rc = vips_pngload(path, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
				  VIPS_ACCESS_SEQUENTIAL, NULL);
	if (rc == 0)
		rc = vips_avg(im, &avg, NULL);
	if (im)
		g_object_unref(im);
	vips_concurrency_set(threads);
	if (rc) {
		codec_vips_reason(reason, n);
		return -1;
	}
	return 0;
}

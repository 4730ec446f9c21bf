/* codec_vips.h - what the files of the image codec module (codec-vips.so,
 * util/codec.h) share: the functions of its table and libvips' error text.
 * Only src/codec includes it. */
#ifndef MLFY_CODEC_CODEC_VIPS_H
#define MLFY_CODEC_CODEC_VIPS_H

#include "util/codec.h"

/* The first line of libvips' error buffer, lowercased, without its
 * "vipsjpeg: " style domain prefix and final full stop, in buf[0..n)
 * ("unreadable image data" when empty); the buffer is then cleared. */
void codec_vips_reason(char *buf, size_t n);

/* libvips' whole error buffer, its lines joined by "; ", as
 * "path: what: reason" in err with code; the buffer is then cleared.
 * Returns code. */
int codec_vips_fail(struct mlfy_err *err, int code, const char *path, const char *what);

/* The table's functions (util/codec.h documents them). */
int codec_vips_header(const char *path, char format[8], int *width, int *height, struct mlfy_err *err);
int codec_vips_verify(const char *path, int jpeg, char *reason, size_t n);
int codec_vips_decode_rgb(const struct mlfy_prep *p, const char *path, uint8_t **rgb,
			  struct mlfy_prep_info *info, struct mlfy_err *err);
int codec_vips_thumbnail_jpeg(const void *data, size_t len, int box, void **jpeg, size_t *jpeg_len,
			      char *why, size_t why_n);

#endif

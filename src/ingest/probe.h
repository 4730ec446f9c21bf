/* probe.h - looking at one image file (probe.c): its content hash, size
 * and header, and whether a file name is an image's.
 *
 * Image files are recognised by extension (case-insensitive): .jpg .jpeg
 * .jpe .png .webp .tif .tiff .gif .heic .heif .avif .jxl.  Their content
 * decides how they are read, not their extension.
 */
#ifndef MLFY_INGEST_PROBE_H
#define MLFY_INGEST_PROBE_H

#include <stdint.h>
#include "util/error.h"

struct mlfy_image_info {
	char sha256[65];     /* hex SHA-256 of the file's bytes (libsodium) */
	int64_t bytes;       /* file size */
	int width, height;   /* pixels, from the header (libvips, no full decode) */
	char format[8];      /* "jpeg", "png", "webp", "tiff", "gif", "heif", "jxl" */
};

/* Largest image accepted, in pixels (width x height): Pillow's
 * decompression-bomb error threshold, 2 * MAX_IMAGE_PIXELS = 2 * 2^30 / 4 / 3
 * (PIL/Image.py).  Larger headers are refused by mlfy_image_probe: decoding
 * them later (proposals, thumbnails) would take gigabytes or hours. */
#define MLFY_IMAGE_MAX_PIXELS ((int64_t)178956970)

/* Reads the file at path once: hashes its bytes and reads the image header
 * with libvips (sequential access, no pixel decode).  A JPEG that does not
 * end with its end-of-image marker, or a PNG without its IEND chunk, is
 * decoded once at 1/8 scale (JPEG) or fully (PNG) to tell a truncated file
 * from one with trailing bytes.  On failure returns MLFY_EINVAL (not an
 * image, empty, corrupt, truncated, unsupported format, more than
 * MLFY_IMAGE_MAX_PIXELS pixels) or MLFY_EIO
 * (unreadable), with a short lowercase reason in err (without the path). */
int mlfy_image_probe(const char *path, struct mlfy_image_info *info, struct mlfy_err *err);

/* 1 when the file name has one of the image extensions above. */
int mlfy_is_image_name(const char *name);

#endif

/* codec.h - the image codec (libvips), a module loaded on first use.
 *
 * Every image decode in mlfy goes through libvips, and libvips brings about
 * a hundred shared libraries (GLib, libjpeg, libpng, libtiff, libheif,
 * OpenEXR, HDF5, ICU ...).  Loading them takes ~45 ms of a command's 60 ms
 * start (docs/analysis.md, "CI time"), and most commands never read a pixel
 * (status, export, analyze, user, report ...).  So the code that calls
 * libvips (src/codec/) is built as a module of its own, codec-vips.so, that
 * libmultilabelfy opens with dlopen the first time a command or the server
 * needs an image (add-images, add-exemplars, propose, serve).  The rest of
 * the library calls it through the table below.
 *
 * Where the module is looked for (util/module.h): $MLFY_CODEC_MODULE when
 * set (a path; tests use it), otherwise multilabelfy/codec-vips.so in the
 * directory of the libmultilabelfy.so.N that is running (build/ in a build
 * tree, $libdir after `cmake --install`).
 */
#ifndef MLFY_UTIL_CODEC_H
#define MLFY_UTIL_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "util/module.h"

struct mlfy_prep;
struct mlfy_prep_info;

/* Bumped whenever struct mlfy_codec or the meaning of one of its
 * functions changes; the loader refuses a module with another value. */
#define MLFY_CODEC_ABI 1

/* The module's functions.  All are thread-safe unless said otherwise;
 * errors follow util/error.h (0 or a negative MLFY_E* code). */
struct mlfy_codec {
	struct mlfy_module_head head;   /* MLFY_CODEC_ABI, "mlfy <release>" */
	const char *libvips;  /* libvips' version, e.g. "8.14.1" */

	/* Reads the image header of the file at path without decoding its
	 * pixels.  format: "jpeg", "png", "webp", "tiff", "gif", "heif" or
	 * "jxl" (at most 7 characters + NUL); *width, *height in pixels.
	 * MLFY_EINVAL with a short lowercase reason (no path) when the content
	 * is not an image, a format outside that list, or a damaged header. */
	int (*header)(const char *path, char format[8], int *width, int *height,
		      struct mlfy_err *err);

	/* Decodes every pixel of the JPEG (jpeg = 1; at 1/8 scale) or PNG
	 * (jpeg = 0) at path with fail_on=truncated, on one libvips thread.
	 * Returns 0, or -1 with the first line of libvips' reason, lowercased,
	 * in reason[0..n).  Not thread-safe: it sets libvips' global
	 * concurrency for the call (ingest is single-threaded). */
	int (*verify)(const char *path, int jpeg, char *reason, size_t n);

	/* Decodes the image at path for a proposal model (propose/preprocess.h,
	 * steps 1-3): EXIF orientation applied, sRGB, alpha flattened or
	 * dropped as p says, 8 bits, shrink-on-load for JPEG when
	 * p->shrink_on_load.  On success *rgb holds info->decoded_w x
	 * info->decoded_h x 3 bytes (row-major, RGB), owned by the caller and
	 * released with free_buffer; info is filled.  Errors: MLFY_EIO /
	 * MLFY_EINVAL with the path and libvips' reason in err. */
	int (*decode_rgb)(const struct mlfy_prep *p, const char *path, uint8_t **rgb,
			  struct mlfy_prep_info *info, struct mlfy_err *err);

	/* Makes a JPEG (quality 82, metadata stripped) of the encoded image
	 * data[0..len) that fits in box x box pixels, never enlarging it
	 * (vips_thumbnail_buffer: shrink-on-load).  data stays the caller's;
	 * on success *jpeg (released with free_buffer) holds *jpeg_len bytes.
	 * Returns 0, or -1 with libvips' reason in why[0..why_n). */
	int (*thumbnail_jpeg)(const void *data, size_t len, int box, void **jpeg,
			      size_t *jpeg_len, char *why, size_t why_n);

	/* Releases a buffer returned by decode_rgb or thumbnail_jpeg; NULL is
	 * allowed. */
	void (*free_buffer)(void *p);

	/* Sets how many threads libvips may use inside one operation
	 * (vips_concurrency_set); the pipeline and the server use 1 and bring
	 * their own threads. */
	void (*set_concurrency)(int threads);

	/* Releases libvips' per-thread data; called by a thread that used the
	 * codec before it exits or goes back to a pool (vips_thread_shutdown). */
	void (*thread_done)(void);
};

/* The codec, loaded and started once per process (thread-safe; later calls
 * return the first result).  libvips is started with no operation cache and
 * its untrusted loaders blocked.  Returns NULL with MLFY_EUNSUPPORTED in err
 * when the module cannot be found, loaded or started, or belongs to another
 * build; the message names the path tried and dlopen's reason.  The module
 * stays loaded until the process exits. */
const struct mlfy_codec *mlfy_codec(struct mlfy_err *err);

/* The module's entry point (codec-vips.so exports it; util/module.h's
 * mlfy_module_entry_fn): the table, or NULL with err set when libvips
 * cannot start. */
#define MLFY_CODEC_ENTRY "mlfy_codec_vips"

#endif

/* resample.h - image resampling that reproduces Pillow's Image.resize()
 * (the antialiased convolution of Pillow's libImaging/Resample.c) on 8-bit
 * interleaved pixels, restricted to an output window so that
 * "resize, then centre-crop" costs only the cropped pixels.
 *
 * Why our own: models are evaluated (timm, torchvision) with Pillow's
 * resize; libvips' reduce agrees with it inside the image but extends the
 * border instead of renormalising the kernel, and upsamples differently, so
 * proposals would drift from published accuracies.  This code follows
 * Pillow 9/10 exactly: the filter is stretched by the scale factor when
 * shrinking (support * scale), pixel centres are at i + 0.5, kernels are
 * normalised over the taps inside the image, coefficients are rounded to
 * 22-bit fixed point, and the horizontal pass (rounded to 8 bits) runs before
 * the vertical pass.  Given the same decoded pixels the result is
 * bit-identical to Pillow's.
 *
 * Source: Pillow, src/libImaging/Resample.c (precompute_coeffs,
 * normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc/Vertical_8bpc) and
 * the NEAREST path of src/libImaging/Geometry.c (affine transform, sample at
 * (x + 0.5) * scale).
 */
#ifndef MLFY_PROPOSE_RESAMPLE_H
#define MLFY_PROPOSE_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* Resampling filters, named as in Pillow and timm's str_to_pil_interp(). */
enum mlfy_filter {
	MLFY_FILTER_NEAREST = 0,
	MLFY_FILTER_BOX,       /* support 0.5 */
	MLFY_FILTER_BILINEAR,  /* triangle, support 1 */
	MLFY_FILTER_HAMMING,   /* Hamming-windowed sinc, support 1 */
	MLFY_FILTER_BICUBIC,   /* Keys cubic with a = -0.5, support 2 */
	MLFY_FILTER_LANCZOS    /* Lanczos-3 windowed sinc, support 3 */
};

/* Parses "nearest", "box", "bilinear", "hamming", "bicubic", "lanczos"
 * (also "linear", "cubic", "lanczos3"; case-insensitive) into *f.
 * MLFY_EINVAL for anything else. */
int mlfy_filter_parse(const char *name, enum mlfy_filter *f, struct mlfy_err *err);

/* The canonical lowercase name of f ("bilinear", ...). */
const char *mlfy_filter_name(enum mlfy_filter f);

/* An output window of a virtual resized image: the image in (in_w x in_h)
 * resized to (out_w x out_h), of which only columns [x0, x0 + win_w) and rows
 * [y0, y0 + win_h) are produced.  Window pixels that fall outside
 * [0, out_w) x [0, out_h) (a crop larger than the image, as torchvision's
 * CenterCrop pads) are filled with fill[band]. */
struct mlfy_resample_window {
	int out_w, out_h;   /* size of the whole resized image, pixels, >= 1 */
	int x0, y0;         /* top-left of the window in the resized image (may be < 0) */
	int win_w, win_h;   /* window size, pixels, >= 1 */
	uint8_t fill[4];    /* padding value per band */
};

/* Resizes the 8-bit image in[in_h][in_w][bands] (row stride in_stride bytes,
 * bands 1..4, borrowed) as Pillow's Image.resize((out_w, out_h), filter)
 * would, and writes the window w of the result to
 * out[win_h][win_w][bands] (tightly packed, caller-allocated).
 * Errors: MLFY_EINVAL (bad sizes or window), MLFY_ENOMEM. */
int mlfy_resample_u8(const uint8_t *in, int in_w, int in_h, size_t in_stride, int bands,
		     enum mlfy_filter filter, const struct mlfy_resample_window *w,
		     uint8_t *out, struct mlfy_err *err);

#endif

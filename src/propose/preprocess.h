/* preprocess.h - turn an image file into a model input tensor the way timm
 * evaluates models (timm.data.create_transform(..., is_training=False) with
 * a model's pretrained_cfg), plus reading that configuration.
 *
 * Pipeline for one image (each step names its reference):
 *  1. decode with libvips; JPEGs much larger than needed are decoded at
 *     1/2 or 1/4 scale by libjpeg (shrink-on-load) while at least twice
 *     the final resolution remains, so the antialiasing filter of step 4
 *     still does the last reduction (disable with shrink_on_load = 0 for
 *     bit-exact agreement with Pillow on huge JPEGs);
 *  2. EXIF orientation applied (libvips autorot; browsers do the same, so the
 *     model sees what annotators see; Pillow/timm do not);
 *  3. colour: grey -> RGB by replication, 16-bit -> 8-bit (v / 257 via
 *     libvips colourspace), CMYK -> sRGB (libvips, with its default CMYK
 *     profile when the file has none), palette -> RGB; embedded ICC profiles
 *     are not applied (as Pillow's convert('RGB')); an alpha channel is
 *     composited over white by default (MLFY_ALPHA_WHITE: what the annotation
 *     page shows), or dropped as Pillow's convert('RGB') does
 *     (MLFY_ALPHA_DROP, exact timm behaviour);
 *  4. resize (Pillow-compatible filter, resample.h), with
 *     scale = floor(size / crop_pct) per axis:
 *     crop_mode center, square scale: the shorter side becomes scale and the
 *       longer int(scale * long / short) (torchvision Resize(int));
 *     crop_mode center, non-square scale: timm's ResizeKeepRatio:
 *       r = min(h / scale_h, w / scale_w), size = (round(h / r), round(w / r));
 *     crop_mode squash: both sides become scale (Resize((sh, sw)));
 *     crop_mode border: ResizeKeepRatio with r = max(...) (the whole image
 *       fits), the rest padded with round(255 * mean) (CenterCropOrPad);
 *  5. centre crop to the input size, offsets round((resized - crop) / 2)
 *     with Python's round-half-to-even; where the crop is larger than the
 *     image it is padded ((crop - size) // 2 before), with 0 (black) or, in
 *     border mode, the mean colour (torchvision CenterCrop, timm
 *     CenterCropOrPad);
 *  6. to float: x / 255, then (x - mean[c]) / std[c], in float32 arithmetic
 *     as torchvision's ToTensor + Normalize; written NCHW (or NHWC).
 * Sources: timm/data/transforms_factory.py (transforms_eval),
 * timm/data/transforms.py (ResizeKeepRatio), torchvision
 * transforms/functional.py (resize, _compute_resized_output_size,
 * center_crop), Pillow Image.convert and Image.resize.
 *
 * Thread safety: mlfy_prep_image() may run in several threads at once.
 */
#ifndef MLFY_PROPOSE_PREPROCESS_H
#define MLFY_PROPOSE_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>
#include "propose/resample.h"
#include "util/error.h"

enum mlfy_crop_mode {
	MLFY_CROP_CENTER = 0,  /* keep aspect ratio, centre crop */
	MLFY_CROP_SQUASH,      /* resize both sides to scale_size, centre crop */
	MLFY_CROP_BORDER       /* fit the whole image, pad with the mean colour */
};

enum mlfy_alpha {
	MLFY_ALPHA_WHITE = 0,  /* composite over white (default) */
	MLFY_ALPHA_BLACK,      /* composite over black */
	MLFY_ALPHA_DROP        /* ignore alpha (Pillow convert('RGB')) */
};

enum mlfy_tensor_layout {
	MLFY_TENSOR_NCHW = 0,  /* planes: out[c][y][x] */
	MLFY_TENSOR_NHWC       /* interleaved: out[y][x][c] */
};

/* Preprocessing configuration (timm's pretrained_cfg plus our choices).
 * Invariants after mlfy_prep_validate(): height, width in [1, 16384];
 * crop_pct in (0, 4]; std[c] != 0. */
struct mlfy_prep {
	int height, width;         /* model input size, pixels; 0 = not set yet */
	double crop_pct;           /* fraction of the resized image kept; timm default 0.875 */
	enum mlfy_crop_mode crop_mode;
	enum mlfy_filter filter;   /* timm "interpolation" */
	double mean[3], std[3];    /* per RGB channel, on values in [0, 1]; used as
	                              float32, as torchvision Normalize does */
	enum mlfy_alpha alpha;
	int shrink_on_load;        /* 1: allow JPEG shrink-on-load (default) */
	enum mlfy_tensor_layout layout;
};

/* Sets the defaults: size unset (0), crop_pct 0.875, center, bilinear,
 * ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225)
 * (timm.data.constants IMAGENET_DEFAULT_MEAN/STD), alpha over white,
 * shrink-on-load on, NCHW. */
void mlfy_prep_init(struct mlfy_prep *p);

/* Checks the invariants above; MLFY_EINVAL naming the bad field. */
int mlfy_prep_validate(const struct mlfy_prep *p, struct mlfy_err *err);

/* What a timm/Hugging Face config.json said besides struct mlfy_prep. */
struct mlfy_prep_extra {
	int num_classes;        /* "num_classes", or -1 when absent */
	int label_offset;       /* "label_offset", or -1 when absent */
	int test_height, test_width; /* "test_input_size", or 0 */
	double test_crop_pct;   /* "test_crop_pct", or 0 */
	char architecture[128]; /* "architecture", or "" */
};

/* Reads a timm pretrained_cfg from the JSON file at path: either a Hugging
 * Face hub config.json ({"architecture": ..., "num_classes": ...,
 * "pretrained_cfg": {...}}) or the pretrained_cfg object itself, as written
 * by json.dump(model.pretrained_cfg).  Keys used: input_size [3, H, W],
 * interpolation, mean, std, crop_pct, crop_mode, and (into *extra, may be
 * NULL) num_classes, label_offset, test_input_size, test_crop_pct,
 * architecture.  Only keys present change *p.  Errors: MLFY_ENOTFOUND,
 * MLFY_EINVAL (bad JSON or a bad value; the message names the file, line and
 * key), MLFY_EUNSUPPORTED (an unknown crop_mode or interpolation, an
 * input_size with a channel count other than 3). */
int mlfy_prep_load_config(const char *path, struct mlfy_prep *p, struct mlfy_prep_extra *extra,
			  struct mlfy_err *err);

/* Parses "r,g,b" (three finite numbers) into v. */
int mlfy_prep_parse_triple(const char *s, double v[3], struct mlfy_err *err);
/* Parses "N" or "HxW" into *h, *w (1..16384). */
int mlfy_prep_parse_size(const char *s, int *h, int *w, struct mlfy_err *err);
int mlfy_prep_parse_crop_mode(const char *s, enum mlfy_crop_mode *m, struct mlfy_err *err);
int mlfy_prep_parse_alpha(const char *s, enum mlfy_alpha *a, struct mlfy_err *err);
const char *mlfy_crop_mode_name(enum mlfy_crop_mode m);
const char *mlfy_alpha_name(enum mlfy_alpha a);

/* Geometry of steps 4-5 for an image of w x h pixels (after orientation):
 * the resized size and the crop window in it. */
void mlfy_prep_geometry(const struct mlfy_prep *p, int w, int h,
			struct mlfy_resample_window *win);

/* Python's round() of d / 2 for an integer d (half to even); used for the
 * centre-crop offset. */
int mlfy_round_half_even_div2(int d);

/* Number of floats of one image's tensor: 3 * height * width. */
size_t mlfy_prep_tensor_len(const struct mlfy_prep *p);

/* Steps 4-6 on an already decoded RGB image rgb[h][w][3] (tightly packed,
 * borrowed) whose original size, before any shrink-on-load, was
 * orig_w x orig_h (pass w, h when there was none).  Writes
 * mlfy_prep_tensor_len(p) floats to out.  Errors: MLFY_EINVAL, MLFY_ENOMEM. */
int mlfy_prep_rgb(const struct mlfy_prep *p, const uint8_t *rgb, int w, int h, int orig_w,
		  int orig_h, float *out, struct mlfy_err *err);

/* What mlfy_prep_image found out about the file. */
struct mlfy_prep_info {
	int width, height;       /* after orientation, before any shrink */
	int decoded_w, decoded_h;/* the decoded (possibly shrunk) size */
	int shrink;              /* JPEG shrink-on-load factor used: 1, 2 or 4 */
	int orientation;         /* EXIF orientation 1..8 (1 when absent) */
	int bands;               /* bands in the file (1 grey ... 4 RGBA/CMYK) */
	int bits;                /* 8 or 16 (32 for float images) */
	int had_alpha;           /* 1 when an alpha channel was flattened or dropped */
};

/* Loads and starts the image codec (util/codec.h: libvips) once per process
 * (thread-safe; later calls return the first result).  Errors:
 * MLFY_EUNSUPPORTED when the codec cannot be loaded or libvips cannot start. */
int mlfy_prep_global_init(struct mlfy_err *err);

/* Steps 1-6 for the image file at path (any format libvips reads): writes
 * mlfy_prep_tensor_len(p) floats to out; info may be NULL.  A file that is
 * missing, unreadable, truncated or corrupt gives MLFY_EIO / MLFY_EINVAL
 * with libvips' reason and the path, and leaves out unspecified;
 * MLFY_EUNSUPPORTED when the image codec cannot be loaded. */
int mlfy_prep_image(const struct mlfy_prep *p, const char *path, float *out,
		    struct mlfy_prep_info *info, struct mlfy_err *err);

#endif

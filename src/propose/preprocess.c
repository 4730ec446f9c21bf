/* preprocess.c - image file -> normalised model input (timm eval transform);
 * timm config reading.  See preprocess.h for the steps and their sources.
 * The pixels come from the image codec (util/codec.h, libvips, loaded on first
 * use); resampling is resample.c. */
#include "propose/preprocess.h"
#include "ingest/probe.h"   /* MLFY_IMAGE_MAX_PIXELS */
#include "util/codec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_SIDE 16384

void mlfy_prep_init(struct mlfy_prep *p)
{
	memset(p, 0, sizeof(*p));
	p->crop_pct = 0.875;
	p->crop_mode = MLFY_CROP_CENTER;
	p->filter = MLFY_FILTER_BILINEAR;
	p->mean[0] = 0.485;
	p->mean[1] = 0.456;
	p->mean[2] = 0.406;
	p->std[0] = 0.229;
	p->std[1] = 0.224;
	p->std[2] = 0.225;
	p->alpha = MLFY_ALPHA_WHITE;
	p->shrink_on_load = 1;
	p->layout = MLFY_TENSOR_NCHW;
}

int mlfy_prep_validate(const struct mlfy_prep *p, struct mlfy_err *err)
{
	int c;
	if (p->height < 1 || p->height > MAX_SIDE || p->width < 1 || p->width > MAX_SIDE)
		return mlfy_err_set(err, MLFY_EINVAL, "input size %dx%d is not in [1, %d]",
				    p->height, p->width, MAX_SIDE);
	if (!(p->crop_pct > 0.0 && p->crop_pct <= 4.0))
		return mlfy_err_set(err, MLFY_EINVAL, "crop_pct %g is not in (0, 4]", p->crop_pct);
	for (c = 0; c < 3; c++) {
		if (!isfinite(p->mean[c]) || !isfinite(p->std[c]) || (float)p->std[c] == 0.0f)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "mean/std of channel %d (%g, %g) must be finite with std != 0",
					    c, p->mean[c], p->std[c]);
	}
	if (p->crop_mode < MLFY_CROP_CENTER || p->crop_mode > MLFY_CROP_BORDER)
		return mlfy_err_set(err, MLFY_EINVAL, "bad crop mode %d", (int)p->crop_mode);
	return 0;
}

/* ---- small parsers ------------------------------------------------------------ */

int mlfy_prep_parse_triple(const char *s, double v[3], struct mlfy_err *err)
{
	const char *q = s;
	char *end;
	int i;
	for (i = 0; i < 3; i++) {
		errno = 0;
		v[i] = strtod(q, &end);
		if (end == q || errno || !isfinite(v[i]))
			goto bad;
		q = end;
		while (*q == ' ')
			q++;
		if (i < 2) {
			if (*q != ',')
				goto bad;
			q++;
		}
	}
	if (*q)
		goto bad;
	return 0;
bad:
	return mlfy_err_set(err, MLFY_EINVAL, "'%s' is not three comma-separated numbers (r,g,b)", s);
}

int mlfy_prep_parse_size(const char *s, int *h, int *w, struct mlfy_err *err)
{
	char *end;
	long a, b;
	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || errno)
		goto bad;
	if (*end == 'x' || *end == 'X' || *end == ',') {
		const char *q = end + 1;
		b = strtol(q, &end, 10);
		if (end == q || errno || *end)
			goto bad;
	} else if (*end) {
		goto bad;
	} else {
		b = a;
	}
	if (a < 1 || a > MAX_SIDE || b < 1 || b > MAX_SIDE)
		goto bad;
	*h = (int)a;
	*w = (int)b;
	return 0;
bad:
	return mlfy_err_set(err, MLFY_EINVAL, "'%s' is not a size N or HxW with sides in [1, %d]",
			    s, MAX_SIDE);
}

int mlfy_prep_parse_crop_mode(const char *s, enum mlfy_crop_mode *m, struct mlfy_err *err)
{
	if (!strcasecmp(s, "center") || !strcasecmp(s, "centre"))
		*m = MLFY_CROP_CENTER;
	else if (!strcasecmp(s, "squash"))
		*m = MLFY_CROP_SQUASH;
	else if (!strcasecmp(s, "border"))
		*m = MLFY_CROP_BORDER;
	else
		return mlfy_err_set(err, MLFY_EUNSUPPORTED,
				    "unknown crop mode '%s' (expected center, squash or border)", s);
	return 0;
}

int mlfy_prep_parse_alpha(const char *s, enum mlfy_alpha *a, struct mlfy_err *err)
{
	if (!strcasecmp(s, "white"))
		*a = MLFY_ALPHA_WHITE;
	else if (!strcasecmp(s, "black"))
		*a = MLFY_ALPHA_BLACK;
	else if (!strcasecmp(s, "drop"))
		*a = MLFY_ALPHA_DROP;
	else
		return mlfy_err_set(err, MLFY_EINVAL,
				    "unknown alpha handling '%s' (expected white, black or drop)", s);
	return 0;
}

const char *mlfy_crop_mode_name(enum mlfy_crop_mode m)
{
	switch (m) {
	case MLFY_CROP_CENTER: return "center";
	case MLFY_CROP_SQUASH: return "squash";
	case MLFY_CROP_BORDER: return "border";
	}
	return "?";
}

const char *mlfy_alpha_name(enum mlfy_alpha a)
{
	switch (a) {
	case MLFY_ALPHA_WHITE: return "white";
	case MLFY_ALPHA_BLACK: return "black";
	case MLFY_ALPHA_DROP: return "drop";
	}
	return "?";
}

/* ---- timm config.json ------------------------------------------------------------ */

static int json_number(json_t *v, double *out)
{
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return isfinite(*out) ? 0 : -1;
}

static int json_size3(json_t *v, int *h, int *w, int *chans)
{
	double d[3];
	size_t i;
	if (!json_is_array(v) || json_array_size(v) != 3)
		return -1;
	for (i = 0; i < 3; i++) {
		if (json_number(json_array_get(v, i), &d[i]) || d[i] != floor(d[i]) || d[i] < 1 ||
		    d[i] > MAX_SIDE)
			return -1;
	}
	*chans = (int)d[0];
	*h = (int)d[1];
	*w = (int)d[2];
	return 0;
}

static int json_triple(json_t *v, double out[3])
{
	size_t i;
	if (!json_is_array(v) || json_array_size(v) != 3)
		return -1;
	for (i = 0; i < 3; i++)
		if (json_number(json_array_get(v, i), &out[i]))
			return -1;
	return 0;
}

int mlfy_prep_load_config(const char *path, struct mlfy_prep *p, struct mlfy_prep_extra *extra,
			  struct mlfy_err *err)
{
	json_error_t jerr;
	json_t *root, *cfg, *v;
	const char *where;
	struct mlfy_prep_extra ex;
	struct mlfy_prep q = *p;
	struct stat st;
	int rc = 0, chans = 3;
	double d;

	memset(&ex, 0, sizeof(ex));
	ex.num_classes = -1;
	ex.label_offset = -1;
	if (stat(path, &st) != 0)
		return mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: %s", path,
				    strerror(errno));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: expected a JSON object", path);
		goto out;
	}
	cfg = json_object_get(root, "pretrained_cfg");
	where = "pretrained_cfg.";
	if (!cfg) {
		cfg = root;
		where = "";
	} else if (!json_is_object(cfg)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: pretrained_cfg: expected an object", path);
		goto out;
	}

#define BAD(key, what) \
	do { \
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %s%s: %s", path, where, key, what); \
		goto out; \
	} while (0)

	if ((v = json_object_get(cfg, "input_size")) && !json_is_null(v)) {
		if (json_size3(v, &q.height, &q.width, &chans))
			BAD("input_size", "expected [channels, height, width] of positive integers");
		if (chans != 3) {
			rc = mlfy_err_set(err, MLFY_EUNSUPPORTED,
					  "%s: %sinput_size: %d input channels (only RGB models, 3, are supported)",
					  path, where, chans);
			goto out;
		}
	}
	if ((v = json_object_get(cfg, "test_input_size")) && !json_is_null(v)) {
		if (json_size3(v, &ex.test_height, &ex.test_width, &chans) || chans != 3)
			BAD("test_input_size", "expected [3, height, width] of positive integers");
	}
	if ((v = json_object_get(cfg, "interpolation")) && !json_is_null(v)) {
		if (!json_is_string(v))
			BAD("interpolation", "expected a string");
		if (mlfy_filter_parse(json_string_value(v), &q.filter, err)) {
			rc = mlfy_err_prefix(err, "%s: %sinterpolation", path, where);
			err->code = rc = MLFY_EUNSUPPORTED;
			goto out;
		}
	}
	if ((v = json_object_get(cfg, "mean")) && !json_is_null(v) && json_triple(v, q.mean))
		BAD("mean", "expected three numbers");
	if ((v = json_object_get(cfg, "std")) && !json_is_null(v) && json_triple(v, q.std))
		BAD("std", "expected three numbers");
	if ((v = json_object_get(cfg, "crop_pct")) && !json_is_null(v)) {
		if (json_number(v, &d) || !(d > 0.0 && d <= 4.0))
			BAD("crop_pct", "expected a number in (0, 4]");
		q.crop_pct = d;
	}
	if ((v = json_object_get(cfg, "test_crop_pct")) && !json_is_null(v)) {
		if (json_number(v, &d) || !(d > 0.0 && d <= 4.0))
			BAD("test_crop_pct", "expected a number in (0, 4]");
		ex.test_crop_pct = d;
	}
	if ((v = json_object_get(cfg, "crop_mode")) && !json_is_null(v)) {
		if (!json_is_string(v))
			BAD("crop_mode", "expected a string");
		if (mlfy_prep_parse_crop_mode(json_string_value(v), &q.crop_mode, err)) {
			rc = mlfy_err_prefix(err, "%s: %scrop_mode", path, where);
			goto out;
		}
	}
	/* num_classes and label_offset: in pretrained_cfg or at the top level */
	if (((v = json_object_get(cfg, "num_classes")) || (v = json_object_get(root, "num_classes"))) &&
	    !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000000)
			BAD("num_classes", "expected a positive integer");
		ex.num_classes = (int)json_integer_value(v);
	}
	if (((v = json_object_get(cfg, "label_offset")) || (v = json_object_get(root, "label_offset"))) &&
	    !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000)
			BAD("label_offset", "expected a non-negative integer");
		ex.label_offset = (int)json_integer_value(v);
	}
	if ((v = json_object_get(root, "architecture")) && json_is_string(v))
		snprintf(ex.architecture, sizeof(ex.architecture), "%s", json_string_value(v));  /* NOLINT(bugprone-branch-clone): the same field read from two places, in order */
	else if ((v = json_object_get(cfg, "architecture")) && json_is_string(v))
		snprintf(ex.architecture, sizeof(ex.architecture), "%s", json_string_value(v));
#undef BAD
	*p = q;
	if (extra)
		*extra = ex;
out:
	json_decref(root);
	return rc;
}

/* ---- geometry --------------------------------------------------------------------- */

int mlfy_round_half_even_div2(int d)
{
	int a = d / 2;
	if (d % 2 == 0)
		return a;
	/* d / 2 = a + 0.5 (d >= 0 here): round half to even */
	return (a % 2 == 0) ? a : a + 1;
}

static int crop_offset(int size, int crop)
{
	if (crop > size)
		return -((crop - size) / 2);
	return mlfy_round_half_even_div2(size - crop);
}

static int round_side(double v)
{
	double r = nearbyint(v); /* default rounding mode: half to even, as Python round() */
	if (r < 1)
		return 1;
	if (r > 1e6)
		return 1000000;
	return (int)r;
}

void mlfy_prep_geometry(const struct mlfy_prep *p, int w, int h, struct mlfy_resample_window *win)
{
	int sh = (int)floor(p->height / p->crop_pct);
	int sw = (int)floor(p->width / p->crop_pct);
	int nw, nh;
	double r;

	if (sh < 1)
		sh = 1;
	if (sw < 1)
		sw = 1;
	switch (p->crop_mode) {
	case MLFY_CROP_SQUASH:
		nw = sw;
		nh = sh;
		break;
	case MLFY_CROP_BORDER:
		r = fmax((double)h / sh, (double)w / sw);
		nh = round_side(h / r);
		nw = round_side(w / r);
		break;
	case MLFY_CROP_CENTER:
	default:
		if (sh == sw) {
			/* torchvision _compute_resized_output_size: int(s * long / short) */
			if (w <= h) {
				nw = sw;
				nh = (int)((long long)sw * h / w);
			} else {
				nh = sh;
				nw = (int)((long long)sh * w / h);
			}
			if (nw < 1)
				nw = 1;
			if (nh < 1)
				nh = 1;
		} else {
			r = fmin((double)h / sh, (double)w / sw);
			nh = round_side(h / r);
			nw = round_side(w / r);
		}
		break;
	}
	memset(win, 0, sizeof(*win));
	win->out_w = nw;
	win->out_h = nh;
	win->win_w = p->width;
	win->win_h = p->height;
	win->x0 = crop_offset(nw, p->width);
	win->y0 = crop_offset(nh, p->height);
	if (p->crop_mode == MLFY_CROP_BORDER) {
		int c;
		for (c = 0; c < 3; c++) {
			double f = nearbyint(255.0 * p->mean[c]);
			win->fill[c] = (uint8_t)(f < 0 ? 0 : f > 255 ? 255 : f);
		}
	}
}

size_t mlfy_prep_tensor_len(const struct mlfy_prep *p)
{
	return (size_t)3 * (size_t)p->height * (size_t)p->width;
}

int mlfy_prep_rgb(const struct mlfy_prep *p, const uint8_t *rgb, int w, int h, int orig_w,
		  int orig_h, float *out, struct mlfy_err *err)
{
	struct mlfy_resample_window win;
	uint8_t *crop;
	float lut[3][256];
	size_t n, i, plane;
	int rc, c, v;

	if ((rc = mlfy_prep_validate(p, err)))
		return rc;
	if (w < 1 || h < 1 || orig_w < 1 || orig_h < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "image size %dx%d is empty", w, h);
	mlfy_prep_geometry(p, orig_w, orig_h, &win);
	n = (size_t)p->width * (size_t)p->height;
	if (!(crop = malloc(n * 3)))
		return mlfy_err_oom(err);
	if ((rc = mlfy_resample_u8(rgb, w, h, (size_t)w * 3, 3, p->filter, &win, crop, err))) {
		free(crop);
		return rc;
	}
	/* torchvision ToTensor + Normalize, in float32: (x / 255 - mean) / std */
	for (c = 0; c < 3; c++) {
		float m = (float)p->mean[c], s = (float)p->std[c];
		for (v = 0; v < 256; v++)
			lut[c][v] = ((float)v / 255.0f - m) / s;
	}
	if (p->layout == MLFY_TENSOR_NHWC) {
		for (i = 0; i < n * 3; i++)
			out[i] = lut[i % 3][crop[i]];
	} else {
		plane = n;
		for (i = 0; i < n; i++) {
			out[i] = lut[0][crop[3 * i]];
			out[plane + i] = lut[1][crop[3 * i + 1]];
			out[2 * plane + i] = lut[2][crop[3 * i + 2]];
		}
	}
	free(crop);
	return 0;
}

/* ---- decoding (the image codec, util/codec.h) ------------------------------------- */

int mlfy_prep_global_init(struct mlfy_err *err)
{
	return mlfy_codec(err) ? 0 : MLFY_EUNSUPPORTED;
}

int mlfy_prep_image(const struct mlfy_prep *p, const char *path, float *out,
		    struct mlfy_prep_info *info, struct mlfy_err *err)
{
	const struct mlfy_codec *codec;
	struct mlfy_prep_info inf;
	struct stat st;
	uint8_t *rgb = NULL;
	int rc;

	if ((rc = mlfy_prep_validate(p, err)))
		return rc;
	if (!(codec = mlfy_codec(err)))
		return MLFY_EUNSUPPORTED;
	if (stat(path, &st) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a regular file", path);
	if ((rc = codec->decode_rgb(p, path, &rgb, &inf, err)))
		return rc;
	rc = mlfy_prep_rgb(p, rgb, inf.decoded_w, inf.decoded_h, inf.width, inf.height, out, err);
	codec->free_buffer(rgb);
	if (rc)
		return mlfy_err_prefix(err, "%s", path);
	if (info)
		*info = inf;
	return 0;
}

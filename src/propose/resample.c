/* resample.c - Pillow-compatible antialiased resize of 8-bit images into an
 * output window (see resample.h for the contract and the source followed). */
#include "propose/resample.h"
#include "util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Pillow: #define PRECISION_BITS (32 - 8 - 2) */
#define PRECISION_BITS 22

/* ---- filters (Pillow Resample.c) ------------------------------------------ */

static double box_filter(double x)
{
	if (x > -0.5 && x <= 0.5)
		return 1.0;
	return 0.0;
}

static double bilinear_filter(double x)
{
	if (x < 0.0)
		x = -x;
	if (x < 1.0)
		return 1.0 - x;
	return 0.0;
}

static double hamming_filter(double x)
{
	if (x < 0.0)
		x = -x;
	if (x == 0.0)
		return 1.0;
	if (x >= 1.0)
		return 0.0;
	x = x * M_PI;
	return sin(x) / x * (0.54f + 0.46f * cos(x));
}

static double bicubic_filter(double x)
{
	const double a = -0.5;
	if (x < 0.0)
		x = -x;
	if (x < 1.0)
		return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
	if (x < 2.0)
		return (((x - 5) * x + 8) * x - 4) * a;
	return 0.0;
}

static double sinc_filter(double x)
{
	if (x == 0.0)
		return 1.0;
	x = x * M_PI;
	return sin(x) / x;
}

static double lanczos_filter(double x)
{
	/* truncated sinc: -3 <= x < 3 */
	if (-3.0 <= x && x < 3.0)
		return sinc_filter(x) * sinc_filter(x / 3);
	return 0.0;
}

struct filter_def {
	double (*fn)(double);
	double support;
};

static const struct filter_def filters[] = {
	[MLFY_FILTER_NEAREST] = { NULL, 0.0 },
	[MLFY_FILTER_BOX] = { box_filter, 0.5 },
	[MLFY_FILTER_BILINEAR] = { bilinear_filter, 1.0 },
	[MLFY_FILTER_HAMMING] = { hamming_filter, 1.0 },
	[MLFY_FILTER_BICUBIC] = { bicubic_filter, 2.0 },
	[MLFY_FILTER_LANCZOS] = { lanczos_filter, 3.0 },
};

static const struct {
	const char *name;
	enum mlfy_filter f;
} filter_names[] = {
	{ "nearest", MLFY_FILTER_NEAREST },   { "box", MLFY_FILTER_BOX },
	{ "bilinear", MLFY_FILTER_BILINEAR }, { "linear", MLFY_FILTER_BILINEAR },
	{ "hamming", MLFY_FILTER_HAMMING },   { "bicubic", MLFY_FILTER_BICUBIC },
	{ "cubic", MLFY_FILTER_BICUBIC },     { "lanczos", MLFY_FILTER_LANCZOS },
	{ "lanczos3", MLFY_FILTER_LANCZOS },
};

int mlfy_filter_parse(const char *name, enum mlfy_filter *f, struct mlfy_err *err)
{
	size_t i;
	for (i = 0; i < sizeof(filter_names) / sizeof(filter_names[0]); i++) {
		if (!strcasecmp(name, filter_names[i].name)) {
			*f = filter_names[i].f;
			return 0;
		}
	}
	return mlfy_err_set(err, MLFY_EINVAL,
			    "unknown interpolation '%s' (expected nearest, box, bilinear, "
			    "hamming, bicubic or lanczos)", name);
}

const char *mlfy_filter_name(enum mlfy_filter f)
{
	switch (f) {
	case MLFY_FILTER_NEAREST: return "nearest";
	case MLFY_FILTER_BOX: return "box";
	case MLFY_FILTER_BILINEAR: return "bilinear";
	case MLFY_FILTER_HAMMING: return "hamming";
	case MLFY_FILTER_BICUBIC: return "bicubic";
	case MLFY_FILTER_LANCZOS: return "lanczos";
	}
	return "?";
}

/* ---- coefficients ----------------------------------------------------------- */

/* Fixed-point kernels for output positions [o0, o1) of a resize in_size ->
 * out_size: bounds[2*i] = first input index, bounds[2*i+1] = tap count,
 * kk[i*ksize + t] = coefficient (Pillow precompute_coeffs followed by
 * normalize_coeffs_8bpc). */
struct coeffs {
	int ksize;
	int *bounds;
	int32_t *kk;
};

static void coeffs_free(struct coeffs *c)
{
	MLFY_FREE_ALL(c->bounds, c->kk);
	c->bounds = NULL;
	c->kk = NULL;
}

static int coeffs_make(int in_size, int out_size, int o0, int o1, const struct filter_def *fd,
		       struct coeffs *c)
{
	double scale, filterscale, support, center, ww, ss;
	double *k;
	int xx, x, xmin, xmax, n = o1 - o0;

	filterscale = scale = (double)((float)in_size - 0.0f) / out_size;
	if (filterscale < 1.0)
		filterscale = 1.0;
	support = fd->support * filterscale;
	c->ksize = (int)ceil(support) * 2 + 1;
	c->bounds = malloc(sizeof(int) * 2 * (size_t)n);
	c->kk = malloc(sizeof(int32_t) * (size_t)c->ksize * (size_t)n);
	k = malloc(sizeof(double) * (size_t)c->ksize);
	if (!c->bounds || !c->kk || !k) {
		free(k);
		coeffs_free(c);
		return MLFY_ENOMEM;
	}
	for (xx = o0; xx < o1; xx++) {
		int32_t *kk = &c->kk[(size_t)(xx - o0) * (size_t)c->ksize];
		center = (xx + 0.5) * scale;
		ww = 0.0;
		ss = 1.0 / filterscale;
		xmin = (int)(center - support + 0.5);
		if (xmin < 0)
			xmin = 0;
		xmax = (int)(center + support + 0.5);
		if (xmax > in_size)
			xmax = in_size;
		xmax -= xmin;
		for (x = 0; x < xmax; x++) {
			double w = fd->fn((x + xmin - center + 0.5) * ss);
			k[x] = w;
			ww += w;
		}
		for (x = 0; x < xmax; x++)
			if (ww != 0.0)
				k[x] /= ww;
		for (x = 0; x < c->ksize; x++) {
			double v = x < xmax ? k[x] : 0.0;
			kk[x] = v < 0 ? (int32_t)(-0.5 + v * (1 << PRECISION_BITS))
				      : (int32_t)(0.5 + v * (1 << PRECISION_BITS));
		}
		c->bounds[2 * (xx - o0)] = xmin;
		c->bounds[2 * (xx - o0) + 1] = xmax;
	}
	free(k);
	return 0;
}

static inline uint8_t clip8(int32_t in)
{
	if (in >= (1 << PRECISION_BITS << 8))
		return 255;
	if (in <= 0)
		return 0;
	return (uint8_t)(in >> PRECISION_BITS);
}

/* Pillow's ImagingScaleAffine pretabulation: source index of each output
 * position, accumulated as Pillow does (xo += scale), clamped to the image. */
static void nearest_table(int in_size, int out_size, int o0, int o1, int *tab)
{
	double scale = (double)in_size / out_size;
	double xo = scale * 0.5;
	int x;
	for (x = 0; x < o1; x++) {
		if (x >= o0) {
			int xin = xo < 0.0 ? -1 : (int)xo;
			if (xin < 0)
				xin = 0;
			if (xin >= in_size)
				xin = in_size - 1;
			tab[x - o0] = xin;
		}
		xo += scale;
	}
}

static int resample_nearest(const uint8_t *in, int in_w, int in_h, size_t in_stride, int bands,
			    const struct mlfy_resample_window *w, int cx0, int cx1, int ry0,
			    int ry1, uint8_t *out)
{
	int *xt = malloc(sizeof(int) * (size_t)(cx1 - cx0));
	int *yt = malloc(sizeof(int) * (size_t)(ry1 - ry0));
	int x, y, b;
	if (!xt || !yt) {
		MLFY_FREE_ALL(xt, yt);
		return MLFY_ENOMEM;
	}
	nearest_table(in_w, w->out_w, cx0, cx1, xt);
	nearest_table(in_h, w->out_h, ry0, ry1, yt);
	for (y = ry0; y < ry1; y++) {
		const uint8_t *src = in + (size_t)yt[y - ry0] * in_stride;  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): nearest_table fills every entry */
		uint8_t *dst = out + ((size_t)(y - w->y0) * (size_t)w->win_w + (size_t)(cx0 - w->x0)) * (size_t)bands;
		for (x = cx0; x < cx1; x++)
			for (b = 0; b < bands; b++)
				*dst++ = src[(size_t)xt[x - cx0] * (size_t)bands + (size_t)b];  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): nearest_table fills every entry */
	}
	MLFY_FREE_ALL(xt, yt);
	return 0;
}

int mlfy_resample_u8(const uint8_t *in, int in_w, int in_h, size_t in_stride, int bands,
		     enum mlfy_filter filter, const struct mlfy_resample_window *w,
		     uint8_t *out, struct mlfy_err *err)
{
	struct coeffs ch = { 0 }, cv = { 0 };
	const struct filter_def *fd;
	int need_h, need_v, cx0, cx1, ry0, ry1, ncols, row0 = 0, row1 = 0, nrows;
	uint8_t *tmp = NULL;
	int rc = 0, x, y, b, t;
	size_t i;

	if (!in || !out || !w || in_w < 1 || in_h < 1 || bands < 1 || bands > 4 ||
	    in_stride < (size_t)in_w * (size_t)bands || w->out_w < 1 || w->out_h < 1 ||
	    w->win_w < 1 || w->win_h < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "resample: bad image or window size");
	if ((int)filter < MLFY_FILTER_NEAREST || (int)filter > MLFY_FILTER_LANCZOS)
		return mlfy_err_set(err, MLFY_EINVAL, "resample: unknown filter %d", (int)filter);

	for (i = 0; i < (size_t)w->win_w * (size_t)w->win_h; i++)
		memcpy(out + i * (size_t)bands, w->fill, (size_t)bands);
	/* the part of the window inside the resized image */
	cx0 = w->x0 < 0 ? 0 : w->x0;
	cx1 = w->x0 + w->win_w > w->out_w ? w->out_w : w->x0 + w->win_w;
	ry0 = w->y0 < 0 ? 0 : w->y0;
	ry1 = w->y0 + w->win_h > w->out_h ? w->out_h : w->y0 + w->win_h;
	if (cx0 >= cx1 || ry0 >= ry1)
		return 0;
	ncols = cx1 - cx0;

	if (filter == MLFY_FILTER_NEAREST) {
		rc = resample_nearest(in, in_w, in_h, in_stride, bands, w, cx0, cx1, ry0, ry1, out);
		return rc ? mlfy_err_set(err, rc, "resample: out of memory") : 0;
	}
	fd = &filters[filter];
	need_h = w->out_w != in_w;
	need_v = w->out_h != in_h;

	if ((need_h && coeffs_make(in_w, w->out_w, cx0, cx1, fd, &ch)) ||
	    (need_v && coeffs_make(in_h, w->out_h, ry0, ry1, fd, &cv))) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "resample: out of memory");
		goto done;
	}
	/* input rows the vertical pass reads */
	if (need_v) {
		row0 = cv.bounds[0];
		row1 = 0;
		for (y = 0; y < ry1 - ry0; y++) {
			int lo = cv.bounds[2 * y], hi = lo + cv.bounds[2 * y + 1];  /* NOLINT(clang-analyzer-core.uninitialized.Assign): kernel bounds are filled for every output row */
			if (lo < row0)
				row0 = lo;
			if (hi > row1)
				row1 = hi;
		}
	} else {
		row0 = ry0;
		row1 = ry1;
	}
	nrows = row1 - row0;
	if (nrows <= 0) {
		/* every kernel is empty (cannot happen for sizes >= 1); leave zeros */
		goto done;
	}

	/* horizontal pass: rows [row0, row1) x columns [cx0, cx1) into tmp */
	tmp = malloc((size_t)nrows * (size_t)ncols * (size_t)bands);
	if (!tmp) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "resample: out of memory");
		goto done;
	}
	for (y = 0; y < nrows; y++) {
		const uint8_t *src = in + (size_t)(row0 + y) * in_stride;
		uint8_t *dst = tmp + (size_t)y * (size_t)ncols * (size_t)bands;
		if (!need_h) {
			memcpy(dst, src + (size_t)cx0 * (size_t)bands, (size_t)ncols * (size_t)bands);
			continue;
		}
		for (x = 0; x < ncols; x++) {
			int xmin = ch.bounds[2 * x], xmax = ch.bounds[2 * x + 1];  /* NOLINT(clang-analyzer-core.uninitialized.Assign): kernel bounds are filled for every output pixel */
			const int32_t *k = &ch.kk[(size_t)x * (size_t)ch.ksize];
			for (b = 0; b < bands; b++) {
				int32_t ss = 1 << (PRECISION_BITS - 1);
				for (t = 0; t < xmax; t++)
					/* cppcheck-suppress objectIndex ; k points into the heap table ch.kk, not at one variable */
					ss += (int32_t)src[(size_t)(xmin + t) * (size_t)bands + (size_t)b] * k[t];  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): kernel tables are filled for every output pixel */
				dst[(size_t)x * (size_t)bands + (size_t)b] = clip8(ss);
			}
		}
	}

	/* vertical pass into the window */
	for (y = ry0; y < ry1; y++) {
		uint8_t *dst = out + ((size_t)(y - w->y0) * (size_t)w->win_w + (size_t)(cx0 - w->x0)) * (size_t)bands;
		if (!need_v) {
			memcpy(dst, tmp + (size_t)(y - row0) * (size_t)ncols * (size_t)bands,
			       (size_t)ncols * (size_t)bands);
			continue;
		}
		int ymin = cv.bounds[2 * (y - ry0)] - row0, ymax = cv.bounds[2 * (y - ry0) + 1];
		const int32_t *k = &cv.kk[(size_t)(y - ry0) * (size_t)cv.ksize];
		for (x = 0; x < ncols; x++) {
			for (b = 0; b < bands; b++) {
				int32_t ss = 1 << (PRECISION_BITS - 1);
				size_t col = (size_t)x * (size_t)bands + (size_t)b;
				for (t = 0; t < ymax; t++)
					/* cppcheck-suppress objectIndex ; k points into the heap table cv.kk, not at one variable */
					ss += (int32_t)tmp[(size_t)(ymin + t) * (size_t)ncols * (size_t)bands + col] * k[t];  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): kernel tables are filled for every output pixel */
				dst[col] = clip8(ss);
			}
		}
	}
done:
	free(tmp);
	coeffs_free(&ch);
	coeffs_free(&cv);
	return rc;
}

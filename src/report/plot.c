/* plot.c - palettes, text, axes and multi-format output for the figures
 * (see plot.h).  Owns no state: every function draws on the cairo_t given. */
#include "report/plot.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

const struct mlfy_rgb mlfy_okabe_ito[8] = {
	{ 0.000, 0.000, 0.000 },   /* black */
	{ 0.902, 0.624, 0.000 },   /* orange        #E69F00 */
	{ 0.337, 0.706, 0.914 },   /* sky blue      #56B4E9 */
	{ 0.000, 0.620, 0.451 },   /* bluish green  #009E73 */
	{ 0.941, 0.894, 0.259 },   /* yellow        #F0E442 */
	{ 0.000, 0.447, 0.698 },   /* blue          #0072B2 */
	{ 0.835, 0.369, 0.000 },   /* vermillion    #D55E00 */
	{ 0.800, 0.475, 0.655 },   /* reddish purple #CC79A7 */
};

struct mlfy_rgb mlfy_plot_series(size_t i)
{
	static const int order[7] = { 5, 1, 3, 6, 2, 7, 4 };
	return mlfy_okabe_ito[order[i % 7]];
}

struct mlfy_rgb mlfy_viridis(double t)
{
	/* viridis(9) as published by the viridisLite R package */
	static const unsigned hex[9] = { 0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21908C,
					 0x27AD81, 0x5DC863, 0xAADC32, 0xFDE725 };
	double u, f;
	int i;
	struct mlfy_rgb c;

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	u = t * 8;
	i = (int)floor(u);
	if (i >= 8)
		i = 7;
	f = u - i;
#define CH(h, s) ((double)(((h) >> (s)) & 0xFF) / 255.0)
	c.r = CH(hex[i], 16) * (1 - f) + CH(hex[i + 1], 16) * f;
	c.g = CH(hex[i], 8) * (1 - f) + CH(hex[i + 1], 8) * f;
	c.b = CH(hex[i], 0) * (1 - f) + CH(hex[i + 1], 0) * f;
#undef CH
	return c;
}

struct mlfy_rgb mlfy_plot_text_on(struct mlfy_rgb c)
{
	/* relative luminance (ITU-R BT.709 weights on sRGB-ish values) */
	double y = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
	return y > 0.45 ? (struct mlfy_rgb){ 0, 0, 0 } : (struct mlfy_rgb){ 1, 1, 1 };
}

void mlfy_plot_set_rgb(cairo_t *cr, struct mlfy_rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

void mlfy_plot_set_font(cairo_t *cr, double size, int bold)
{
	cairo_select_font_face(cr, MLFY_PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

double mlfy_plot_text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t te;
	cairo_text_extents(cr, s, &te);
	return te.x_advance;
}

double mlfy_plot_text_height(cairo_t *cr)
{
	cairo_font_extents_t fe;
	cairo_font_extents(cr, &fe);
	return fe.ascent + fe.descent;
}

void mlfy_plot_text(cairo_t *cr, double x, double y, double ax, double ay, double angle,
		    const char *s)
{
	cairo_font_extents_t fe;
	double w = mlfy_plot_text_width(cr, s), h;

	cairo_font_extents(cr, &fe);
	h = fe.ascent + fe.descent;
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, -angle);
	cairo_move_to(cr, -ax * w, -ay * h + fe.ascent);
	cairo_show_text(cr, s);
	cairo_restore(cr);
}

/* Moves i back to the start of the UTF-8 sequence it points into. */
static size_t utf8_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

const char *mlfy_plot_ellipsize(cairo_t *cr, const char *s, double max_w, char *buf, size_t n)
{
	size_t len = strlen(s), keep, head, tail;
	snprintf(buf, n, "%s", s);
	if (mlfy_plot_text_width(cr, buf) <= max_w)
		return buf;
	/* Keep the start and the end, the end getting about a third: model
	 * names of one family share their start and differ at the end (timm's
	 * "convnextv2_huge.fcmae_ft_in22k_in1k_384" vs "..._512"). */
	for (keep = len - 1; keep > 1; keep--) {
		tail = utf8_start(s, len - keep / 3);
		head = keep > len - tail ? utf8_start(s, keep - (len - tail)) : 0;
		while (head < 1 || (head < tail && ((unsigned char)s[head] & 0xC0) == 0x80))
			head++;   /* at least the first character, whole */
		snprintf(buf, n, "%.*s...%s", (int)head, s, s + tail);
		if (mlfy_plot_text_width(cr, buf) <= max_w)
			return buf;
	}
	return buf;
}

int mlfy_plot_ticks(double lo, double hi, int target, double *first, double *step)
{
	double span = hi - lo, raw, mag, f;
	int n;

	if (!(span > 0) || target < 1) {
		*first = lo;
		*step = 1;
		return 1;
	}
	raw = span / target;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	*step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
	*first = ceil(lo / *step - 1e-9) * *step;
	n = (int)floor((hi - *first) / *step + 1e-9) + 1;
	return n < 1 ? 1 : n;
}

void mlfy_plot_nice_range(double *lo, double *hi, int target)
{
	double first, step;
	/* a range too narrow for distinct ticks (all values equal, up to
	 * rounding) becomes +-1 around it */
	if (!(*hi - *lo > 1e-9 * fmax(fabs(*lo), fabs(*hi)))) {
		*lo -= 1;
		*hi += 1;
	}
	mlfy_plot_ticks(*lo, *hi, target, &first, &step);
	*lo = floor(*lo / step + 1e-9) * step;
	*hi = ceil(*hi / step - 1e-9) * step;
}

double mlfy_plot_mx(const struct mlfy_plot_area *a, double x)
{
	return a->x0 + (x - a->xmin) / (a->xmax - a->xmin) * (a->x1 - a->x0);
}

double mlfy_plot_my(const struct mlfy_plot_area *a, double y)
{
	return a->y1 - (y - a->ymin) / (a->ymax - a->ymin) * (a->y1 - a->y0);
}

int mlfy_plot_step_decimals(double step, int dec)
{
	int need;
	if (dec < 0 || !(step > 0) || !isfinite(step))
		return dec;
	need = (int)ceil(-log10(step) - 1e-9);
	return need > dec ? (need > 12 ? 12 : need) : dec;
}

void mlfy_plot_fmt(char *buf, size_t n, double v, int dec)
{
	if (fabs(v) < 1e-12)
		v = 0;
	if (dec >= 0)
		snprintf(buf, n, "%.*f", dec, v);
	else
		snprintf(buf, n, "%g", v);
}

void mlfy_plot_axes(cairo_t *cr, const struct mlfy_plot_area *a, int xdec, int ydec,
		    const char *xtitle, const char *ytitle)
{
	double first, step, v, maxw = 0;
	char buf[64];
	int i, n;

	/* grid */
	cairo_set_line_width(cr, 0.5);
	cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
	n = mlfy_plot_ticks(a->xmin, a->xmax, 6, &first, &step);
	for (i = 0; i < n; i++) {
		double px = mlfy_plot_mx(a, first + i * step);
		cairo_move_to(cr, px, a->y0);
		cairo_line_to(cr, px, a->y1);
	}
	n = mlfy_plot_ticks(a->ymin, a->ymax, 6, &first, &step);
	for (i = 0; i < n; i++) {
		double py = mlfy_plot_my(a, first + i * step);
		cairo_move_to(cr, a->x0, py);
		cairo_line_to(cr, a->x1, py);
	}
	cairo_stroke(cr);
	/* frame */
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, a->x0, a->y0, a->x1 - a->x0, a->y1 - a->y0);
	cairo_stroke(cr);
	/* tick labels */
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	cairo_set_source_rgb(cr, 0, 0, 0);
	n = mlfy_plot_ticks(a->xmin, a->xmax, 6, &first, &step);
	xdec = mlfy_plot_step_decimals(step, xdec);
	for (i = 0; i < n && xdec != MLFY_PLOT_NONE; i++) {
		v = first + i * step;
		mlfy_plot_fmt(buf, sizeof(buf), v, xdec);
		mlfy_plot_text(cr, mlfy_plot_mx(a, v), a->y1 + 4, 0.5, 0, 0, buf);
	}
	n = mlfy_plot_ticks(a->ymin, a->ymax, 6, &first, &step);
	ydec = mlfy_plot_step_decimals(step, ydec);
	for (i = 0; i < n && ydec != MLFY_PLOT_NONE; i++) {
		v = first + i * step;
		mlfy_plot_fmt(buf, sizeof(buf), v, ydec);
		mlfy_plot_text(cr, a->x0 - 4, mlfy_plot_my(a, v), 1, 0.5, 0, buf);
		if (mlfy_plot_text_width(cr, buf) > maxw)
			maxw = mlfy_plot_text_width(cr, buf);
	}
	/* axis titles */
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
	if (xtitle)
		mlfy_plot_text(cr, (a->x0 + a->x1) / 2, a->y1 + 4 + 1.4 * MLFY_PLOT_FS_TICK + 2,
			       0.5, 0, 0, xtitle);
	if (ytitle)
		mlfy_plot_text(cr, a->x0 - 4 - maxw - 6, (a->y0 + a->y1) / 2, 0.5, 1, M_PI / 2,
			       ytitle);
}

int mlfy_box_overlaps(const struct mlfy_box *b, const struct mlfy_box *set, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (b->x0 < set[i].x1 && set[i].x0 < b->x1 && b->y0 < set[i].y1 &&
		    set[i].y0 < b->y1)
			return 1;
	return 0;
}

void mlfy_plot_marker(cairo_t *cr, int shape, double x, double y, double r)
{
	switch (shape % 5) {
	case 0:
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, y, r, 0, 2 * M_PI);
		break;
	case 1:
		cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
		break;
	case 2:
		cairo_move_to(cr, x, y - 1.15 * r);
		cairo_line_to(cr, x + r, y + 0.75 * r);
		cairo_line_to(cr, x - r, y + 0.75 * r);
		cairo_close_path(cr);
		break;
	case 3:
		cairo_move_to(cr, x, y - 1.2 * r);
		cairo_line_to(cr, x + r, y);
		cairo_line_to(cr, x, y + 1.2 * r);
		cairo_line_to(cr, x - r, y);
		cairo_close_path(cr);
		break;
	default:
		cairo_move_to(cr, x, y + 1.15 * r);
		cairo_line_to(cr, x + r, y - 0.75 * r);
		cairo_line_to(cr, x - r, y - 0.75 * r);
		cairo_close_path(cr);
		break;
	}
}

/* A figure file being written: cairo streams into tmp, renamed to path
 * when complete, so a failed write never leaves a partial figure and the
 * error names the system's reason (not cairo's "error while writing to
 * output stream"). */
struct fig_file {
	FILE *f;
	int err;          /* errno of the first failed write */
	char path[4096], tmp[4200];
};

static cairo_status_t fig_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct fig_file *ff = closure;
	if (fwrite(data, 1, len, ff->f) != len) {
		if (!ff->err)
			ff->err = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static int fig_open(struct fig_file *ff, const char *dir, const char *name, const char *ext,
		    struct mlfy_err *err)
{
	snprintf(ff->path, sizeof(ff->path), "%s/%s.%s", dir, name, ext);
	snprintf(ff->tmp, sizeof(ff->tmp), "%s.tmp", ff->path);
	ff->err = 0;
	if (!(ff->f = fopen(ff->tmp, "wb")))
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot write figure: %s", ff->path,
				    strerror(errno));
	return 0;
}

/* Closes ff after cairo finished with status st; renames on success,
 * removes the temporary file otherwise. */
static int fig_close(struct fig_file *ff, cairo_status_t st, struct mlfy_err *err)
{
	int e = ff->err;
	if (fclose(ff->f) && !e)
		e = errno ? errno : EIO;
	if (!e && st == CAIRO_STATUS_SUCCESS && !rename(ff->tmp, ff->path))
		return 0;
	if (!e && st == CAIRO_STATUS_SUCCESS)
		e = errno;
	remove(ff->tmp);
	if (e)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot write figure: %s", ff->path,
				    strerror(e));
	return mlfy_err_set(err, MLFY_EIO, "%s: cannot write figure: %s", ff->path,
			    cairo_status_to_string(st));
}

static cairo_status_t finish(cairo_t *cr, cairo_surface_t *sf)
{
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	return st;
}

static void paint(cairo_t *cr, double w, double h, mlfy_plot_draw_fn draw, const void *data)
{
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	draw(cr, w, h, data);
}

int mlfy_plot_write(const char *dir, const char *name, int formats, double w, double h,
		    mlfy_plot_draw_fn draw, const void *data, struct mlfy_err *err)
{
	struct fig_file ff = { 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	cairo_status_t st;
	int rc;

	if (formats & MLFY_FIG_SVG) {
		if ((rc = fig_open(&ff, dir, name, "svg", err)))
			return rc;
		sf = cairo_svg_surface_create_for_stream(fig_write, &ff, w, h);
		cr = cairo_create(sf);
		paint(cr, w, h, draw, data);
		if ((rc = fig_close(&ff, finish(cr, sf), err)))
			return rc;
	}
	if (formats & MLFY_FIG_PDF) {
		if ((rc = fig_open(&ff, dir, name, "pdf", err)))
			return rc;
		sf = cairo_pdf_surface_create_for_stream(fig_write, &ff, w, h);
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "multilabelfy");
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, name);
		cr = cairo_create(sf);
		paint(cr, w, h, draw, data);
		if ((rc = fig_close(&ff, finish(cr, sf), err)))
			return rc;
	}
	if (formats & MLFY_FIG_PNG) {
		sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
						(int)ceil(w * MLFY_PLOT_PNG_SCALE),
						(int)ceil(h * MLFY_PLOT_PNG_SCALE));
		cr = cairo_create(sf);
		cairo_scale(cr, MLFY_PLOT_PNG_SCALE, MLFY_PLOT_PNG_SCALE);
		paint(cr, w, h, draw, data);
		st = cairo_status(cr);
		cairo_destroy(cr);
		if ((rc = fig_open(&ff, dir, name, "png", err))) {
			cairo_surface_destroy(sf);
			return rc;
		}
		if (st == CAIRO_STATUS_SUCCESS)
			st = cairo_surface_write_to_png_stream(sf, fig_write, &ff);
		cairo_surface_destroy(sf);
		if ((rc = fig_close(&ff, st, err)))
			return rc;
	}
	return 0;
}

/* ---- SVG in memory --------------------------------------------------------- */

/* A growing buffer cairo streams into. */
struct mem_out {
	char *p;
	size_t n, cap;
	int oom;
};

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct mem_out *m = closure;
	if (MLFY_GROW(m->p, m->cap, m->n + len + 1)) {
		m->oom = 1;
		return CAIRO_STATUS_NO_MEMORY;
	}
	memcpy(m->p + m->n, data, len);
	m->n += len;
	return CAIRO_STATUS_SUCCESS;
}

/* Appends s[0..n) to m, XML-escaped when esc. */
static void mem_put(struct mem_out *m, const char *s, size_t n, int esc)
{
	size_t i;
	if (!esc) {
		if (n && !m->oom)
			mem_write(m, (const unsigned char *)s, (unsigned)n);
		return;
	}
	for (i = 0; i < n && !m->oom; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		default: break;
		}
		if (e)
			mem_write(m, (const unsigned char *)e, (unsigned)strlen(e));
		else
			mem_write(m, (const unsigned char *)&s[i], 1);
	}
}

/* A copy of the document doc[0..n) with <title> and <desc> after the
 * <svg ...> start tag (at its end when there is none). */
static int with_text(const char *doc, size_t n, const char *title, const char *desc,
		     struct mem_out *out)
{
	const char *svg = strstr(doc, "<svg"), *end = svg ? strchr(svg, '>') : NULL;
	size_t at = end ? (size_t)(end - doc) + 1 : n;

	mem_put(out, doc, at, 0);
	if (title) {
		mem_put(out, "\n<title>", 8, 0);
		mem_put(out, title, strlen(title), 1);
		mem_put(out, "</title>", 8, 0);
	}
	if (desc) {
		mem_put(out, "\n<desc>", 7, 0);
		mem_put(out, desc, strlen(desc), 1);
		mem_put(out, "</desc>", 7, 0);
	}
	mem_put(out, doc + at, n - at, 0);
	return out->oom ? MLFY_ENOMEM : 0;
}

int mlfy_plot_svg_buffer(double w, double h, mlfy_plot_draw_fn draw, const void *data,
			 const char *title, const char *desc, char **svg, size_t *len,
			 struct mlfy_err *err)
{
	struct mem_out raw = { 0 }, out = { 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	cairo_status_t st;

	*svg = NULL;
	*len = 0;
	sf = cairo_svg_surface_create_for_stream(mem_write, &raw, w, h);
	cr = cairo_create(sf);
	paint(cr, w, h, draw, data);
	st = finish(cr, sf);
	if (!raw.oom && st == CAIRO_STATUS_SUCCESS && raw.p) {
		raw.p[raw.n] = '\0';   /* room for it: mem_write keeps one byte spare */
		if (!with_text(raw.p, raw.n, title, desc, &out) && !MLFY_GROW(out.p, out.cap, out.n + 1)) {
			free(raw.p);
			out.p[out.n] = '\0';
			*svg = out.p;
			*len = out.n;
			return 0;
		}
		raw.oom = 1;
	}
	MLFY_FREE_ALL(raw.p, out.p);
	if (raw.oom || st == CAIRO_STATUS_NO_MEMORY)
		return mlfy_err_oom(err);
	return mlfy_err_set(err, MLFY_EIO, "cannot draw the SVG figure: %s",
			    st == CAIRO_STATUS_SUCCESS ? "no output" : cairo_status_to_string(st));
}

void mlfy_plot_shutdown(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}

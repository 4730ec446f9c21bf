/* quality_figures.c - the forest and range plots of the quality section
 * (quality_figures.h): the layout is measured from the text first, then
 * one draw function that plot.c renders into every requested format. */
#include "report/quality_figures.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FIG_W 640.0
#define ROW_H 30.0          /* points per person */
#define PLOT_TOP 52.0       /* below the title and the legend */
#define LEFT_MAX 200.0      /* widest name column */
#define RIGHT_MAX 150.0     /* widest flag column */
#define WARN "\xE2\x9A\xA0 "   /* U+26A0 WARNING SIGN (DejaVu Sans has it) */

struct layout {
	const struct mlfy_fig_intervals *f;
	double left_w, right_w;   /* text columns, points */
	double xmin, xmax;        /* axis, in axis units */
	int any_flag;
};

static struct mlfy_rgb flag_rgb(void)
{
	return mlfy_okabe_ito[6];   /* vermillion */
}

/* Measures the text columns and fixes the axis range. */
static void measure(struct layout *l)
{
	const struct mlfy_fig_intervals *f = l->f;
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	cairo_t *cr = cairo_create(sf);
	double hi = -INFINITY;
	size_t i, s;

	l->left_w = 60;
	l->right_w = 0;
	for (i = 0; i < f->n_rows; i++) {
		const struct mlfy_fig_interval_row *r = &f->rows[i];
		double w;
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 1);
		w = mlfy_plot_text_width(cr, r->name ? r->name : "") +
		    (r->flagged ? mlfy_plot_text_width(cr, WARN) : 0);
		l->left_w = fmax(l->left_w, w);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
		if (r->note)
			l->left_w = fmax(l->left_w, mlfy_plot_text_width(cr, r->note));
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, f->right_flags && r->flagged);
		if (r->right)
			l->right_w = fmax(l->right_w, mlfy_plot_text_width(cr, r->right));
		l->any_flag |= r->flagged;
		for (s = 0; s < f->n_series; s++)
			if (!isnan(r->est[s]))
				hi = fmax(hi, fmax(r->hi[s], r->est[s]) * f->scale);
	}
	l->left_w = fmin(l->left_w, LEFT_MAX);
	l->right_w = fmin(l->right_w, RIGHT_MAX);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	l->xmin = f->xmin;
	l->xmax = f->xmax;
	if (isnan(l->xmax)) {
		if (!isnan(f->ref))
			hi = fmax(hi, f->ref * f->scale);
		l->xmax = isfinite(hi) && hi > l->xmin ? l->xmin + 1.05 * (hi - l->xmin) : l->xmin + 1;
		mlfy_plot_nice_range(&l->xmin, &l->xmax, 6);
	}
}

/* Frame, vertical grid lines, tick labels and the axis title. */
static void x_axis(cairo_t *cr, const struct mlfy_plot_area *a, int xdec, const char *title)
{
	double first, step;
	char buf[64];
	int i, n = mlfy_plot_ticks(a->xmin, a->xmax, 6, &first, &step);

	cairo_set_line_width(cr, 0.5);
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	for (i = 0; i < n; i++) {
		double px = mlfy_plot_mx(a, first + i * step);
		cairo_move_to(cr, px, a->y0);
		cairo_line_to(cr, px, a->y1);
	}
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, a->x0, a->y0, a->x1 - a->x0, a->y1 - a->y0);
	cairo_stroke(cr);
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	cairo_set_source_rgb(cr, 0, 0, 0);
	xdec = mlfy_plot_step_decimals(step, xdec);
	for (i = 0; i < n; i++) {
		double v = first + i * step;
		mlfy_plot_fmt(buf, sizeof(buf), v, xdec);
		mlfy_plot_text(cr, mlfy_plot_mx(a, v), a->y1 + 4, 0.5, 0, 0, buf);
	}
	if (title) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
		mlfy_plot_text(cr, (a->x0 + a->x1) / 2, a->y1 + 6 + 1.4 * MLFY_PLOT_FS_TICK, 0.5, 0, 0, title);
	}
}

static void dashed(cairo_t *cr, double x0, double y0, double x1, double y1)
{
	static const double dash[2] = { 4, 3 };
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	cairo_set_line_width(cr, 1.2);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* A box of series colour c from px0 to px1 around y, with a bar at pm. */
static void box(cairo_t *cr, struct mlfy_rgb c, double px0, double px1, double pm, double y)
{
	cairo_rectangle(cr, px0, y - 6, fmax(px1 - px0, 0.5), 12);
	cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.35);
	cairo_fill_preserve(cr);
	mlfy_plot_set_rgb(cr, c);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 2.5);
	cairo_move_to(cr, pm, y - 8);
	cairo_line_to(cr, pm, y + 8);
	cairo_stroke(cr);
}

/* A point of series s (marker shape s) with its whisker from px0 to px1. */
static void whisker(cairo_t *cr, size_t s, double px0, double px1, double pm, double y)
{
	struct mlfy_rgb c = mlfy_plot_series(s);
	mlfy_plot_set_rgb(cr, c);
	cairo_set_line_width(cr, 1.6);
	cairo_move_to(cr, px0, y);
	cairo_line_to(cr, px1, y);
	cairo_move_to(cr, px0, y - 3);
	cairo_line_to(cr, px0, y + 3);
	cairo_move_to(cr, px1, y - 3);
	cairo_line_to(cr, px1, y + 3);
	cairo_stroke(cr);
	cairo_new_path(cr);
	mlfy_plot_marker(cr, (int)s, pm, y, 3.8);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, 0.7);
	cairo_stroke(cr);
}

/* The legend line under the title, from x at height y (dry: only
 * measures); returns where it ends. */
static double legend(cairo_t *cr, const struct layout *l, double x, double y, int dry)
{
	const struct mlfy_fig_intervals *f = l->f;
	size_t s;

	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	for (s = 0; s < f->n_series; s++) {
		if (!f->series[s])
			continue;
		if (!dry) {
			if (f->boxes)
				box(cr, mlfy_plot_series(s), x, x + 18, x + 10, y);
			else
				whisker(cr, s, x, x + 18, x + 9, y);
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
			cairo_set_source_rgb(cr, 0, 0, 0);
			mlfy_plot_text(cr, x + 24, y, 0, 0.5, 0, f->series[s]);
		}
		x += 24 + mlfy_plot_text_width(cr, f->series[s]) + 16;
	}
	if (!isnan(f->ref) && f->ref_label) {
		if (!dry) {
			dashed(cr, x + 9, y - 7, x + 9, y + 7);
			cairo_set_source_rgb(cr, 0, 0, 0);
			mlfy_plot_text(cr, x + 16, y, 0, 0.5, 0, f->ref_label);
		}
		x += 16 + mlfy_plot_text_width(cr, f->ref_label) + 16;
	}
	if (l->any_flag) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 1);
		if (!dry) {
			mlfy_plot_set_rgb(cr, flag_rgb());
			mlfy_plot_text(cr, x, y, 0, 0.5, 0, WARN "flagged");
		}
		x += mlfy_plot_text_width(cr, WARN "flagged");
	}
	return x;
}

static void draw_row_label(cairo_t *cr, const struct mlfy_fig_interval_row *r, double left_w, double yc)
{
	char buf[256];
	double x = 10, wa = 0;

	mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 1);
	if (r->flagged) {
		wa = mlfy_plot_text_width(cr, WARN);
		mlfy_plot_set_rgb(cr, flag_rgb());
		mlfy_plot_text(cr, x, r->note ? yc + 0.5 : yc, 0, r->note ? 1 : 0.5, 0, WARN);
	} else {
		cairo_set_source_rgb(cr, 0, 0, 0);
	}
	mlfy_plot_ellipsize(cr, r->name ? r->name : "", left_w - wa, buf, sizeof(buf));
	mlfy_plot_text(cr, x + wa, r->note ? yc + 0.5 : yc, 0, r->note ? 1 : 0.5, 0, buf);
	if (r->note) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		mlfy_plot_ellipsize(cr, r->note, left_w, buf, sizeof(buf));
		mlfy_plot_text(cr, x, yc + 1.5, 0, 0, 0, buf);
	}
}

static double clampx(const struct mlfy_plot_area *a, double v)
{
	return fmin(fmax(mlfy_plot_mx(a, v), a->x0), a->x1);
}

static void draw(cairo_t *cr, double w, double h, const void *data)
{
	const struct layout *l = data;
	const struct mlfy_fig_intervals *f = l->f;
	struct mlfy_plot_area a;
	char buf[256];
	size_t i, s;

	a = (struct mlfy_plot_area){ 10 + l->left_w + 12, PLOT_TOP, w - 12 - (l->right_w ? l->right_w + 10 : 0),
				     PLOT_TOP + ROW_H * (double)f->n_rows, l->xmin, l->xmax, 0, 1 };
	if (f->title) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TITLE, 1);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, w / 2, 10, 0.5, 0, 0, f->title);
	}
	legend(cr, l, fmax(8, (w - legend(cr, l, 0, 36, 1)) / 2), 36, 0);
	/* bands on every other row, across the names, so that a row reads
	 * from the name to its marks */
	for (i = 1; i < f->n_rows; i += 2) {
		cairo_rectangle(cr, 4, a.y0 + ROW_H * (double)i, w - 8, ROW_H);
		cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
		cairo_fill(cr);
	}
	x_axis(cr, &a, f->xdec, f->xtitle);
	if (!isnan(f->ref) && f->ref * f->scale >= a.xmin && f->ref * f->scale <= a.xmax)
		dashed(cr, mlfy_plot_mx(&a, f->ref * f->scale), a.y0, mlfy_plot_mx(&a, f->ref * f->scale), a.y1);
	for (i = 0; i < f->n_rows; i++) {
		const struct mlfy_fig_interval_row *r = &f->rows[i];
		double yc = a.y0 + ROW_H * ((double)i + 0.5);
		draw_row_label(cr, r, l->left_w, yc);
		if (r->right && l->right_w) {
			int alert = f->right_flags && r->flagged;
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, alert);
			if (alert)
				mlfy_plot_set_rgb(cr, flag_rgb());
			else
				cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
			mlfy_plot_ellipsize(cr, r->right, l->right_w, buf, sizeof(buf));
			mlfy_plot_text(cr, a.x1 + 8, yc, 0, 0.5, 0, buf);
		}
		for (s = 0; s < f->n_series; s++) {
			double y = f->n_series > 1 ? yc + (s ? 5.5 : -5.5) : yc;
			double k = f->scale;
			if (isnan(r->est[s])) {
				if (s == 0 && f->empty) {
					mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
					cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
					mlfy_plot_text(cr, a.x0 + 6, y, 0, 0.5, 0, f->empty);
				}
				continue;
			}
			if (f->boxes)
				box(cr, mlfy_plot_series(s), clampx(&a, k * r->lo[s]), clampx(&a, k * r->hi[s]),
				    clampx(&a, k * r->est[s]), y);
			else
				whisker(cr, s, clampx(&a, k * r->lo[s]), clampx(&a, k * r->hi[s]),
					clampx(&a, k * r->est[s]), y);
		}
	}
	(void)h;
}

int mlfy_fig_intervals(const char *dir, const char *name, int formats, const struct mlfy_fig_intervals *f,
		       struct mlfy_err *err)
{
	struct layout l = { f, 0, 0, 0, 0, 0 };

	if (!f->n_rows || f->n_rows > MLFY_FIG_INTERVALS_MAX_ROWS)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a figure of people needs 1 to %d rows (got %zu)", name,
				    MLFY_FIG_INTERVALS_MAX_ROWS, f->n_rows);
	if (f->n_series < 1 || f->n_series > 2 || (f->boxes && f->n_series != 1))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %zu series (1 or 2; 1 with boxes)", name, f->n_series);
	measure(&l);
	if (!(l.xmax > l.xmin) || !(f->scale > 0))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty axis range", name);
	return mlfy_plot_write(dir, name, formats, FIG_W, PLOT_TOP + ROW_H * (double)f->n_rows + 44, draw, &l,
			       err);
}

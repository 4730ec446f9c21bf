/* figures.c - the report's figures drawn with cairo (see figures.h).  Each
 * figure is a layout computed from measured text, then one draw function
 * that plot.c renders into every requested format. */
#include "report/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/live.h"
#include "evaluate/scores.h"
#include "util/numfmt.h"

/* A scratch context for measuring text before the figure size is known. */
static cairo_t *measure_ctx(cairo_surface_t **sf)
{
	*sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	return cairo_create(*sf);
}

static void measure_done(cairo_t *cr, cairo_surface_t *sf)
{
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
}

static void draw_title(cairo_t *cr, double w, const char *title)
{
	if (!title)
		return;
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TITLE, 1);
	cairo_set_source_rgb(cr, 0, 0, 0);
	mlfy_plot_text(cr, w / 2, 10, 0.5, 0, 0, title);
}

/* ---- donut ---------------------------------------------------------------- */

struct donut {
	const char *title;
	const struct mlfy_fig_slice *s;
	size_t n;
	size_t total;
};

#define DONUT_W 500.0
#define DONUT_H 320.0

static void draw_donut(cairo_t *cr, double w, double h, const void *data)
{
	const struct donut *d = data;
	double cx = 165, cy = 180, ro = 112, ri = 64, a0 = -M_PI / 2;
	struct mlfy_box boxes[64];
	size_t nb = 0, i;
	char buf[128], cnt[32], pct[32];

	draw_title(cr, w, d->title);
	/* slices */
	for (i = 0; i < d->n; i++) {
		double a1;
		if (!d->s[i].count)
			continue;
		a1 = a0 + 2 * M_PI * (double)d->s[i].count / (double)d->total;
		cairo_new_path(cr);
		cairo_arc(cr, cx, cy, ro, a0, a1);
		cairo_arc_negative(cr, cx, cy, ri, a1, a0);
		cairo_close_path(cr);
		mlfy_plot_set_rgb(cr, mlfy_plot_series(i));
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_set_line_width(cr, 1.5);
		cairo_stroke(cr);
		a0 = a1;
	}
	/* percentages: inside the ring when the slice is wide enough, else
	 * outside with a leader line, pushed outward until it overlaps no other */
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 1);
	a0 = -M_PI / 2;
	for (i = 0; i < d->n; i++) {
		double share, am, a1, tw, th, rr;
		struct mlfy_box b;
		if (!d->s[i].count)
			continue;
		share = (double)d->s[i].count / (double)d->total;
		a1 = a0 + 2 * M_PI * share;
		am = (a0 + a1) / 2;
		a0 = a1;
		mlfy_fmt_pct(pct, sizeof(pct), share, 2, 1);
		tw = mlfy_plot_text_width(cr, pct);
		th = mlfy_plot_text_height(cr);
		if ((a1 - (am - (a1 - am))) * (ri + ro) / 2 > tw + 6) {
			double x = cx + cos(am) * (ri + ro) / 2, y = cy + sin(am) * (ri + ro) / 2;
			mlfy_plot_set_rgb(cr, mlfy_plot_text_on(mlfy_plot_series(i)));
			mlfy_plot_text(cr, x, y, 0.5, 0.5, 0, pct);
			continue;
		}
		for (rr = ro + 14; rr < ro + 80; rr += 4) {  /* NOLINT(cert-flp30-c,clang-analyzer-security.FloatLoopCounter): at most 17 exact steps of 4 px */
			double x = cx + cos(am) * rr, y = cy + sin(am) * rr;
			double ax = cos(am) >= 0 ? 0 : 1;
			b.x0 = x - ax * tw - 1;
			b.x1 = b.x0 + tw + 2;
			b.y0 = y - th / 2;
			b.y1 = y + th / 2;
			if (!mlfy_box_overlaps(&b, boxes, nb) || rr + 4 >= ro + 80) {
				cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
				cairo_set_line_width(cr, 0.6);
				cairo_move_to(cr, cx + cos(am) * (ro + 1), cy + sin(am) * (ro + 1));
				cairo_line_to(cr, cx + cos(am) * (rr - 3), cy + sin(am) * (rr - 3));
				cairo_stroke(cr);
				cairo_set_source_rgb(cr, 0, 0, 0);
				mlfy_plot_text(cr, x, y, ax, 0.5, 0, pct);
				if (nb < 64)
					boxes[nb++] = b;
				break;
			}
		}
	}
	/* centre: the total */
	cairo_set_source_rgb(cr, 0, 0, 0);
	mlfy_plot_set_font(cr, 14, 1);
	mlfy_plot_text(cr, cx, cy - 2, 0.5, 1, 0, mlfy_fmt_count(cnt, sizeof(cnt), d->total));
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	mlfy_plot_text(cr, cx, cy + 2, 0.5, 0, 0, "images");
	/* legend: swatch, label, count and share */
	{
		double lx = 330, ly = cy - d->n * 22.0 / 2, lh = 22;
		for (i = 0; i < d->n; i++) {
			double y = ly + i * lh;
			mlfy_plot_set_rgb(cr, mlfy_plot_series(i));
			cairo_rectangle(cr, lx, y - 6, 12, 12);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, 0, 0, 0);
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
			mlfy_plot_text(cr, lx + 18, y, 0, 0.5, 0, d->s[i].label);
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
			mlfy_fmt_pct(pct, sizeof(pct), (double)d->s[i].count / (double)d->total, 2, 1);
			snprintf(buf, sizeof(buf), "%s (%s)",
				 mlfy_fmt_count(cnt, sizeof(cnt), d->s[i].count), pct);
			cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
			mlfy_plot_text(cr, w - 12, y, 1, 0.5, 0, buf);
		}
	}
	(void)h;
}

int mlfy_fig_donut(const char *dir, const char *name, int formats, const char *title,
		   const struct mlfy_fig_slice *s, size_t n, struct mlfy_err *err)
{
	struct donut d = { title, s, n, 0 };
	size_t i;
	if (n == 0 || n > 12)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a donut needs 1 to 12 slices (got %zu)",
				    name, n);
	for (i = 0; i < n; i++)
		d.total += s[i].count;
	if (!d.total)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: no images to chart", name);
	return mlfy_plot_write(dir, name, formats, DONUT_W, DONUT_H, draw_donut, &d, err);
}

/* ---- scatter with fitted line -------------------------------------------- */

#define SCATTER_W 520.0
#define SCATTER_H 400.0
/* With at most this many points every point is named, outliers first. */
#define SCATTER_NAME_ALL 20

static void draw_scatter(cairo_t *cr, double w, double h, const void *data)
{
	const struct mlfy_fig_scatter *f = data;
	struct mlfy_plot_area a;
	struct mlfy_box boxes[64];
	size_t nb = 0, i, n_out = 0, *order = NULL, labelled = 0;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	char buf[256], cnt[32];

	draw_title(cr, w, f->title);
	for (i = 0; i < f->n; i++) {
		xmin = fmin(xmin, f->x[i]);
		xmax = fmax(xmax, f->x[i]);
		ymin = fmin(ymin, f->y[i]);
		ymax = fmax(ymax, f->y[i]);
	}
	/* 3 % padding so that no point sits on the frame */
	{
		double px = 0.03 * fmax(xmax - xmin, 1e-9), py = 0.03 * fmax(ymax - ymin, 1e-9);
		xmin -= px;
		xmax += px;
		ymin -= py;
		ymax += py;
	}
	mlfy_plot_nice_range(&xmin, &xmax, 6);
	mlfy_plot_nice_range(&ymin, &ymax, 6);
	a = (struct mlfy_plot_area){ 62, 34, w - 16, h - 46, xmin, xmax, ymin, ymax };
	mlfy_plot_axes(cr, &a, 0, 0, f->xtitle, f->ytitle);

	cairo_save(cr);
	cairo_rectangle(cr, a.x0, a.y0, a.x1 - a.x0, a.y1 - a.y0);
	cairo_clip(cr);
	/* points (translucent so dense regions read darker; solid and larger
	 * when there are few) */
	for (i = 0; i < f->n; i++) {
		int out = f->fit && fabs(f->fit->studentized[i]) > f->outlier_t;
		if (out)
			continue;
		mlfy_plot_marker(cr, 0, mlfy_plot_mx(&a, f->x[i]), mlfy_plot_my(&a, f->y[i]),
				 f->n <= SCATTER_NAME_ALL ? 3.5 : 2.2);
	}
	cairo_set_source_rgba(cr, mlfy_okabe_ito[5].r, mlfy_okabe_ito[5].g, mlfy_okabe_ito[5].b,
			      f->n <= SCATTER_NAME_ALL ? 1.0 : 0.45);
	cairo_fill(cr);
	/* fitted line */
	if (f->fit) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_line_width(cr, 1.4);
		cairo_move_to(cr, a.x0, mlfy_plot_my(&a, f->fit->intercept + f->fit->slope * xmin));
		cairo_line_to(cr, a.x1, mlfy_plot_my(&a, f->fit->intercept + f->fit->slope * xmax));
		cairo_stroke(cr);
		/* outliers on top */
		for (i = 0; i < f->n; i++)
			if (fabs(f->fit->studentized[i]) > f->outlier_t) {
				mlfy_plot_marker(cr, 3, mlfy_plot_mx(&a, f->x[i]),
						 mlfy_plot_my(&a, f->y[i]), 3.2);
				n_out++;
			}
		mlfy_plot_set_rgb(cr, mlfy_okabe_ito[6]);
		cairo_fill(cr);
	}
	cairo_restore(cr);

	/* equation box, top left */
	if (f->fit) {
		struct mlfy_box eq;
		double tw, lh;
		char l1[160], l2[160], l3[160];
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
		snprintf(l1, sizeof(l1), "%s = %.4f \xC3\x97 %s %s %.2f", f->ysym, f->fit->slope,
			 f->xsym, f->fit->intercept < 0 ? "\xE2\x88\x92" : "+",
			 fabs(f->fit->intercept));
		snprintf(l2, sizeof(l2), "R\xC2\xB2 = %.4f,  n = %s", f->fit->r2,
			 mlfy_fmt_count(cnt, sizeof(cnt), f->fit->n));
		if (f->fit->n < 4)
			snprintf(l3, sizeof(l3), "outliers: need \xE2\x89\xA5 4 points");
		else
			snprintf(l3, sizeof(l3), "%zu outlier%s (|studentized residual| > %g)",
				 n_out, n_out == 1 ? "" : "s", f->outlier_t);
		tw = fmax(mlfy_plot_text_width(cr, l1),
			  fmax(mlfy_plot_text_width(cr, l2), mlfy_plot_text_width(cr, l3)));
		lh = mlfy_plot_text_height(cr) + 2;
		eq = (struct mlfy_box){ a.x0 + 6, a.y0 + 6, a.x0 + 6 + tw + 12, a.y0 + 6 + 3 * lh + 8 };
		cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
		cairo_rectangle(cr, eq.x0, eq.y0, eq.x1 - eq.x0, eq.y1 - eq.y0);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
		cairo_set_line_width(cr, 0.6);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, eq.x0 + 6, eq.y0 + 4, 0, 0, 0, l1);
		mlfy_plot_text(cr, eq.x0 + 6, eq.y0 + 4 + lh, 0, 0, 0, l2);
		/* the outlier marker in the legend line */
		mlfy_plot_marker(cr, 3, eq.x0 + 10, eq.y0 + 4 + 2.5 * lh - 1, 3.2);
		mlfy_plot_set_rgb(cr, mlfy_okabe_ito[6]);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, eq.x0 + 18, eq.y0 + 4 + 2 * lh, 0, 0, 0, l3);
		boxes[nb++] = eq;
	}

	/* outlier names, most extreme first: of 8 candidate positions around
	 * the point take the one covering the fewest other points and not
	 * crossing the fitted line; skip the name when every candidate leaves
	 * the plot or overlaps a label already placed */
	if (f->fit && f->names && (n_out || f->n <= SCATTER_NAME_ALL) && f->max_labels &&
	    (order = malloc(f->n * sizeof(size_t)))) {
		size_t m = mlfy_linfit_outliers(f->fit, f->outlier_t, order, n_out), max_labels = f->max_labels;
		if (f->n <= SCATTER_NAME_ALL) {
			/* the other points after the outliers, in input order */
			for (i = 0; i < f->n; i++)
				if (!(fabs(f->fit->studentized[i]) > f->outlier_t))
					order[m++] = i;
			max_labels = f->n;
		}
		static const double dx[8] = { 6, -6, 4, 4, -4, -4, 0, 0 };
		static const double dy[8] = { 0, 0, -9, 9, -9, 9, -11, 11 };
		static const double ax[8] = { 0, 1, 0, 0, 1, 1, 0.5, 0.5 };
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
		for (i = 0; i < m && labelled < max_labels; i++) {
			size_t p = order[i], q;
			double px = mlfy_plot_mx(&a, f->x[p]), py = mlfy_plot_my(&a, f->y[p]);
			double th = mlfy_plot_text_height(cr), tw, best_score = INFINITY;
			const char *s = mlfy_plot_ellipsize(cr, f->names[p], 150, buf, sizeof(buf));
			struct mlfy_box best = { 0, 0, 0, 0 };
			int c;
			tw = mlfy_plot_text_width(cr, s);
			for (c = 0; c < 8; c++) {
				struct mlfy_box b;
				double score = 0, ya, yb;
				b.x0 = px + dx[c] - ax[c] * tw - 1;
				b.x1 = b.x0 + tw + 2;
				b.y0 = py + dy[c] - th / 2;
				b.y1 = b.y0 + th;
				if (b.x0 < a.x0 + 2 || b.x1 > a.x1 - 2 || b.y0 < a.y0 + 2 ||
				    b.y1 > a.y1 - 2 || mlfy_box_overlaps(&b, boxes, nb))
					continue;
				for (q = 0; q < f->n; q++) {
					double qx = mlfy_plot_mx(&a, f->x[q]), qy = mlfy_plot_my(&a, f->y[q]);
					if (q != p && qx > b.x0 - 2 && qx < b.x1 + 2 && qy > b.y0 - 2 &&
					    qy < b.y1 + 2)
						score += fabs(f->fit->studentized[q]) > f->outlier_t ? 10 : 1;
				}
				/* the line's y at the box's left and right edges */
				ya = mlfy_plot_my(&a, f->fit->intercept +
						      f->fit->slope * (xmin + (b.x0 - a.x0) / (a.x1 - a.x0) * (xmax - xmin)));
				yb = mlfy_plot_my(&a, f->fit->intercept +
						      f->fit->slope * (xmin + (b.x1 - a.x0) / (a.x1 - a.x0) * (xmax - xmin)));
				if (fmax(ya, yb) > b.y0 && fmin(ya, yb) < b.y1)
					score += 50;
				score += c * 0.01;   /* prefer the earlier candidates on ties */
				if (score < best_score) {
					best_score = score;
					best = b;
				}
			}
			if (isinf(best_score))
				continue;
			cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
			cairo_rectangle(cr, best.x0, best.y0, best.x1 - best.x0, best.y1 - best.y0);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
			mlfy_plot_text(cr, best.x0 + 1, best.y0, 0, 0, 0, s);
			if (nb < 64)
				boxes[nb++] = best;
			labelled++;
		}
		free(order);
		/* outlier markers again, above the label backgrounds */
		for (i = 0; i < f->n; i++)
			if (fabs(f->fit->studentized[i]) > f->outlier_t)
				mlfy_plot_marker(cr, 3, mlfy_plot_mx(&a, f->x[i]),
						 mlfy_plot_my(&a, f->y[i]), 3.2);
		mlfy_plot_set_rgb(cr, mlfy_okabe_ito[6]);
		cairo_fill(cr);
	}
}

static int scatter_check(const char *name, const struct mlfy_fig_scatter *f, struct mlfy_err *err)
{
	size_t i;
	if (f->n < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: no points to plot", name);
	if (f->fit && f->fit->n != f->n)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: the fit has %zu points, the plot %zu",
				    name, f->fit->n, f->n);
	for (i = 0; i < f->n; i++)
		if (!isfinite(f->x[i]) || !isfinite(f->y[i]))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: point %zu is not finite", name,
					    i + 1);
	return 0;
}

int mlfy_fig_scatter(const char *dir, const char *name, int formats,
		     const struct mlfy_fig_scatter *f, struct mlfy_err *err)
{
	int rc = scatter_check(name, f, err);
	return rc ? rc : mlfy_plot_write(dir, name, formats, SCATTER_W, SCATTER_H, draw_scatter, f, err);
}

int mlfy_fig_scatter_svg(const struct mlfy_fig_scatter *f, char **svg, size_t *len,
			 struct mlfy_err *err)
{
	char *desc = NULL;
	size_t n = 0, i;
	FILE *m;
	int rc;

	*svg = NULL;
	*len = 0;
	if ((rc = scatter_check(f->title ? f->title : "scatter", f, err)))
		return rc;
	if (!(m = open_memstream(&desc, &n)))
		return mlfy_err_oom(err);
	fprintf(m, "%zu point%s:", f->n, f->n == 1 ? "" : "s");
	for (i = 0; i < f->n; i++)
		fprintf(m, "%s %s (%s %.2f, %s %.2f)", i ? ";" : "", f->names ? f->names[i] : "",
			f->xsym, f->x[i], f->ysym, f->y[i]);
	if (f->fit)
		fprintf(m, ". Fitted line: %s = %.4f \xC3\x97 %s %s %.2f, R\xC2\xB2 = %.4f, n = %zu.", f->ysym,
			f->fit->slope, f->xsym, f->fit->intercept < 0 ? "\xE2\x88\x92" : "+",
			fabs(f->fit->intercept), f->fit->r2, f->fit->n);
	if (fclose(m) || !desc) {
		free(desc);
		return mlfy_err_oom(err);
	}
	rc = mlfy_plot_svg_buffer(SCATTER_W, SCATTER_H, draw_scatter, f, f->title, desc, svg, len, err);
	free(desc);
	return rc;
}

void mlfy_fig_scatter_real_vs_top1(struct mlfy_fig_scatter *f, const struct mlfy_model_scores *s,
				   const struct mlfy_linfit *fit, double outlier_t)
{
	*f = (struct mlfy_fig_scatter){ "ReaL accuracy vs top-1 accuracy", "top-1 accuracy (%)",
					"ReaL accuracy (%)", "top-1", "ReaL", s->n, s->top1, s->real,
					(const char *const *)s->model, fit, outlier_t, 8 };
}

int mlfy_live_scatter_svg(const struct mlfy_live_view *v, char **svg, size_t *len,
			  struct mlfy_err *err)
{
	struct mlfy_model_scores s = { 0 };
	struct mlfy_linfit fit;
	struct mlfy_fig_scatter f;
	int rc;

	*svg = NULL;
	*len = 0;
	if ((rc = mlfy_live_scores(v, &s, &fit, err)))
		return rc;
	mlfy_fig_scatter_real_vs_top1(&f, &s, &fit, MLFY_FIG_OUTLIER_T);
	rc = mlfy_fig_scatter_svg(&f, svg, len, err);
	mlfy_linfit_release(&fit);
	mlfy_model_scores_release(&s);
	return rc;
}

/* ---- heatmap -------------------------------------------------------------- */

struct heat_layout {
	const struct mlfy_fig_heatmap *f;
	double left;      /* width of the row-name column */
	double cw, ch;    /* cell size */
	double top;       /* y of the first row */
};

#define HEAT_NAME_MAX 200.0

static struct mlfy_rgb heat_colour(const struct mlfy_fig_heatmap *f, double v)
{
	double t = (v - f->vmin) / (f->vmax - f->vmin);
	return mlfy_viridis(f->reverse ? 1 - t : t);
}

static void draw_heatmap(cairo_t *cr, double w, double h, const void *data)
{
	const struct heat_layout *L = data;
	const struct mlfy_fig_heatmap *f = L->f;
	double x0 = L->left, y0 = L->top, gx, gy, bar_x, first, step;
	size_t r, c;
	char buf[256];
	int i, nt;

	draw_title(cr, w, f->title);
	/* column headers */
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 1);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (c = 0; c < f->cols; c++)
		mlfy_plot_text(cr, x0 + (c + 0.5) * L->cw, y0 - 4, 0.5, 1, 0, f->col_names[c]);
	/* cells */
	for (r = 0; r < f->rows; r++) {
		double y = y0 + r * L->ch;
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, x0 - 6, y + L->ch / 2, 1, 0.5, 0,
			       mlfy_plot_ellipsize(cr, f->row_names[r], HEAT_NAME_MAX, buf,
						   sizeof(buf)));
		for (c = 0; c < f->cols; c++) {
			double v = f->values[r * f->cols + c], x = x0 + c * L->cw;
			struct mlfy_rgb col;
			if (isnan(v)) {
				cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
				cairo_rectangle(cr, x, y, L->cw, L->ch);
				cairo_fill(cr);
				cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
				mlfy_plot_text(cr, x + L->cw / 2, y + L->ch / 2, 0.5, 0.5, 0, "-");
				continue;
			}
			col = heat_colour(f, v);
			mlfy_plot_set_rgb(cr, col);
			cairo_rectangle(cr, x, y, L->cw, L->ch);
			cairo_fill(cr);
			mlfy_plot_fmt(buf, sizeof(buf), v, f->cell_decimals);
			mlfy_plot_set_rgb(cr, mlfy_plot_text_on(col));
			mlfy_plot_text(cr, x + L->cw / 2, y + L->ch / 2, 0.5, 0.5, 0, buf);
		}
	}
	/* white grid between cells */
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, 1);
	for (c = 1; c < f->cols; c++) {
		gx = x0 + c * L->cw;
		cairo_move_to(cr, gx, y0);
		cairo_line_to(cr, gx, y0 + f->rows * L->ch);
	}
	for (r = 1; r < f->rows; r++) {
		gy = y0 + r * L->ch;
		cairo_move_to(cr, x0, gy);
		cairo_line_to(cr, x0 + f->cols * L->cw, gy);
	}
	cairo_stroke(cr);
	/* notes and axis title under the columns */
	gy = y0 + f->rows * L->ch + 4;
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
	cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
	if (f->col_note) {
		for (c = 0; c < f->cols; c++)
			mlfy_plot_text(cr, x0 + (c + 0.5) * L->cw, gy, 0.5, 0, 0, f->col_note[c]);
		gy += mlfy_plot_text_height(cr) + 4;
	}
	if (f->xtitle) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, x0 + f->cols * L->cw / 2, gy, 0.5, 0, 0, f->xtitle);
	}
	/* colour bar */
	bar_x = x0 + f->cols * L->cw + 18;
	{
		double by0 = y0, by1 = y0 + fmax(f->rows * L->ch, 100), bw = 12;
		cairo_pattern_t *g = cairo_pattern_create_linear(0, by1, 0, by0);
		for (i = 0; i <= 16; i++) {
			struct mlfy_rgb col = mlfy_viridis(f->reverse ? 1 - i / 16.0 : i / 16.0);
			cairo_pattern_add_color_stop_rgb(g, i / 16.0, col.r, col.g, col.b);
		}
		cairo_set_source(cr, g);
		cairo_rectangle(cr, bar_x, by0, bw, by1 - by0);
		cairo_fill(cr);
		cairo_pattern_destroy(g);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_set_line_width(cr, 0.6);
		cairo_rectangle(cr, bar_x, by0, bw, by1 - by0);
		cairo_stroke(cr);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		nt = mlfy_plot_ticks(f->vmin, f->vmax, 5, &first, &step);
		for (i = 0; i < nt; i++) {
			double v = first + i * step;
			double y = by1 - (v - f->vmin) / (f->vmax - f->vmin) * (by1 - by0);
			cairo_move_to(cr, bar_x + bw, y);
			cairo_line_to(cr, bar_x + bw + 3, y);
			cairo_stroke(cr);
			mlfy_plot_fmt(buf, sizeof(buf), v, step < 1 ? 1 : 0);
			mlfy_plot_text(cr, bar_x + bw + 5, y, 0, 0.5, 0, buf);
		}
		if (f->bar_title) {
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
			mlfy_plot_text(cr, w - 6, (by0 + by1) / 2, 0.5, 1, M_PI / 2, f->bar_title);
		}
	}
	(void)h;
}

int mlfy_fig_heatmap(const char *dir, const char *name, int formats,
		     const struct mlfy_fig_heatmap *f, struct mlfy_err *err)
{
	struct heat_layout L = { f, 0, 0, 22, 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	double w, h, bar_w, tw;
	size_t r, c;
	char buf[256];

	if (!f->rows || !f->cols)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty heatmap", name);
	if (!(f->vmax > f->vmin))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: colour range [%g, %g] is empty", name,
				    f->vmin, f->vmax);
	cr = measure_ctx(&sf);
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	for (r = 0; r < f->rows; r++)
		L.left = fmax(L.left, mlfy_plot_text_width(cr, mlfy_plot_ellipsize(
			cr, f->row_names[r], HEAT_NAME_MAX, buf, sizeof(buf))));
	L.left += 16;
	L.cw = 40;
	for (c = 0; c < f->cols; c++) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 1);
		L.cw = fmax(L.cw, mlfy_plot_text_width(cr, f->col_names[c]) + 10);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
		if (f->col_note)
			L.cw = fmax(L.cw, mlfy_plot_text_width(cr, f->col_note[c]) + 8);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
		for (r = 0; r < f->rows; r++) {
			mlfy_plot_fmt(buf, sizeof(buf), f->values[r * f->cols + c],
				      f->cell_decimals);
			L.cw = fmax(L.cw, mlfy_plot_text_width(cr, buf) + 10);
		}
	}
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TITLE, 1);
	tw = f->title ? mlfy_plot_text_width(cr, f->title) + 24 : 0;
	measure_done(cr, sf);
	L.top = 30 + 16;
	bar_w = 18 + 12 + 30 + 20;
	w = fmax(L.left + f->cols * L.cw + bar_w, tw);
	if (w < 360) {
		L.left += (360 - w) / 2;
		w = 360;
	}
	h = L.top + fmax(f->rows * L.ch + (f->col_note ? 14 : 0) + 22, 100) + 16;
	return mlfy_plot_write(dir, name, formats, w, h, draw_heatmap, &L, err);
}

/* ---- bars ------------------------------------------------------------------ */

struct bars {
	const char *title, *xtitle;
	const char *const *names;
	const size_t *counts;
	size_t n, total, max;
	double left;
};

static void draw_bars(cairo_t *cr, double w, double h, const void *data)
{
	const struct bars *b = data;
	double x0 = b->left, x1 = w - 110, y0 = 40, bh = 18, gap = 10, first, step;
	size_t i;
	int nt, t;
	char buf[96], cnt[32], pct[32];

	draw_title(cr, w, b->title);
	/* grid and ticks */
	nt = mlfy_plot_ticks(0, (double)b->max, 5, &first, &step);
	if (step < 1) {   /* counts: integer ticks only */
		step = 1;
		nt = (int)b->max + 1;
	}
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_SMALL, 0);
	for (t = 0; t < nt; t++) {
		double v = first + t * step, x = x0 + v / (double)b->max * (x1 - x0);
		double yb = y0 + b->n * (bh + gap);
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_set_line_width(cr, 0.5);
		cairo_move_to(cr, x, y0 - 4);
		cairo_line_to(cr, x, yb);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, x, yb + 3, 0.5, 0, 0, mlfy_fmt_count(cnt, sizeof(cnt),
									 (uint64_t)llround(v)));
	}
	for (i = 0; i < b->n; i++) {
		double y = y0 + i * (bh + gap);
		double x = x0 + (double)b->counts[i] / (double)b->max * (x1 - x0);
		mlfy_plot_set_rgb(cr, mlfy_plot_series(i));
		cairo_rectangle(cr, x0, y, x - x0, bh);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
		mlfy_plot_text(cr, x0 - 6, y + bh / 2, 1, 0.5, 0, b->names[i]);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
		mlfy_fmt_pct(pct, sizeof(pct),
			     b->total ? (double)b->counts[i] / (double)b->total : NAN, 1, 1);
		snprintf(buf, sizeof(buf), "%s (%s)", mlfy_fmt_count(cnt, sizeof(cnt), b->counts[i]),
			 pct);
		mlfy_plot_text(cr, x + 5, y + bh / 2, 0, 0.5, 0, buf);
	}
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.8);
	cairo_move_to(cr, x0, y0 - 4);
	cairo_line_to(cr, x0, y0 + b->n * (bh + gap));
	cairo_stroke(cr);
	if (b->xtitle) {
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
		mlfy_plot_text(cr, (x0 + x1) / 2, y0 + b->n * (bh + gap) + 18, 0.5, 0, 0, b->xtitle);
	}
}

int mlfy_fig_bars(const char *dir, const char *name, int formats, const char *title,
		  const char *xtitle, const char *const *names, const size_t *counts, size_t n,
		  struct mlfy_err *err)
{
	struct bars b = { title, xtitle, names, counts, n, 0, 0, 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	size_t i;

	if (!n)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: no bars to draw", name);
	cr = measure_ctx(&sf);
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
	for (i = 0; i < n; i++) {
		b.total += counts[i];
		if (counts[i] > b.max)
			b.max = counts[i];
		b.left = fmax(b.left, mlfy_plot_text_width(cr, names[i]));
	}
	measure_done(cr, sf);
	b.left += 18;
	if (b.max == 0)
		b.max = 1;
	return mlfy_plot_write(dir, name, formats, fmax(480, b.left + 330), 40 + n * 28.0 + 44,
			       draw_bars, &b, err);
}

/* ---- curves ---------------------------------------------------------------- */

struct curves {
	const struct mlfy_fig_curves *f;
	double legend_w;
};

static const double dashes[4][2] = { { 0, 0 }, { 5, 3 }, { 2, 2 }, { 7, 2 } };

static void set_dash(cairo_t *cr, size_t s)
{
	const double *d = dashes[s % 4];
	cairo_set_dash(cr, d, d[0] > 0 ? 2 : 0, 0);
}

static void draw_curves(cairo_t *cr, double w, double h, const void *data)
{
	const struct curves *C = data;
	const struct mlfy_fig_curves *f = C->f;
	struct mlfy_plot_area a;
	double xmin = INFINITY, xmax = -INFINITY;
	size_t s, i;
	char buf[128];

	draw_title(cr, w, f->title);
	for (i = 0; i < f->n_points; i++) {
		xmin = fmin(xmin, f->x[i]);
		xmax = fmax(xmax, f->x[i]);
	}
	if (f->xticks_integer) {
		xmin -= 0.5;
		xmax += 0.5;
	} else {
		mlfy_plot_nice_range(&xmin, &xmax, 6);
	}
	a = (struct mlfy_plot_area){ 58, 34, w - C->legend_w - 14, h - 46, xmin, xmax, f->ymin,
				     f->ymax };
	if (f->xticks_integer) {
		/* own x ticks at the data points; the generic axes without x labels */
		double first, step = 1;
		if (f->n_points > 12)
			mlfy_plot_ticks(xmin, xmax, 6, &first, &step);
		mlfy_plot_axes(cr, &a, MLFY_PLOT_NONE, f->ydec, NULL, f->ytitle);
		mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		for (i = 0; i < f->n_points; i++) {
			/* every point when few; else the first and multiples of step */
			if (step > 1 && i > 0 && fmod(f->x[i], step) != 0)
				continue;
			if (f->xlabels)
				snprintf(buf, sizeof(buf), "%s", f->xlabels[i]);
			else
				snprintf(buf, sizeof(buf), "%g", f->x[i]);
			mlfy_plot_text(cr, mlfy_plot_mx(&a, f->x[i]), a.y1 + 4, 0.5, 0, 0, buf);
		}
		if (f->xtitle) {
			mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
			mlfy_plot_text(cr, (a.x0 + a.x1) / 2, a.y1 + 6 + 1.4 * MLFY_PLOT_FS_TICK,
				       0.5, 0, 0, f->xtitle);
		}
	} else {
		mlfy_plot_axes(cr, &a, MLFY_PLOT_G, f->ydec, f->xtitle, f->ytitle);
	}
	cairo_save(cr);
	cairo_rectangle(cr, a.x0, a.y0 - 6, a.x1 - a.x0, a.y1 - a.y0 + 12);
	cairo_clip(cr);
	for (s = 0; s < f->n_series; s++) {
		const double *y = f->y + s * f->n_points;
		const double *e = f->yerr ? f->yerr + s * f->n_points : NULL;
		/* small horizontal offset per series so error bars do not hide each other */
		double off = f->yerr && f->n_series > 1
				     ? ((double)s - (f->n_series - 1) / 2.0) * 3.0
				     : 0;
		int pen = 0;
		mlfy_plot_set_rgb(cr, mlfy_plot_series(s));
		cairo_set_line_width(cr, 1.6);
		set_dash(cr, s);
		for (i = 0; i < f->n_points; i++) {
			double px = mlfy_plot_mx(&a, f->x[i]) + off, py;
			if (isnan(y[i])) {
				pen = 0;
				continue;
			}
			py = mlfy_plot_my(&a, y[i]);
			if (pen)
				cairo_line_to(cr, px, py);
			else
				cairo_move_to(cr, px, py);
			pen = 1;
		}
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		if (e) {
			cairo_set_line_width(cr, 1);
			for (i = 0; i < f->n_points; i++) {
				double px = mlfy_plot_mx(&a, f->x[i]) + off;
				if (isnan(y[i]) || isnan(e[i]))
					continue;
				cairo_move_to(cr, px, mlfy_plot_my(&a, y[i] - e[i]));
				cairo_line_to(cr, px, mlfy_plot_my(&a, y[i] + e[i]));
				cairo_move_to(cr, px - 2.5, mlfy_plot_my(&a, y[i] - e[i]));
				cairo_line_to(cr, px + 2.5, mlfy_plot_my(&a, y[i] - e[i]));
				cairo_move_to(cr, px - 2.5, mlfy_plot_my(&a, y[i] + e[i]));
				cairo_line_to(cr, px + 2.5, mlfy_plot_my(&a, y[i] + e[i]));
			}
			cairo_stroke(cr);
		}
		for (i = 0; i < f->n_points; i++)
			if (!isnan(y[i]))
				mlfy_plot_marker(cr, (int)s, mlfy_plot_mx(&a, f->x[i]) + off,
						 mlfy_plot_my(&a, y[i]), 2.8);
		cairo_fill(cr);
	}
	cairo_restore(cr);
	/* legend to the right of the plot */
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	for (s = 0; s < f->n_series; s++) {
		double lx = a.x1 + 12, ly = a.y0 + 8 + s * 18.0;
		mlfy_plot_set_rgb(cr, mlfy_plot_series(s));
		cairo_set_line_width(cr, 1.6);
		set_dash(cr, s);
		cairo_move_to(cr, lx, ly);
		cairo_line_to(cr, lx + 22, ly);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		mlfy_plot_marker(cr, (int)s, lx + 11, ly, 2.8);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mlfy_plot_text(cr, lx + 28, ly, 0, 0.5, 0,
			       mlfy_plot_ellipsize(cr, f->names[s], C->legend_w - 40, buf,
						   sizeof(buf)));
	}
}

int mlfy_fig_curves(const char *dir, const char *name, int formats,
		    const struct mlfy_fig_curves *f, struct mlfy_err *err)
{
	struct curves C = { f, 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	size_t s;

	if (!f->n_series || !f->n_points)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: no curves to draw", name);
	if (!(f->ymax > f->ymin))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: y range [%g, %g] is empty", name,
				    f->ymin, f->ymax);
	cr = measure_ctx(&sf);
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_TICK, 0);
	for (s = 0; s < f->n_series; s++)
		C.legend_w = fmax(C.legend_w, mlfy_plot_text_width(cr, f->names[s]) + 44);
	measure_done(cr, sf);
	if (C.legend_w > 200)
		C.legend_w = 200;
	return mlfy_plot_write(dir, name, formats, 420 + C.legend_w,
			       fmax(340, 90 + f->n_series * 18.0), draw_curves, &C, err);
}

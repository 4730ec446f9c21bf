/* figures.h - the report's figures, each written as SVG, PNG and PDF with
 * cairo: label-count donut, ReaL-vs-top-1 scatter with its fitted line,
 * heatmaps of models x label count, zero-label review categories, proposal
 * coverage curves.  Readable in print (fonts >= 8 pt at the nominal size,
 * 144 dpi PNG), colour-blind-safe colours (Okabe-Ito for categories,
 * viridis for values).
 *
 * The inputs are plain arrays (borrowed); nothing here computes a metric:
 * src/report/report.c builds them from src/evaluate's results.  Every
 * function writes dir/<name>.{svg,png,pdf} for the formats selected
 * (MLFY_FIG_* bits from plot.h; MLFY_FIG_ALL = all three) and returns 0 or
 * MLFY_EIO / MLFY_EINVAL with the file or the bad input named.
 */
#ifndef MLFY_REPORT_FIGURES_H
#define MLFY_REPORT_FIGURES_H

#include <stddef.h>
#include "evaluate/fit.h"
#include "report/plot.h"
#include "util/error.h"

/* One slice of the label-count donut: "0 labels", "1 label", ">=4 labels"... */
struct mlfy_fig_slice {
	const char *label;
	size_t count;
};

/* Donut of n slices (in order, clockwise from 12 o'clock) with each slice's
 * percentage of the total; the total is printed in the centre.  Zero-count
 * slices are listed in the legend only.  Errors: n == 0 or a zero total. */
int mlfy_fig_donut(const char *dir, const char *name, int formats, const char *title,
		   const struct mlfy_fig_slice *s, size_t n, struct mlfy_err *err);

/* Scatter of y against x (e.g. ReaL accuracy vs top-1 accuracy, %) with
 * the fitted line of fit (may be NULL), its equation, R^2 and n, and the
 * points with |studentized residual| > outlier_t highlighted; up to
 * max_labels of them (the most extreme first) are labelled with names[i]
 * where a label fits without overlapping another. */
struct mlfy_fig_scatter {
	const char *title;
	const char *xtitle, *ytitle;   /* axis titles */
	const char *xsym, *ysym;       /* short names used in the equation ("top-1", "ReaL") */
	size_t n;
	const double *x, *y;           /* [n] */
	const char *const *names;      /* [n] point names, or NULL */
	const struct mlfy_linfit *fit; /* a fit of these points, or NULL */
	double outlier_t;              /* e.g. 2 */
	size_t max_labels;             /* e.g. 8 */
};
int mlfy_fig_scatter(const char *dir, const char *name, int formats,
		     const struct mlfy_fig_scatter *f, struct mlfy_err *err);

/* The same scatter (the same drawing at the same size) as one SVG
 * document in memory, for a web page: *svg a new NUL-terminated string
 * (free()), *len its length without the NUL.  The document's <title> is
 * f->title and its <desc> lists every point as "name (xsym X, ysym Y)"
 * and the fitted equation (plot.h, mlfy_plot_svg_buffer).  Errors as
 * mlfy_fig_scatter (MLFY_EINVAL for bad input, MLFY_EIO from cairo) and
 * MLFY_ENOMEM; *svg NULL on error. */
int mlfy_fig_scatter_svg(const struct mlfy_fig_scatter *f, char **svg, size_t *len,
			 struct mlfy_err *err);

/* The default |studentized residual| beyond which a model is an outlier
 * (`mlfy fit` and `mlfy report` --outlier-t). */
#define MLFY_FIG_OUTLIER_T 2.0

/* Fills *f with the ReaL-vs-top-1 figure of `mlfy report` (real_vs_top1:
 * title, axis titles, equation symbols, 8 names at most) for the points
 * of s and their fit (both borrowed; fit of s->real on s->top1, same
 * order). */
struct mlfy_model_scores;
void mlfy_fig_scatter_real_vs_top1(struct mlfy_fig_scatter *f, const struct mlfy_model_scores *s,
				   const struct mlfy_linfit *fit, double outlier_t);

/* The live project view's scatter (evaluate/live.h: mlfy_live_scores, the
 * figure of mlfy_fig_scatter_real_vs_top1 with MLFY_FIG_OUTLIER_T) as an
 * SVG document in memory (mlfy_fig_scatter_svg).  Errors: MLFY_ENOTFOUND
 * when there is no figure, with the reason in err (fewer than 3 models
 * with both accuracies, or all with the same top-1 accuracy); those of
 * mlfy_fig_scatter_svg. */
struct mlfy_live_view;
int mlfy_live_scatter_svg(const struct mlfy_live_view *v, char **svg, size_t *len,
			  struct mlfy_err *err);

/* Heatmap of rows x cols values (row-major; NAN = empty cell) with the
 * value printed in each cell (with cell_decimals decimals) and a
 * colour bar from vmin to vmax (reverse: high values dark).  col_note[j]
 * (optional) is printed under column j, e.g. "n=5,083". */
struct mlfy_fig_heatmap {
	const char *title;
	const char *xtitle;            /* e.g. "label count" */
	const char *bar_title;         /* e.g. "top-1 accuracy (%)" */
	size_t rows, cols;
	const char *const *row_names;  /* [rows] */
	const char *const *col_names;  /* [cols] */
	const char *const *col_note;   /* [cols] or NULL */
	const double *values;          /* [rows * cols] */
	int cell_decimals;
	double vmin, vmax;
	int reverse;
};
int mlfy_fig_heatmap(const char *dir, const char *name, int formats,
		     const struct mlfy_fig_heatmap *f, struct mlfy_err *err);

/* Horizontal bars: n categories with a count each, printed at the bar end
 * with its share of the total.  */
int mlfy_fig_bars(const char *dir, const char *name, int formats, const char *title,
		  const char *xtitle, const char *const *names, const size_t *counts, size_t n,
		  struct mlfy_err *err);

/* Curves y[s][i] over x[i] (i < n_points) for n_series series (row-major
 * y, NAN = gap), each with a name in the legend, a distinct Okabe-Ito
 * colour, marker and dash; y axis from ymin to ymax.  yerr (optional, same
 * shape as y) draws error bars y +- yerr; xticks_integer labels the x axis
 * at each x[i] (for counts such as k or a label count) using xlabels[i]
 * when given. */
struct mlfy_fig_curves {
	const char *title;
	const char *xtitle, *ytitle;
	size_t n_series, n_points;
	const double *x;               /* [n_points] */
	const double *y;               /* [n_series * n_points] */
	const char *const *names;      /* [n_series] */
	const double *yerr;            /* [n_series * n_points] or NULL */
	const char *const *xlabels;    /* [n_points] or NULL */
	int xticks_integer;
	double ymin, ymax;
	int ydec;                      /* y tick decimals (plot.h's MLFY_PLOT_* allowed) */
};
int mlfy_fig_curves(const char *dir, const char *name, int formats,
		    const struct mlfy_fig_curves *f, struct mlfy_err *err);

#endif

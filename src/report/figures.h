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

/* quality_figures.h - the figures of the report's "Quality of human work"
 * section, drawn with cairo (quality_figures.c): one row per person with an
 * estimate and its interval, either as a forest plot (a point per series
 * with its whisker: exact-set accuracy on gold and against the final
 * labels, 95 % Wilson intervals) or as a range plot (a box from the first
 * to the third quartile with a bar at the median: seconds per image).
 * A vertical reference line (the flag threshold, the team median), the
 * people's names on the left with their n, flagged people marked with a
 * warning sign and their flags written on the right.
 *
 * The inputs are plain arrays and strings (borrowed); nothing here
 * computes a metric: report/quality_report.c copies them from
 * review/quality.h.  Colours: Okabe-Ito (plot.h); fonts >= 8 pt. */
#ifndef MLFY_REPORT_QUALITY_FIGURES_H
#define MLFY_REPORT_QUALITY_FIGURES_H

#include <stddef.h>
#include "report/plot.h"
#include "util/error.h"

/* Most rows of one figure (6,000 points tall: beyond it a table reads better). */
#define MLFY_FIG_INTERVALS_MAX_ROWS 200

/* One person's row.  Values in data units (est, lo, hi; the axis shows
 * them multiplied by the figure's scale); est[s] NAN: no data for series s. */
struct mlfy_fig_interval_row {
	const char *name;          /* left column, bold (ellipsized to fit) */
	const char *note;          /* under the name, small grey ("annotator, gold n = 12"), or NULL */
	const char *right;         /* right column ("low accuracy", "18.3 s"), or NULL */
	int flagged;               /* 1: the name is marked (warning sign, vermillion) */
	double est[2], lo[2], hi[2];
};

struct mlfy_fig_intervals {
	const char *title, *xtitle;
	int boxes;                 /* 0: forest plot (points, whiskers); 1: range plot (box lo..hi, bar at est) */
	size_t n_series;           /* 1 or 2 (boxes: 1) */
	const char *series[2];     /* legend text of each series */
	const char *empty;         /* written in a row whose series 0 has no data ("no gold answers") */
	int right_flags;           /* 1: the right column names flags (bold vermillion when flagged) */
	double scale;              /* axis value = scale * data value (100 for percent) */
	double xmin, xmax;         /* axis range in axis units; xmax NAN: xmin up to a nice value
				    * above every hi and the reference */
	int xdec;                  /* tick decimals (plot.h: MLFY_PLOT_G allowed) */
	double ref;                /* reference line in data units (NAN: none) */
	const char *ref_label;     /* its legend text */
	size_t n_rows;             /* 1 .. MLFY_FIG_INTERVALS_MAX_ROWS */
	const struct mlfy_fig_interval_row *rows;
};

/* Writes f as dir/name.{svg,png,pdf} (the formats selected).  The height
 * grows with the rows.  Errors: MLFY_EINVAL for no rows, more than MLFY_FIG_INTERVALS_MAX_ROWS,
 * n_series outside 1..2 (1 with boxes), or an empty axis range; MLFY_EIO naming the
 * file. */
int mlfy_fig_intervals(const char *dir, const char *name, int formats, const struct mlfy_fig_intervals *f,
		       struct mlfy_err *err);
#endif

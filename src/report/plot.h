/* plot.h - drawing helpers shared by the figures in src/report (internal to
 * src/report): the colour-blind-safe palettes, text placement, numeric
 * axes, label collision boxes, and writing one drawing as SVG, PNG and PDF.
 *
 * Units: cairo user units are PostScript points (1/72 in) at the figure's
 * nominal size; PNGs are rendered at MLFY_PLOT_PNG_SCALE pixels per point.
 */
#ifndef MLFY_REPORT_PLOT_H
#define MLFY_REPORT_PLOT_H

#include <cairo.h>
#include <stddef.h>
#include "util/error.h"

/* PNG resolution: 2 px per point = 144 dpi, sharp on screens and in slides. */
#define MLFY_PLOT_PNG_SCALE 2.0
/* Font family (fonts-dejavu-core); sizes in points. */
#define MLFY_PLOT_FONT "DejaVu Sans"
#define MLFY_PLOT_FS_TITLE 12.0
#define MLFY_PLOT_FS_LABEL 10.0
#define MLFY_PLOT_FS_TICK 9.0
#define MLFY_PLOT_FS_SMALL 8.0

struct mlfy_rgb {
	double r, g, b;
};

/* Okabe & Ito (2008), "Color Universal Design": 8 colours distinguishable
 * with every common colour-vision deficiency.  Index 0 is black; the
 * series order skips it and yellow (poor contrast on white) last. */
extern const struct mlfy_rgb mlfy_okabe_ito[8];
/* i-th series colour (cycles through 7 non-black colours, yellow last). */
struct mlfy_rgb mlfy_plot_series(size_t i);

/* Viridis (van der Walt & Smith, matplotlib 2.0 default; perceptually
 * uniform, colour-blind safe) at t in [0, 1] (clamped). */
struct mlfy_rgb mlfy_viridis(double t);
/* Black or white, whichever reads better on background c. */
struct mlfy_rgb mlfy_plot_text_on(struct mlfy_rgb c);

void mlfy_plot_set_rgb(cairo_t *cr, struct mlfy_rgb c);
void mlfy_plot_set_font(cairo_t *cr, double size, int bold);

/* Text anchored at (x, y): ax 0 = left, 0.5 = centre, 1 = right edge at x;
 * ay 0 = top, 0.5 = middle, 1 = baseline-ish bottom at y (uses the font's
 * ascent so lines of one size align).  angle in radians (counter-clockwise
 * positive, e.g. -M_PI/2 for a y-axis label reading upwards). */
void mlfy_plot_text(cairo_t *cr, double x, double y, double ax, double ay, double angle,
		    const char *s);
/* Width of s in the current font. */
double mlfy_plot_text_width(cairo_t *cr, const char *s);
/* Height of a line (ascent + descent) in the current font. */
double mlfy_plot_text_height(cairo_t *cr);
/* Shortens s so that it fits max_w, replacing characters in the middle
 * with "..." (the start and the last third are kept, so that names that
 * differ only at the end stay distinct); writes to buf (n bytes). */
const char *mlfy_plot_ellipsize(cairo_t *cr, const char *s, double max_w, char *buf, size_t n);

/* "Nice" tick positions covering [lo, hi]: *step receives the spacing
 * (1, 2 or 5 times a power of ten) for about `target` ticks, *first the
 * first multiple of step >= lo.  Returns the tick count. */
int mlfy_plot_ticks(double lo, double hi, int target, double *first, double *step);
/* Expands [*lo, *hi] outward to multiples of the nice step; a range too
 * narrow for distinct ticks (hi - lo <= 1e-9 max(|lo|, |hi|), e.g. all
 * values equal) first becomes [lo - 1, hi + 1]. */
void mlfy_plot_nice_range(double *lo, double *hi, int target);

/* A plot area in points and its data range; map() converts data to points. */
struct mlfy_plot_area {
	double x0, y0, x1, y1;       /* left, top, right, bottom in points */
	double xmin, xmax, ymin, ymax;
};
double mlfy_plot_mx(const struct mlfy_plot_area *a, double x);
double mlfy_plot_my(const struct mlfy_plot_area *a, double y);
/* Tick label formats: a number of decimals (>= 0), MLFY_PLOT_G for "%g",
 * or MLFY_PLOT_NONE for no labels on that axis. */
#define MLFY_PLOT_G (-1)
#define MLFY_PLOT_NONE (-2)
/* Decimals for tick labels spaced by step: dec, raised to the decimals
 * the step needs (step 0.2 -> 1, 0.05 -> 2) so that no two ticks print the
 * same; MLFY_PLOT_G and MLFY_PLOT_NONE are returned unchanged.  Used by
 * mlfy_plot_axes for both axes. */
int mlfy_plot_step_decimals(double step, int dec);
/* Writes v with dec decimals (or "%g" for MLFY_PLOT_G) into buf. */
void mlfy_plot_fmt(char *buf, size_t n, double v, int dec);
/* Frame, grid lines, tick labels (xdec, ydec: see above, at least the
 * decimals of the tick step) and axis titles
 * (NULL for none). */
void mlfy_plot_axes(cairo_t *cr, const struct mlfy_plot_area *a, int xdec, int ydec,
		    const char *xtitle, const char *ytitle);

/* Axis-aligned boxes for avoiding label overlaps. */
struct mlfy_box {
	double x0, y0, x1, y1;
};
int mlfy_box_overlaps(const struct mlfy_box *b, const struct mlfy_box *set, size_t n);

/* Marker shapes for series (filled circle, square, triangle, diamond, ...). */
void mlfy_plot_marker(cairo_t *cr, int shape, double x, double y, double r);

/* Draws a figure: fills the background and paints onto cr whose user
 * space is w x h points. */
typedef void (*mlfy_plot_draw_fn)(cairo_t *cr, double w, double h, const void *data);

/* Output formats of a figure (bit set). */
enum {
	MLFY_FIG_SVG = 1,
	MLFY_FIG_PNG = 2,
	MLFY_FIG_PDF = 4,
	MLFY_FIG_ALL = 7
};

/* Releases the process-wide caches of cairo and fontconfig (fonts, glyph
 * caches) so that leak checkers see a clean exit.  Call once, after the
 * last figure of the process; drawing text afterwards is not allowed. */
void mlfy_plot_shutdown(void);

/* Renders draw(data) at w x h points into dir/name.svg, .png, .pdf (the
 * formats selected).  Each file is written to NAME.EXT.tmp and renamed when
 * complete, so a failure leaves no partial figure.  Errors: MLFY_EIO naming
 * the file and the system's reason (strerror) or cairo's status. */
int mlfy_plot_write(const char *dir, const char *name, int formats, double w, double h,
		    mlfy_plot_draw_fn draw, const void *data, struct mlfy_err *err);

/* Renders draw(data) at w x h points as one SVG document in memory, the
 * same drawing mlfy_plot_write puts in NAME.svg: *svg receives a new
 * NUL-terminated string (free()), *len its length in bytes without the
 * NUL.  title and desc (either may be NULL) become the document's <title>
 * and <desc> elements, XML-escaped, right after the <svg> start tag: cairo
 * writes text as glyph outlines, so they are what screen readers, search
 * and tests can read.  Errors: MLFY_ENOMEM; MLFY_EIO with cairo's status.
 * *svg is NULL and *len 0 on error. */
int mlfy_plot_svg_buffer(double w, double h, mlfy_plot_draw_fn draw, const void *data,
			 const char *title, const char *desc, char **svg, size_t *len,
			 struct mlfy_err *err);

#endif

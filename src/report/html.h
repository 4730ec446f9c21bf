/* html.h - the few HTML writing helpers the report's parts share
 * (html.c): escaping text, a figure with its caption and download links,
 * percentages and proportions with their Wilson intervals as table cells.
 * Internal to src/report.  Every function writes to the caller's stream;
 * write errors are left for the caller to find with ferror/fclose. */
#ifndef MLFY_REPORT_HTML_H
#define MLFY_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>
#include "evaluate/metrics.h"

/* Writes s (UTF-8, borrowed; NULL writes nothing) with &, <, >, " and '
 * escaped, so that it is safe in text and in quoted attributes. */
void mlfy_html_esc(FILE *f, const char *s);

/* A <figure> showing name.svg (name.png when formats, MLFY_FIG_* bits of
 * report/plot.h, has no SVG) with the alternative text alt and the caption
 * (both escaped), and links to the files of formats only -- never to one
 * the report did not write.  name is a file name made by the report (not
 * escaped). */
void mlfy_html_figure(FILE *f, int formats, const char *name, const char *alt, const char *caption);

/* "76.13 %" (two decimals) or "-" for NAN, into buf (n bytes); returns buf. */
const char *mlfy_html_pct(char *buf, size_t n, double share);

/* How a proportion's cell shows its counts. */
enum { MLFY_HTML_NO_COUNTS, MLFY_HTML_COUNTS, MLFY_HTML_EXPECTED_COUNTS };

/* One table cell "<td>P % [LO, HI] (K/N)</td>" of a proportion with its
 * Wilson 95 % interval, in percent with one decimal, followed by K/N
 * (MLFY_HTML_COUNTS), by "~K/N" (MLFY_HTML_EXPECTED_COUNTS: expected, not
 * observed counts) or by nothing; "<td>-</td>" when p->n is 0. */
void mlfy_html_prop_cell(FILE *f, const struct mlfy_proportion *p, int counts);
#endif

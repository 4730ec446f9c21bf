/* quality_report.h - the report's "Quality of human work" section
 * (quality_report.c): the figures of quality_figures.h and the HTML
 * tables, from what review/quality.c and review/anchoring.c computed (no
 * metric is computed here; docs/quality.md explains each one).
 *
 * Files written into dir (NAME.{svg,png,pdf}, the formats selected):
 *   quality_accuracy   forest plot: exact-set accuracy per person on gold
 *                      and against the final labels, 95 % Wilson
 *                      intervals, the flag threshold q->min_accuracy
 *   quality_seconds    seconds per image per person: median and
 *                      interquartile range, the team median (only when
 *                      someone has a timed answer)
 * No figure is written when nobody has answered yet: the section says so. */
#ifndef MLFY_REPORT_QUALITY_REPORT_H
#define MLFY_REPORT_QUALITY_REPORT_H

#include <stdio.h>
#include "review/anchoring.h"
#include "review/quality.h"
#include "util/error.h"

/* Writes the section (<section id=quality> ... </section>) to h and its
 * figures into dir.  q is required (borrowed); a (borrowed) may be NULL
 * when the anchoring arms were not computed: the section then says
 * nothing about the experiment.  formats: MLFY_FIG_* bits (plot.h).
 * Every string that people typed (names, flag reasons) is HTML-escaped.
 * Errors: MLFY_EIO naming a figure file, MLFY_ENOMEM. */
int mlfy_report_quality(const char *dir, FILE *h, const struct mlfy_quality *q, const struct mlfy_anchoring *a,
			int formats, struct mlfy_err *err);
#endif

/* quality_report.c - the "Quality of human work" section of index.html
 * and its two figures (quality_report.h).  Arranges what review/quality.c
 * and review/anchoring.c computed; computes no metric. */
#include "report/quality_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "report/quality_figures.h"
#include "store/flags.h"
#include "util/numfmt.h"

/* Words for the flag bits of review/quality.h (MLFY_FLAG_*, in bit order). */
static const char *const flag_words[3] = { "low accuracy", "speeder", "rubber-stamper" };

/* Per-person strings of the figures (the rows borrow them). */
struct row_text {
	char note[160], right[160];
};

static size_t answers_of(const struct mlfy_person_quality *p)
{
	return p->answers + p->refinements;
}

/* "low accuracy, speeder" into buf; "" when not flagged. */
static const char *flag_list(const struct mlfy_person_quality *p, char *buf, size_t n)
{
	int k;
	buf[0] = '\0';
	for (k = 0; k < 3; k++)
		if (p->flags & (1u << k))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? ", " : "", flag_words[k]);
	return buf;
}

/* Decimals of the quartiles: whole seconds, tenths below 10 s (a
 * speeder's "3-3" says nothing). */
static int iqr_dec(const struct mlfy_time_stats *t)
{
	return t->q3 < 10 ? 1 : 0;
}

/* A p-value: "0.0123", "< 0.0001", or "-" when not testable. */
static const char *pval(char *buf, size_t n, double p)
{
	if (!isfinite(p))
		snprintf(buf, n, "-");
	else if (p < 1e-4)
		snprintf(buf, n, "&lt; 0.0001");
	else
		snprintf(buf, n, "%.4f", p);
	return buf;
}

static int fig_accuracy(const char *dir, const struct mlfy_quality *q, int formats, struct mlfy_err *err)
{
	struct mlfy_fig_interval_row *rows = calloc(q->n_people, sizeof(*rows));
	struct row_text *tx = calloc(q->n_people, sizeof(*tx));
	char thr[64];
	size_t i;
	int rc;

	if (!rows || !tx) {
		free(rows);
		free(tx);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		const struct mlfy_proportion *x[2] = { &p->gold.exact, &p->final.exact };
		int s;
		snprintf(tx[i].note, sizeof(tx[i].note), "%s \xC2\xB7 gold n = %zu \xC2\xB7 final n = %zu", p->role,
			 x[0]->n, x[1]->n);
		rows[i] = (struct mlfy_fig_interval_row){ p->name, tx[i].note,
							  p->flags ? flag_list(p, tx[i].right, sizeof(tx[i].right)) : NULL,
							  p->flags != 0, { NAN, NAN }, { NAN, NAN }, { NAN, NAN } };
		for (s = 0; s < 2; s++)
			if (x[s]->n) {
				rows[i].est[s] = x[s]->p;
				rows[i].lo[s] = x[s]->lo;
				rows[i].hi[s] = x[s]->hi;
			}
	}
	snprintf(thr, sizeof(thr), "flag threshold %.0f %%", 100 * q->min_accuracy);
	{
		struct mlfy_fig_intervals f = { "Exact-set accuracy per person (95 % Wilson intervals)",
						"answers whose label set is exactly right (%)", 0, 2,
						{ "on gold images", "against the final labels" }, "no gold answers", 1,
						100, 0, 100, 0, q->min_accuracy, thr, q->n_people, rows };
		rc = mlfy_fig_intervals(dir, "quality_accuracy", formats, &f, err);
	}
	free(rows);
	free(tx);
	return rc;
}

/* The seconds figure; *drawn = 0 when nobody has a timed answer. */
static int fig_seconds(const char *dir, const struct mlfy_quality *q, int formats, int *drawn,
		       struct mlfy_err *err)
{
	struct mlfy_fig_interval_row *rows = calloc(q->n_people, sizeof(*rows));
	struct row_text *tx = calloc(q->n_people, sizeof(*tx));
	char ref[64], a[32], b[32], c[32];
	size_t i;
	int rc = 0;

	*drawn = 0;
	if (!rows || !tx) {
		free(rows);
		free(tx);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		snprintf(tx[i].note, sizeof(tx[i].note), "%s (stage %s) \xC2\xB7 n = %zu", p->role,
			 strcmp(p->role, "expert") ? "ii" : "iv", p->time.n);
		if (p->time.n)
			snprintf(tx[i].right, sizeof(tx[i].right), "%s s (%s\xE2\x80\x93%s)",
				 mlfy_fmt_real(a, sizeof(a), p->time.median, 1), mlfy_fmt_real(b, sizeof(b), p->time.q1, iqr_dec(&p->time)),
				 mlfy_fmt_real(c, sizeof(c), p->time.q3, iqr_dec(&p->time)));
		rows[i] = (struct mlfy_fig_interval_row){ p->name, tx[i].note, p->time.n ? tx[i].right : NULL,
							  p->flags != 0, { NAN, NAN }, { NAN, NAN }, { NAN, NAN } };
		if (p->time.n && isfinite(p->time.median)) {
			rows[i].est[0] = p->time.median;
			rows[i].lo[0] = p->time.q1;
			rows[i].hi[0] = p->time.q3;
			*drawn = 1;
		}
	}
	snprintf(ref, sizeof(ref), "team median %s s (annotators, stage ii)",
		 mlfy_fmt_real(a, sizeof(a), q->team_median_seconds, 1));
	if (*drawn) {
		struct mlfy_fig_intervals f = { "Seconds per image per person", "seconds per image", 1, 1,
						{ "median and interquartile range", NULL }, "no timed answers", 0,
						1, 0, NAN, MLFY_PLOT_G, q->team_median_seconds, ref, q->n_people, rows };
		rc = mlfy_fig_intervals(dir, "quality_seconds", formats, &f, err);
	}
	free(rows);
	free(tx);
	return rc;
}

static void table_accuracy(FILE *h, const struct mlfy_quality *q)
{
	size_t i;

	fprintf(h, "<table><tr><th>person</th><th>role</th><th>gold n</th><th>gold exact</th>"
		   "<th>gold sensitivity</th><th>gold precision</th><th>final n</th><th>final exact</th>"
		   "<th>Dawid\xE2\x80\x93Skene sensitivity</th><th>Dawid\xE2\x80\x93Skene specificity</th></tr>\n");
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		fprintf(h, "<tr><td>");
		mlfy_html_esc(h, p->name);
		fprintf(h, "</td><td class=l>%s</td><td>%zu</td>", p->role, p->gold.exact.n);
		mlfy_html_prop_cell(h, &p->gold.exact, MLFY_HTML_COUNTS);
		mlfy_html_prop_cell(h, &p->gold.sensitivity, MLFY_HTML_COUNTS);
		mlfy_html_prop_cell(h, &p->gold.precision, MLFY_HTML_COUNTS);
		fprintf(h, "<td>%zu</td>", p->final.exact.n);
		mlfy_html_prop_cell(h, &p->final.exact, MLFY_HTML_COUNTS);
		if (p->ds) {
			mlfy_html_prop_cell(h, &p->ds_sensitivity, MLFY_HTML_EXPECTED_COUNTS);
			mlfy_html_prop_cell(h, &p->ds_specificity, MLFY_HTML_EXPECTED_COUNTS);
		} else {
			fprintf(h, "<td>-</td><td>-</td>");
		}
		fprintf(h, "</tr>\n");
	}
	fprintf(h, "</table>\n");
}

static void table_behaviour(FILE *h, const struct mlfy_quality *q)
{
	char a[32], b[32], c[32];
	size_t i;

	fprintf(h, "<table><tr><th>person</th><th>answers</th><th>top-1 alone</th><th>search share</th>"
		   "<th>none</th><th>unsure</th><th>seconds per image, median (IQR)</th><th>images/hour</th>"
		   "<th>queue done/total</th><th>projected finish</th></tr>\n");
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		const struct mlfy_time_stats *t = &p->time;
		fprintf(h, "<tr><td>");
		mlfy_html_esc(h, p->name);
		fprintf(h, "</td><td>%zu</td>", answers_of(p));
		mlfy_html_prop_cell(h, &p->top1_only, MLFY_HTML_COUNTS);
		mlfy_html_prop_cell(h, &p->search_share, MLFY_HTML_COUNTS);
		mlfy_html_prop_cell(h, &p->none_rate, MLFY_HTML_COUNTS);
		mlfy_html_prop_cell(h, &p->unsure_rate, MLFY_HTML_COUNTS);
		if (t->n)
			fprintf(h, "<td>%s (%s\xE2\x80\x93%s) <small>n = %zu</small></td>", mlfy_fmt_real(a, sizeof(a), t->median, 1),
				mlfy_fmt_real(b, sizeof(b), t->q1, iqr_dec(t)), mlfy_fmt_real(c, sizeof(c), t->q3, iqr_dec(t)), t->n);
		else
			fprintf(h, "<td>-</td>");
		fprintf(h, "<td>%s</td><td>%lld/%lld</td><td>", mlfy_fmt_real(a, sizeof(a), t->per_hour, 0),
			(long long)t->queue_done, (long long)t->queue_total);
		mlfy_html_esc(h, t->eta[0] ? t->eta : "unknown");
		fprintf(h, "</td></tr>\n");
	}
	fprintf(h, "</table>\n");
}

static void table_flags(FILE *h, const struct mlfy_quality *q)
{
	size_t i;
	int k, any = 0;

	for (i = 0; i < q->n_people; i++)
		any |= q->people[i].flags != 0;
	if (!any) {
		fprintf(h, "<p>Nobody is flagged.</p>\n");
		return;
	}
	fprintf(h, "<table><tr><th>person</th><th>flag</th><th>reason</th></tr>\n");
	for (i = 0; i < q->n_people; i++)
		for (k = 0; k < 3; k++)
			if (q->people[i].flags & (1u << k)) {
				fprintf(h, "<tr><td>");
				mlfy_html_esc(h, q->people[i].name);
				fprintf(h, "</td><td class=l>%s</td><td class=l>", flag_words[k]);
				mlfy_html_esc(h, q->people[i].reason[k]);
				fprintf(h, "</td></tr>\n");
			}
	fprintf(h, "</table>\n");
}

/* Counts per person of the unsure reasons (tags = 0) or the problem tags
 * (tags = 1), with a total row. */
static void table_counts(FILE *h, const struct mlfy_quality *q, int tags)
{
	int nk = tags ? MLFY_N_TAGS : MLFY_N_UNSURE, k;
	size_t i, total[MLFY_N_TAGS > MLFY_N_UNSURE ? MLFY_N_TAGS : MLFY_N_UNSURE] = { 0 };

	fprintf(h, "<table><tr><th>person</th>");
	for (k = 0; k < nk; k++) {
		fprintf(h, "<th>");
		mlfy_html_esc(h, tags ? mlfy_tag_label(k) : mlfy_unsure_label(k));
		fprintf(h, "</th>");
	}
	fprintf(h, "</tr>\n");
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		fprintf(h, "<tr><td>");
		mlfy_html_esc(h, p->name);
		fprintf(h, "</td>");
		for (k = 0; k < nk; k++) {
			size_t v = tags ? p->tags[k] : p->unsure_reasons[k];
			total[k] += v;
			fprintf(h, "<td>%zu</td>", v);
		}
		fprintf(h, "</tr>\n");
	}
	fprintf(h, "<tr><th>all</th>");
	for (k = 0; k < nk; k++)
		fprintf(h, "<th>%zu</th>", total[k]);
	fprintf(h, "</tr></table>\n");
}

static void arm_seconds(FILE *h, const struct mlfy_arm_stats *s)
{
	char a[32], b[32], c[32], d[32];
	if (!s->n)
		fprintf(h, "<td>-</td>");
	else
		fprintf(h, "<td>median %s; mean %s <small>[%s, %s]</small></td>", mlfy_fmt_real(a, sizeof(a), s->median_seconds, 1),
			mlfy_fmt_real(b, sizeof(b), s->mean_seconds, 1), mlfy_fmt_real(c, sizeof(c), s->seconds_lo, 1),
			mlfy_fmt_real(d, sizeof(d), s->seconds_hi, 1));
}

static void part_anchoring(FILE *h, const struct mlfy_anchoring *a)
{
	static const char *const rows[5] = { "stage-ii labels kept", "images with labels added",
					     "images with labels removed", "exact agreement with gold",
					     "planted wrong labels accepted" };
	char pv[32];
	int r, s;

	fprintf(h, "<h3>Anchoring experiment</h3>\n");
	if (!(a->arm[0].n + a->arm[1].n > 0 && a->arm[1].n > 0)) {
		fprintf(h, "<p>The anchoring experiment was not run: no expert refined an image blind. "
			   "<code>mlfy assign-refinement --blind-share S</code> hides the earlier labels from "
			   "a share S of the experts' tasks, so that their decisions can be compared with "
			   "those made with the labels pre-checked.</p>\n");
		return;
	}
	fprintf(h, "<p>Experts' refinements with the annotators' labels pre-checked (shown) and "
		   "without them (blind), the arm drawn at random per image; 95 %% Wilson intervals, "
		   "p of the pooled two-proportion z-test (seconds: Welch's z). Planted labels are "
		   "known-wrong labels pre-checked on gold images of the shown arm.</p>\n");
	fprintf(h, "<table><tr><th></th><th>shown</th><th>blind</th><th>p</th></tr>\n"
		   "<tr><td>refinements</td><td>%zu</td><td>%zu</td><td></td></tr>\n",
		a->arm[0].n, a->arm[1].n);
	for (r = 0; r < 5; r++) {
		double p = r == 0 ? a->p_kept : r == 1 ? a->p_added : r == 2 ? a->p_removed
			 : r == 3 ? a->p_gold_exact : NAN;
		fprintf(h, "<tr><td>%s</td>", rows[r]);
		for (s = 0; s < 2; s++) {
			const struct mlfy_arm_stats *x = &a->arm[s];
			const struct mlfy_proportion *v = r == 0 ? &x->kept : r == 1 ? &x->added
							: r == 2 ? &x->removed : r == 3 ? &x->gold_exact
							: &x->planted_accepted;
			mlfy_html_prop_cell(h, v, MLFY_HTML_COUNTS);
		}
		fprintf(h, "<td>%s</td></tr>\n", pval(pv, sizeof(pv), p));
	}
	fprintf(h, "<tr><td>seconds per image</td>");
	arm_seconds(h, &a->arm[0]);
	arm_seconds(h, &a->arm[1]);
	fprintf(h, "<td>%s</td></tr></table>\n", pval(pv, sizeof(pv), a->p_seconds));
}

int mlfy_report_quality(const char *dir, FILE *h, const struct mlfy_quality *q, const struct mlfy_anchoring *a,
			int formats, struct mlfy_err *err)
{
	char x[32], y[32];
	size_t i, answers = 0;
	int rc, timed, figures;

	for (i = 0; i < q->n_people; i++)
		answers += answers_of(&q->people[i]);
	fprintf(h, "<section id=quality><h2>Quality of human work</h2>\n");
	if (!answers) {
		fprintf(h, "<p>No annotations yet: nobody has saved an answer, so there is nothing to "
			   "measure. %lld stage-ii task%s assigned and waiting.</p></section>\n",
			(long long)q->stage_remaining, q->stage_remaining == 1 ? " is" : "s are");
		return 0;
	}
	figures = q->n_people <= MLFY_FIG_INTERVALS_MAX_ROWS;
	timed = 0;
	if (figures &&
	    ((rc = fig_accuracy(dir, q, formats, err)) || (rc = fig_seconds(dir, q, formats, &timed, err))))
		return rc;
	fprintf(h, "<p>%zu people, %zu answers (stage ii and iv). Proportions with 95 %% Wilson "
		   "intervals and their counts k/n; <code>mlfy quality</code> prints the same figures "
		   "(docs/quality.md explains each). Team: top-1 alone ",
		q->n_people, answers);
	fprintf(h, "%s", q->team_top1_only.n ? "" : "-");
	if (q->team_top1_only.n)
		fprintf(h, "%.1f %% [%.1f, %.1f] of %zu answers", 100 * q->team_top1_only.p,
			100 * q->team_top1_only.lo, 100 * q->team_top1_only.hi, q->team_top1_only.n);
	fprintf(h, ", median %s s per image; stage ii: %lld tasks left, projected finish ",
		mlfy_fmt_real(x, sizeof(x), q->team_median_seconds, 1), (long long)q->stage_remaining);
	mlfy_html_esc(h, q->stage_eta[0] ? q->stage_eta : "unknown");
	fprintf(h, ". Dawid\xE2\x80\x93Skene: %s questions, %d iterations%s.</p>\n",
		mlfy_fmt_count(y, sizeof(y), q->ds_questions), q->ds_iterations,
		q->ds_converged ? ", converged" : ", not converged");
	if (!figures)
		fprintf(h, "<p>More than %d people: the figures are left out, the tables below have "
			   "every figure.</p>\n", MLFY_FIG_INTERVALS_MAX_ROWS);
	else
		mlfy_html_figure(h, formats, "quality_accuracy", "forest plot of exact-set accuracy per person",
				 "Share of each person's answers whose label set equals the gold set "
				 "(circles) and the final set decided by someone else (squares), with 95 % "
				 "Wilson intervals; the dashed line is the flag threshold. Unsure answers "
				 "are not scored.");
	fprintf(h, "<h3>Accuracy</h3>\n");
	table_accuracy(h, q);
	fprintf(h, "<h3>Time, behaviour and pace</h3>\n");
	if (timed)
		mlfy_html_figure(h, formats, "quality_seconds", "seconds per image per person",
				 "Seconds per image: the box spans the interquartile range, the bar is the "
				 "median; annotators' stage-ii answers, experts' refinements (stage iv). "
				 "The dashed line is the annotators' pooled median.");
	else if (figures)
		fprintf(h, "<p>No answer has a time yet.</p>\n");
	table_behaviour(h, q);
	fprintf(h, "<h3>Flags</h3>\n<p>Flag threshold of exact-set accuracy: %.0f %%.</p>\n",
		100 * q->min_accuracy);
	table_flags(h, q);
	fprintf(h, "<h3>Unsure answers and problem tags</h3>\n<p>Unsure answers by reason:</p>\n");
	table_counts(h, q, 0);
	fprintf(h, "<p>Answers carrying each problem tag:</p>\n");
	table_counts(h, q, 1);
	if (a)
		part_anchoring(h, a);
	fprintf(h, "</section>\n");
	return 0;
}

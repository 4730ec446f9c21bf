/* report.c - the report directory: figures from figures.c, tables as CSV,
 * JSON and HTML (see report.h); the quality section comes from
 * quality_report.c.  Arranges what src/evaluate computed; no
 * metric is computed here. */
#include "report/report.h"
#include "util/vec.h"
#include "store/zero_label.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/figures.h"
#include "report/html.h"
#include "report/quality_report.h"
#include "report/tables.h"
#include "util/numfmt.h"

/* Most models in a heatmap (the best by ReaL accuracy) and in the
 * accuracy-by-label-count chart. */
#define HEAT_MAX_ROWS 40
#define CURVE_MAX_MODELS 7

/* ---- parts ------------------------------------------------------------------- */

static int part_counts(const char *dir, FILE *h, const struct mlfy_report_input *in,
		       struct mlfy_err *err)
{
	const struct mlfy_label_counts *lc = in->counts;
	struct mlfy_fig_slice s[6];
	static const char *names[] = { "0 labels", "1 label", "2 labels", "3 labels" };
	size_t c, n = 0, last = lc->max_count < 4 ? lc->max_count : 4;
	char a[32], b[32], z[32], label[32];
	int rc;

	for (c = 0; c <= last; c++) {
		if (c == 4 && lc->max_count > 4) {
			s[n++] = (struct mlfy_fig_slice){ "\xE2\x89\xA5" "4 labels",
							  mlfy_label_counts_at_least(lc, 4) };
			break;
		}
		s[n++] = (struct mlfy_fig_slice){ c < 4 ? names[c] : "4 labels",
						  mlfy_label_counts_exactly(lc, c) };
	}
	if ((rc = mlfy_fig_donut(dir, "label_counts", in->formats, "Labels per image", s, n, err)))
		return rc;
	fprintf(h, "<section><h2>Labels per image</h2>\n");
	mlfy_html_figure(h, in->formats, "label_counts", "label-count distribution",
		 "Share of images by number of labels.");
	fprintf(h, "<p>");
	mlfy_html_esc(h, in->counts_source ? in->counts_source : "");
	fprintf(h, ": %s images, %s labels, %.2f per image; multi-label (\xE2\x89\xA5 2 labels): "
		   "%s; no valid label: %s.</p>\n",
		mlfy_fmt_count(a, sizeof(a), lc->n_images),
		mlfy_fmt_count(b, sizeof(b), lc->total_labels), mlfy_label_counts_mean(lc),
		mlfy_html_pct(label, sizeof(label), mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 2)) / 100),
		mlfy_fmt_count(z, sizeof(z), mlfy_label_counts_exactly(lc, 0)));
	fprintf(h, "<table><tr><th>labels</th><th>images</th><th>share</th></tr>\n");
	for (c = 0; c <= lc->max_count; c++)
		fprintf(h, "<tr><td>%zu</td><td>%s</td><td>%s</td></tr>\n", c,
			mlfy_fmt_count(a, sizeof(a), mlfy_label_counts_exactly(lc, c)),
			mlfy_html_pct(b, sizeof(b), mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, c)) / 100));
	fprintf(h, "</table></section>\n");
	return 0;
}

static int part_scatter(const char *dir, FILE *h, const struct mlfy_report_input *in,
			struct mlfy_err *err)
{
	const struct mlfy_model_scores *s = in->scores;
	const struct mlfy_linfit *fit = in->fit;
	struct mlfy_fig_scatter f;   /* the figure the console's live view draws too */
	size_t n_out = mlfy_linfit_outliers(fit, in->outlier_t, NULL, 0), i, *idx;
	char a[32];
	int rc;

	mlfy_fig_scatter_real_vs_top1(&f, s, fit, in->outlier_t);

	if ((rc = mlfy_fig_scatter(dir, "real_vs_top1", in->formats, &f, err)))
		return rc;
	fprintf(h, "<section><h2>ReaL accuracy vs top-1 accuracy</h2>\n");
	mlfy_html_figure(h, in->formats, "real_vs_top1", "ReaL vs top-1 scatter with fitted line",
		 "Each point is a model; the line is the least-squares fit (GSL); diamonds "
		 "mark externally studentized residuals beyond the threshold.");
	fprintf(h, "<p>Source: ");
	mlfy_html_esc(h, s->source ? s->source : "");
	fprintf(h, ".</p><table><tr><th>n</th><th>slope</th><th>intercept</th><th>R\xC2\xB2</th>"
		   "<th>residual SD</th></tr><tr><td>%s</td><td>%.4f \xC2\xB1 %.4f</td>"
		   "<td>%.3f \xC2\xB1 %.3f</td><td>%.4f</td><td>%.3f</td></tr></table>\n",
		mlfy_fmt_count(a, sizeof(a), fit->n), fit->slope, fit->se_slope, fit->intercept,
		fit->se_intercept, fit->r2, fit->resid_sd);
	if (fit->n < 4)
		fprintf(h, "<p>Outliers: undefined (externally studentized residuals need at least "
			   "4 models).</p>\n");
	else
		fprintf(h, "<p>Outliers (|studentized residual| &gt; %g): %zu.</p>\n",
			in->outlier_t, n_out);
	if (n_out && (idx = malloc(n_out * sizeof(size_t)))) {
		mlfy_linfit_outliers(fit, in->outlier_t, idx, n_out);
		fprintf(h, "<table><tr><th>model</th><th>top-1 (%%)</th><th>ReaL (%%)</th>"
			   "<th>residual</th><th>studentized</th></tr>\n");
		for (i = 0; i < n_out; i++) {
			size_t k = idx[i];
			fprintf(h, "<tr><td>");
			mlfy_html_esc(h, s->model[k]);
			fprintf(h, "</td><td>%.3f</td><td>%.3f</td><td>%+.3f</td><td>%+.2f</td></tr>\n",
				s->top1[k], s->real[k], fit->residual[k], fit->studentized[k]);
		}
		fprintf(h, "</table>\n");
		free(idx);
	}
	fprintf(h, "</section>\n");
	return 0;
}

/* Buckets with images in any model: 0 only when present. */
static int first_bucket(const struct mlfy_eval_results *r)
{
	size_t i;
	for (i = 0; i < r->n_models; i++)
		if (r->models[i].acc.count_n[0])
			return 0;
	return 1;
}

static int part_accuracy(const char *dir, FILE *h, const struct mlfy_report_input *in,
			 struct mlfy_err *err)
{
	const struct mlfy_eval_results *r = in->results;
	int b0 = first_bucket(r), nb = r->max_count + 2 - b0, b, rc = 0, has_curves = 0;
	size_t rows = r->n_models < HEAT_MAX_ROWS ? r->n_models : HEAT_MAX_ROWS, i, j;
	size_t *order = malloc((r->n_models ? r->n_models : 1) * sizeof(size_t));
	double *real = malloc((r->n_models ? r->n_models : 1) * sizeof(double));
	double *top1 = malloc((r->n_models ? r->n_models : 1) * sizeof(double));
	double *acc = malloc(rows * nb * sizeof(double)), *moe = malloc(rows * nb * sizeof(double));
	const char **row_names = malloc(rows * sizeof(char *));
	char (*col_names)[16] = malloc(nb * sizeof(*col_names));
	char (*col_note)[32] = malloc(nb * sizeof(*col_note));
	const char **cn = malloc(nb * sizeof(char *)), **cnote = malloc(nb * sizeof(char *));
	char **names = malloc((r->n_models ? r->n_models : 1) * sizeof(char *));
	double emax = 0;
	char a[32], bb[32], c[32];

	if (!order || !real || !top1 || !acc || !moe || !row_names || !col_names || !col_note ||
	    !cn || !cnote || !names) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < r->n_models; i++) {
		struct mlfy_proportion t, q;
		mlfy_eval_top1(&r->models[i], &t);
		mlfy_eval_real(&r->models[i], &q);
		real[i] = q.p;
		top1[i] = t.p;
		names[i] = r->models[i].model;
	}
	mlfy_rank_models(real, top1, names, r->n_models, order);
	/* the curves start at one label: none when no image with labels has an
	 * original label (an empty plot otherwise) */
	for (b = 1; b <= r->max_count + 1; b++)
		if (r->models[0].acc.count_n[b])
			has_curves = 1;
	for (b = b0; b <= r->max_count + 1; b++) {
		char nb_s[32];
		mlfy_eval_bucket_name(b, r->max_count, col_names[b - b0], sizeof(col_names[0]));
		if (b > r->max_count)
			snprintf(col_names[b - b0], sizeof(col_names[0]), "\xE2\x89\xA5%d", r->max_count + 1);
		snprintf(col_note[b - b0], sizeof(col_note[0]), "n=%s",
			 mlfy_fmt_count(nb_s, sizeof(nb_s), r->models[0].acc.count_n[b]));
		cn[b - b0] = col_names[b - b0];
		cnote[b - b0] = col_note[b - b0];
	}
	for (i = 0; i < rows; i++) {
		const struct mlfy_model_result *m = &r->models[order[i]];
		row_names[i] = m->model;
		for (b = b0; b <= r->max_count + 1; b++) {
			struct mlfy_proportion t, q;
			mlfy_eval_bucket(m, b, &t, &q);
			acc[i * nb + (b - b0)] = 100 * t.p;
			moe[i * nb + (b - b0)] = 100 * t.moe;
			if (t.n && 100 * t.moe > emax)
				emax = 100 * t.moe;
		}
	}
	/* the heatmaps need top-1 per label count: only with original labels */
	if (r->n_images > r->n_no_original) {
		struct mlfy_fig_heatmap f1 = { "Top-1 accuracy by label count", "labels per image",
					       "top-1 accuracy (%)", rows, (size_t)nb, row_names, cn,
					       cnote, acc, 1, 0, 100, 0 };
		struct mlfy_fig_heatmap f2 = { "Margin of error E by label count", "labels per image",
					       "E (percentage points)", rows, (size_t)nb, row_names,
					       cn, cnote, moe, 2, 0, emax > 0 ? emax : 1, 1 };
		size_t nc = r->n_models < CURVE_MAX_MODELS ? r->n_models : CURVE_MAX_MODELS;
		double *x = malloc(nb * sizeof(double));
		/* the curves start at one label (as the paper's Fig. 5); rows are
		 * nb apart in acc and moe */
		int skip = b0 == 0;
		double *yc = malloc(nc * nb * sizeof(double)), *ec = malloc(nc * nb * sizeof(double));
		struct mlfy_fig_curves fc = { "Top-1 accuracy by label count (\xC2\xB1 E)",
					      "labels per image", "top-1 accuracy (%)", nc,
					      (size_t)(nb - skip), x, yc, row_names, ec, cn + skip, 1,
					      0, 100, 0 };
		if (!x || !yc || !ec) {
			MLFY_FREE_ALL(x, yc, ec);
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = 0; i < nc; i++)
			for (j = 0; j < (size_t)(nb - skip); j++) {
				yc[i * (nb - skip) + j] = acc[i * nb + j + skip];  /* NOLINT(clang-analyzer-core.uninitialized.Assign): acc and moe are filled for every model and count */
				ec[i * (nb - skip) + j] = moe[i * nb + j + skip];
			}
		for (b = skip; b < nb; b++)
			x[b - skip] = b0 + b;
		rc = mlfy_fig_heatmap(dir, "top1_by_label_count", in->formats, &f1, err);
		if (!rc)
			rc = mlfy_fig_heatmap(dir, "moe_by_label_count", in->formats, &f2, err);
		if (!rc && has_curves)
			rc = mlfy_fig_curves(dir, "accuracy_by_label_count", in->formats, &fc, err);
		MLFY_FREE_ALL(x, yc, ec);
		if (rc)
			goto out;
	}

	fprintf(h, "<section><h2>Accuracy</h2>\n<p>Evaluation set: ");
	mlfy_html_esc(h, r->labels);
	fprintf(h, "; %s images, %s with an empty label set (left out of ReaL accuracy)",
		mlfy_fmt_count(a, sizeof(a), r->n_images), mlfy_fmt_count(bb, sizeof(bb), r->n_empty));
	if (r->n_undecided)
		fprintf(h, ", %s not yet decided", mlfy_fmt_count(c, sizeof(c), r->n_undecided));
	fprintf(h, ". Models ranked by ReaL accuracy, ties by top-1 accuracy (stage i). "
		   "\xC2\xB1 is the margin of error E = 1.96 \xE2\x88\x9A(p(1\xE2\x88\x92p)/n).</p>\n");
	fprintf(h, "<table><tr><th>rank</th><th>model</th><th>ReaL accuracy</th><th>images</th>"
		   "<th>top-1 accuracy</th><th>images</th></tr>\n");
	for (i = 0; i < r->n_models; i++) {
		const struct mlfy_model_result *m = &r->models[order[i]];
		struct mlfy_proportion t, q;
		mlfy_eval_top1(m, &t);
		mlfy_eval_real(m, &q);
		fprintf(h, "<tr><td>%zu</td><td class=l>", i + 1);
		mlfy_html_esc(h, m->model);
		fprintf(h, "</td><td>%s \xC2\xB1 %.2f</td><td>%s</td>", mlfy_html_pct(a, sizeof(a), q.p),
			100 * q.moe, mlfy_fmt_count(bb, sizeof(bb), q.n));
		fprintf(h, "<td>%s \xC2\xB1 %.2f</td><td>%s</td></tr>\n", mlfy_html_pct(a, sizeof(a), t.p),
			100 * t.moe, mlfy_fmt_count(bb, sizeof(bb), t.n));
	}
	fprintf(h, "</table>\n");
	if (r->n_images > r->n_no_original) {
		char cap[256];
		snprintf(cap, sizeof(cap), "Top-1 accuracy (against the original label) of the images "
					   "with each number of labels%s.",
			 rows < r->n_models ? "; the models with the best ReaL accuracy" : "");
		mlfy_html_figure(h, in->formats, "top1_by_label_count", "heatmap of top-1 accuracy by label count", cap);
		mlfy_html_figure(h, in->formats, "moe_by_label_count", "heatmap of the margin of error",
			 "Margin of error E of those accuracies, in percentage points.");
		if (has_curves)
			mlfy_html_figure(h, in->formats, "accuracy_by_label_count", "top-1 accuracy by label count",
				 "The same accuracies with \xC2\xB1" "E bars (the best models by ReaL "
				 "accuracy).");
		fprintf(h, "<table><tr><th>model</th><th>labels</th><th>images</th><th>top-1</th>"
			   "<th>E</th><th>Wilson 95 %%</th><th>ReaL</th></tr>\n");
		for (i = 0; i < r->n_models; i++) {
			const struct mlfy_model_result *m = &r->models[order[i]];
			for (b = b0, j = 0; b <= r->max_count + 1; b++, j++) {
				struct mlfy_proportion t, q;
				mlfy_eval_bucket(m, b, &t, &q);
				fprintf(h, "<tr><td>");
				if (!j)
					mlfy_html_esc(h, m->model);
				fprintf(h, "</td><td>%s</td><td>%s</td><td>%s</td>", cn[j],
					mlfy_fmt_count(a, sizeof(a), t.n), mlfy_html_pct(bb, sizeof(bb), t.p));
				if (t.n)
					fprintf(h, "<td>%.2f</td><td>[%.2f, %.2f]</td>", 100 * t.moe,
						100 * t.lo, 100 * t.hi);
				else
					fprintf(h, "<td>-</td><td>-</td>");
				fprintf(h, "<td>%s</td></tr>\n", mlfy_html_pct(c, sizeof(c), q.p));
			}
		}
		fprintf(h, "</table>\n");
	}
	fprintf(h, "<p>Downloads: <a href=\"results.csv\">results.csv</a>, "
		   "<a href=\"results.json\">results.json</a>.</p></section>\n");
out:
	MLFY_FREE_ALL(order, real, top1, acc, moe, row_names, col_names, col_note, cn, cnote, names);
	return rc;
}

static int part_zero(const char *dir, FILE *h, const struct mlfy_report_input *in,
		     struct mlfy_err *err)
{
	size_t *counts = malloc(in->n_zero * sizeof(size_t)), i;
	const char *names[MLFY_ZERO_N_CATEGORIES];
	int64_t total = 0;
	char a[32], b[32];
	int rc;

	if (!counts)
		return mlfy_err_oom(err);
	if (in->n_zero > MLFY_ZERO_N_CATEGORIES) {
		free(counts);
		return mlfy_err_set(err, MLFY_EINVAL, "report: %zu zero-label categories; there are %d", in->n_zero,
				    MLFY_ZERO_N_CATEGORIES);
	}
	for (i = 0; i < in->n_zero; i++) {
		names[i] = mlfy_zero_category_label((int)i);
		counts[i] = in->zero_counts[i] > 0 ? (size_t)in->zero_counts[i] : 0;
		total += in->zero_counts[i];
	}
	rc = mlfy_fig_bars(dir, "zero_label_review", in->formats,
			   "Images without labels: expert review", "images", names, counts,
			   in->n_zero, err);
	free(counts);
	if (rc)
		return rc;
	fprintf(h, "<section><h2>Images without valid labels</h2>\n");
	mlfy_html_figure(h, in->formats, "zero_label_review", "zero-label review categories",
		 "Why annotators found no valid label, as categorised by an expert.");
	fprintf(h, "<table><tr><th>category</th><th>images</th><th>share</th></tr>\n");
	for (i = 0; i < in->n_zero; i++) {
		fprintf(h, "<tr><td>");
		mlfy_html_esc(h, names[i]);
		fprintf(h, "</td><td>%s</td><td>%s</td></tr>\n",
			mlfy_fmt_count(a, sizeof(a), (uint64_t)in->zero_counts[i]),
			mlfy_html_pct(b, sizeof(b), total ? (double)in->zero_counts[i] / (double)total : NAN));
	}
	fprintf(h, "</table><p>Reviewed: %s; awaiting review: %s.",
		mlfy_fmt_count(a, sizeof(a), (uint64_t)total),
		mlfy_fmt_count(b, sizeof(b), (uint64_t)in->zero_pending));
	if (in->n_verdicts) {
		fprintf(h, " The expert's verdict on the original label:");
		for (i = 0; i < in->n_verdicts; i++) {
			fprintf(h, "%s ", i ? "," : "");
			mlfy_html_esc(h, mlfy_zero_verdict_label((int)i));
			fprintf(h, " %s", mlfy_fmt_count(a, sizeof(a), (uint64_t)in->verdict_counts[i]));
		}
		fprintf(h, ".");
	}
	fprintf(h, "</p></section>\n");
	return 0;
}

/* Share of the labels of images with >= 3 labels (buckets 3 .. max_count + 1
 * pooled) within the top-k; NAN when there are none. */
static double coverage_share_3plus(const struct mlfy_coverage *c, int k)
{
	size_t lab3 = 0, in3 = 0;
	int bk;
	for (bk = 3; bk <= c->max_count + 1; bk++) {
		lab3 += c->count_labels[bk];
		in3 += c->count_labels_in_top[bk][k];
	}
	return lab3 ? (double)in3 / (double)lab3 : NAN;
}

static int part_coverage(const char *dir, FILE *h, const struct mlfy_report_input *in,
			 struct mlfy_err *err)
{
	const struct mlfy_coverage *c = in->coverage;
	enum { S = 5 };
	const char *names[S] = { "all final labels", "images with 1 label", "images with 2 labels",
				 "images with \xE2\x89\xA5" "3 labels", "images fully covered" };  /* NOLINT(bugprone-suspicious-missing-comma): the literal is split to end the \\xA5 escape */
	double *x = malloc(c->k_max * sizeof(double)), *y = malloc(S * c->k_max * sizeof(double));
	int k, rc;
	char a[32], b[32], d[32], e[32], f3[32];

	if (!x || !y) {
		MLFY_FREE_ALL(x, y);
		return mlfy_err_oom(err);
	}
	for (k = 1; k <= c->k_max; k++) {
		x[k - 1] = k;
		y[0 * c->k_max + k - 1] = 100 * mlfy_coverage_share(c, 0, k);
		y[1 * c->k_max + k - 1] = 100 * mlfy_coverage_share(c, 1, k);
		y[2 * c->k_max + k - 1] = c->max_count >= 2 ? 100 * mlfy_coverage_share(c, 2, k) : NAN;
		y[3 * c->k_max + k - 1] = 100 * coverage_share_3plus(c, k);
		y[4 * c->k_max + k - 1] = 100 * mlfy_coverage_full(c, 0, k);
	}
	{
		struct mlfy_fig_curves f = { "Proposal coverage", "proposals shown (k)",
					     "share within the top-k (%)", S, (size_t)c->k_max, x, y,
					     names, NULL, NULL, 1, 0, 100, 0 };
		rc = mlfy_fig_curves(dir, "proposal_coverage", in->formats, &f, err);
	}
	MLFY_FREE_ALL(x, y);
	if (rc)
		return rc;
	fprintf(h, "<section><h2>Proposal coverage</h2>\n");
	mlfy_html_figure(h, in->formats, "proposal_coverage", "proposal coverage curve",
		 "Share of the final labels that were among the top-k proposals, for each k; "
		 "labels outside them were added through the class search.");
	fprintf(h, "<p>Model: ");
	mlfy_html_esc(h, in->coverage_model ? in->coverage_model : "");
	fprintf(h, "; %s decided images with proposals (%s without), %s final labels; outside the "
		   "top-%d: %s.",
		mlfy_fmt_count(a, sizeof(a), c->n_images), mlfy_fmt_count(b, sizeof(b), c->n_no_proposals),
		mlfy_fmt_count(d, sizeof(d), c->n_labels), c->k_max,
		mlfy_html_pct(e, sizeof(e), mlfy_coverage_outside(c, 0)));
	k = mlfy_coverage_k_for(c, 0.99);
	if (k)
		fprintf(h, " 99 %% of the labels are within the top-%d.", k);
	fprintf(h, "</p>\n<table><tr><th>k</th><th>all final labels</th>"
		   "<th>images with 1 label</th><th>with 2 labels</th>"
		   "<th>with \xE2\x89\xA5" "3 labels</th><th>images fully covered</th></tr>\n");
	for (k = 1; k <= c->k_max; k++)
		fprintf(h, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
			   "</tr>\n", k,
			mlfy_html_pct(a, sizeof(a), mlfy_coverage_share(c, 0, k)),
			mlfy_html_pct(b, sizeof(b), mlfy_coverage_share(c, 1, k)),
			mlfy_html_pct(d, sizeof(d), c->max_count >= 2 ? mlfy_coverage_share(c, 2, k) : NAN),
			mlfy_html_pct(f3, sizeof(f3), coverage_share_3plus(c, k)),
			mlfy_html_pct(e, sizeof(e), mlfy_coverage_full(c, 0, k)));
	fprintf(h, "</table></section>\n");
	return 0;
}

static int write_results(const char *dir, const struct mlfy_eval_results *r, struct mlfy_err *err)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	if (!(f = fopen(path, "w")))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	rc = mlfy_results_write_csv(f, r, err);
	if (fclose(f) && !rc)
		rc = mlfy_err_set(err, MLFY_EIO, "%s: write error", path);
	if (rc)
		return mlfy_err_prefix(err, "%s", path);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (!(f = fopen(path, "w")))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	rc = mlfy_results_write_json(f, r, err);
	if (fclose(f) && !rc)
		rc = mlfy_err_set(err, MLFY_EIO, "%s: write error", path);
	return rc ? mlfy_err_prefix(err, "%s", path) : 0;
}

int mlfy_report_write(const char *dir, const struct mlfy_report_input *in,
		      struct mlfy_err *err)
{
	char path[4096], tmp[4200];
	FILE *h;
	int rc = 0;

	if (!in->counts && !in->results && !(in->scores && in->fit) && !in->coverage && !in->n_zero &&
	    !in->quality)
		return mlfy_err_set(err, MLFY_EINVAL, "nothing to report: no labels, results, "
						      "scores, coverage, zero-label reviews or annotators");
	if (mkdir(dir, 0777) && errno != EEXIST)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create directory: %s", dir,
				    strerror(errno));
	snprintf(path, sizeof(path), "%s/index.html", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(h = fopen(tmp, "w")))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", tmp, strerror(errno));
	fprintf(h, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n<title>");
	mlfy_html_esc(h, in->title ? in->title : "multilabelfy report");
	fprintf(h, "</title>\n<meta name=viewport content=\"width=device-width, initial-scale=1\">\n"
		   "<style>body{font-family:'DejaVu Sans',sans-serif;max-width:72em;margin:2em auto;"
		   "padding:0 1em;color:#111}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;"
		   "border-bottom:1px solid #ccc}figure{margin:1em 0}figure img{max-width:100%%;"
		   "height:auto}figcaption{font-size:.9em;color:#333}.dl{white-space:nowrap}"
		   "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
		   "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
		   "td:first-child,th:first-child,td.l{text-align:left}th{background:#f2f2f2}h3{font-size:1.05em}td small{color:#444}</style>\n"
		   "</head><body>\n<h1>");
	mlfy_html_esc(h, in->title ? in->title : "multilabelfy report");
	fprintf(h, "</h1>\n");
	if (in->counts && (rc = part_counts(dir, h, in, err)))
		goto out;
	if (in->results && in->results->n_models) {
		if ((rc = write_results(dir, in->results, err)) || (rc = part_accuracy(dir, h, in, err)))
			goto out;
	}
	if (in->scores && in->fit && (rc = part_scatter(dir, h, in, err)))
		goto out;
	if (in->coverage && in->coverage->n_labels && (rc = part_coverage(dir, h, in, err)))
		goto out;
	if (in->n_zero && (rc = part_zero(dir, h, in, err)))
		goto out;
	if (in->quality && (rc = mlfy_report_quality(dir, h, in->quality, in->anchoring, in->formats, err)))
		goto out;
	fprintf(h, "<p style=\"font-size:.8em;color:#555\">Made with multilabelfy. Formulas and "
		   "sources: docs/evaluate.md.</p>\n</body></html>\n");
out:
	if (fclose(h) && !rc)
		rc = mlfy_err_set(err, MLFY_EIO, "%s: write error", tmp);
	if (!rc && rename(tmp, path))
		rc = mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		remove(tmp);
	return rc;
}

/* stats.c - the `mlfy stats` report: label-count distribution, a project's
 * decisions, review counts and proposal coverage, as text and JSON (see
 * stats.h).  Formatting only: the numbers come from src/evaluate. */
#include "report/stats.h"

#include <stdint.h>

#include "util/numfmt.h"

/* n with thousands separators into buf */
#define N(buf, n) mlfy_fmt_count((buf), sizeof(buf), (uint64_t)(n))

static int check_write(FILE *f, struct mlfy_err *err)
{
	return ferror(f) ? mlfy_err_set(err, MLFY_EIO, "write error") : 0;
}

/* ---- label-count distribution --------------------------------------------- */

int mlfy_label_counts_write_text(FILE *f, const char *src, const char *what,
				 const struct mlfy_label_counts *lc, long max_k, struct mlfy_err *err)
{
	char a[32], b[32];
	size_t c, last = lc->max_count;

	fprintf(f, "%s: %s image%s (%s), %s label%s, %.2f per image\n", src, N(a, lc->n_images),
		lc->n_images == 1 ? "" : "s", what, N(b, lc->total_labels), lc->total_labels == 1 ? "" : "s",
		mlfy_label_counts_mean(lc));
	fprintf(f, "summary: 0: %s (%.2f %%), ", N(a, mlfy_label_counts_exactly(lc, 0)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 0)));
	fprintf(f, "1: %s (%.2f %%), ", N(a, mlfy_label_counts_exactly(lc, 1)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 1)));
	fprintf(f, "2: %s (%.2f %%), ", N(a, mlfy_label_counts_exactly(lc, 2)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 2)));
	fprintf(f, ">2: %s (%.2f %%), ", N(a, mlfy_label_counts_at_least(lc, 3)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 3)));
	fprintf(f, ">=2: %.2f %%\n", mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 2)));
	fprintf(f, "empty (no label): %s of %s images\n", N(a, mlfy_label_counts_exactly(lc, 0)),
		N(b, lc->n_images));
	fprintf(f, "\n%8s %12s %9s\n", "labels", "images", "%");
	if (max_k >= 0 && (size_t)max_k < last)
		last = (size_t)max_k;
	for (c = 0; c <= last; c++)
		fprintf(f, "%8zu %12s %9.2f\n", c, N(a, mlfy_label_counts_exactly(lc, c)),
			mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, c)));
	if (last < lc->max_count) {
		char k[32];
		snprintf(k, sizeof(k), ">%zu", last);
		fprintf(f, "%8s %12s %9.2f\n", k, N(a, mlfy_label_counts_at_least(lc, last + 1)),
			mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, last + 1)));
	}
	fprintf(f, "%8s %12s %9.2f\n", ">2", N(a, mlfy_label_counts_at_least(lc, 3)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 3)));
	fprintf(f, "%8s %12s %9.2f\n", ">=2", N(a, mlfy_label_counts_at_least(lc, 2)),
		mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 2)));
	return check_write(f, err);
}

static json_t *bucket(const struct mlfy_label_counts *lc, size_t n)
{
	return json_pack("{s:I, s:f}", "images", (json_int_t)n, "percent", mlfy_label_counts_pct(lc, n));
}

json_t *mlfy_label_counts_json(const char *src, const char *kind, const char *format,
			       const struct mlfy_label_counts *lc, long max_k)
{
	json_t *o = json_object(), *counts = json_array();
	size_t c, last = lc->max_count;

	if (!o || !counts) {
		json_decref(o);
		json_decref(counts);
		return NULL;
	}
	json_object_set_new(o, "source", json_string(src));
	json_object_set_new(o, "kind", json_string(kind));
	if (format)
		json_object_set_new(o, "format", json_string(format));
	json_object_set_new(o, "images", json_integer((json_int_t)lc->n_images));
	json_object_set_new(o, "labels", json_integer((json_int_t)lc->total_labels));
	json_object_set_new(o, "mean_labels", json_real(mlfy_label_counts_mean(lc)));
	if (max_k >= 0 && (size_t)max_k < last)
		last = (size_t)max_k;
	for (c = 0; lc->n_images && c <= last; c++) {
		json_t *b = bucket(lc, mlfy_label_counts_exactly(lc, c));
		json_object_set_new(b, "labels", json_integer((json_int_t)c));
		json_array_append_new(counts, b);
	}
	json_object_set_new(o, "counts", counts);
	if (last < lc->max_count) {
		json_t *b = bucket(lc, mlfy_label_counts_at_least(lc, last + 1));
		json_object_set_new(b, "more_than", json_integer((json_int_t)last));
		json_object_set_new(o, "rest", b);
	}
	json_object_set_new(o, "more_than_2", bucket(lc, mlfy_label_counts_at_least(lc, 3)));
	json_object_set_new(o, "at_least_2", bucket(lc, mlfy_label_counts_at_least(lc, 2)));
	return o;
}

/* ---- review counts --------------------------------------------------------- */

static void review_text(FILE *f, const struct mlfy_review_stats *st)
{
	char a[32], b[32], c[32];
	int i, tagged = 0;

	fprintf(f, "refinement queue: %s images, %s assigned to experts, %s refined\n", N(a, st->queued),
		N(b, st->queue_assigned), N(c, st->queue_refined));
	fprintf(f, "zero-label images: %s, %s reviewed", N(a, st->zero_label), N(b, st->zero_reviewed));
	if (st->zero_reviewed) {
		fprintf(f, " (");
		for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
			fprintf(f, "%s%s %s", i ? ", " : "", mlfy_zero_category_name(i), N(a, st->by_category[i]));
		fprintf(f, "; original label:");
		for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
			fprintf(f, "%s %s %s", i ? "," : "", mlfy_zero_verdict_name(i), N(a, st->by_verdict[i]));
		fprintf(f, ")");
	}
	fprintf(f, "\n");
	if (st->votes)
		fprintf(f, "raw votes: %s on %s questions\n", N(a, st->votes), N(b, st->questions));
	if (st->unsure) {
		fprintf(f, "unsure answers: %s (", N(a, st->unsure));
		for (i = 0; i < MLFY_N_UNSURE; i++)
			fprintf(f, "%s%s %s", i ? ", " : "", mlfy_unsure_name(i), N(a, st->by_unsure[i]));
		fprintf(f, ")\n");
	}
	for (i = 0; i < MLFY_N_TAGS; i++)
		tagged |= st->by_tag[i] != 0;
	if (tagged) {
		fprintf(f, "images with problem tags:");
		for (i = 0; i < MLFY_N_TAGS; i++)
			if (st->by_tag[i])
				fprintf(f, " %s %s", mlfy_tag_name(i), N(a, st->by_tag[i]));
		fprintf(f, "\n");
	}
	if (st->gold_images)
		fprintf(f, "gold images: %s, gold tasks %s, %s answered\n", N(a, st->gold_images), N(b, st->gold_tasks),
			N(c, st->gold_answered));
}

static json_t *review_json(const struct mlfy_review_stats *st)
{
	json_t *cat = json_object(), *ver = json_object(), *uns = json_object(), *tags = json_object(), *o;
	int i;

	for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
		json_object_set_new(cat, mlfy_zero_category_name(i), json_integer(st->by_category[i]));
	for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
		json_object_set_new(ver, mlfy_zero_verdict_name(i), json_integer(st->by_verdict[i]));
	for (i = 0; i < MLFY_N_UNSURE; i++)
		json_object_set_new(uns, mlfy_unsure_name(i), json_integer(st->by_unsure[i]));
	for (i = 0; i < MLFY_N_TAGS; i++)
		json_object_set_new(tags, mlfy_tag_name(i), json_integer(st->by_tag[i]));
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I}",
			 "images", (json_int_t)st->images, "undecided", (json_int_t)st->undecided,
			 "agreed", (json_int_t)st->agreed, "refined", (json_int_t)st->refined,
			 "aggregated", (json_int_t)st->aggregated, "imported", (json_int_t)st->imported,
			 "refinement_queue", (json_int_t)st->queued,
			 "refinement_assigned", (json_int_t)st->queue_assigned,
			 "refinement_refined", (json_int_t)st->queue_refined,
			 "zero_label", (json_int_t)st->zero_label, "zero_label_reviewed", (json_int_t)st->zero_reviewed,
			 "zero_label_categories", cat, "zero_label_verdicts", ver,
			 "questions", (json_int_t)st->questions, "votes", (json_int_t)st->votes);
	json_object_set_new(o, "unsure_answers", json_integer(st->unsure));
	json_object_set_new(o, "unsure_reasons", uns);
	json_object_set_new(o, "problem_tags", tags);
	json_object_set_new(o, "gold", json_pack("{s:I, s:I, s:I}", "images", (json_int_t)st->gold_images, "tasks",
						 (json_int_t)st->gold_tasks, "answered", (json_int_t)st->gold_answered));
	return o;
}

/* ---- proposal coverage ----------------------------------------------------- */

/* the k shown in the text summary */
static const int shown_k[] = { 1, 2, 3, 5, 8, 10, 15, 20 };

static void coverage_row(FILE *f, const struct mlfy_coverage *c, const char *title, int bucket, int full)
{
	size_t i;
	char p[32];
	fprintf(f, "  %-28s", title);
	for (i = 0; i < sizeof(shown_k) / sizeof(shown_k[0]); i++) {
		int k = shown_k[i];
		if (k > c->k_max)
			break;
		fprintf(f, " %8s",
			mlfy_fmt_pct(p, sizeof(p),
				     full ? mlfy_coverage_full(c, bucket, k) : mlfy_coverage_share(c, bucket, k), 1, 1));
	}
	fputc('\n', f);
}

static void coverage_text(FILE *f, const struct mlfy_coverage *c, const char *model)
{
	char a[32], b[32], p[32];
	size_t i;
	int k;

	fprintf(f, "\nproposal coverage: final labels among the top-k proposals of '%s'\n", model);
	fprintf(f, "  (%s decided images with proposals, %s final labels", N(a, c->n_images), N(b, c->n_labels));
	if (c->n_no_proposals)
		fprintf(f, "; %s decided images without proposals left out", N(a, c->n_no_proposals));
	fprintf(f, ")\n  %-28s", "k =");
	for (i = 0; i < sizeof(shown_k) / sizeof(shown_k[0]) && shown_k[i] <= c->k_max; i++)
		fprintf(f, " %8d", shown_k[i]);
	fputc('\n', f);
	coverage_row(f, c, "all final labels", 0, 0);
	coverage_row(f, c, "  images with 1 label", 1, 0);
	coverage_row(f, c, "  images with 2 labels", 2, 0);
	coverage_row(f, c, "  images with 3 labels", 3, 0);
	coverage_row(f, c, "  images with >3 labels", 4, 0);
	coverage_row(f, c, "images fully covered", 0, 1);
	fprintf(f, "  outside the top-%d (added through the class search): %s\n", c->k_max,
		mlfy_fmt_pct(p, sizeof(p), mlfy_coverage_outside(c, 0), 2, 1));
	if ((k = mlfy_coverage_k_for(c, 0.99)))
		fprintf(f, "  99 %% of the final labels are within the top-%d\n", k);
}

/* a share as a percentage, null when undefined */
static json_t *jpct(double share)
{
	return share == share ? json_real(100 * share) : json_null();
}

static json_t *coverage_json(const struct mlfy_coverage *c, const char *model)
{
	json_t *o = json_object(), *rows = json_array();
	int k;

	json_object_set_new(o, "model", json_string(model));
	json_object_set_new(o, "images", json_integer((json_int_t)c->n_images));
	json_object_set_new(o, "images_without_proposals", json_integer((json_int_t)c->n_no_proposals));
	json_object_set_new(o, "labels", json_integer((json_int_t)c->n_labels));
	json_object_set_new(o, "k_max", json_integer(c->k_max));
	for (k = 1; k <= c->k_max; k++)
		json_array_append_new(rows, json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "k", k,
						      "labels", jpct(mlfy_coverage_share(c, 0, k)),
						      "labels_of_1", jpct(mlfy_coverage_share(c, 1, k)),
						      "labels_of_2", jpct(mlfy_coverage_share(c, 2, k)),
						      "labels_of_3", jpct(mlfy_coverage_share(c, 3, k)),
						      "labels_of_more_than_3", jpct(mlfy_coverage_share(c, 4, k)),
						      "images_fully_covered", jpct(mlfy_coverage_full(c, 0, k))));
	json_object_set_new(o, "by_k", rows);
	json_object_set_new(o, "outside_percent", jpct(mlfy_coverage_outside(c, 0)));
	k = mlfy_coverage_k_for(c, 0.99);
	json_object_set_new(o, "k_for_99_percent", k ? json_integer(k) : json_null());
	return o;
}

/* ---- a project -------------------------------------------------------------- */

/* 1 when st has a coverage worth reporting (some decided label) */
static int has_coverage(const struct mlfy_project_stats *st)
{
	return st->coverage && st->coverage->n_labels;
}

int mlfy_project_stats_write_text(FILE *f, const char *src, const struct mlfy_project_stats *st,
				  long max_k, struct mlfy_err *err)
{
	char a[32];
	int i, rc;

	if ((rc = mlfy_label_counts_write_text(f, src, "final labels", &st->counts, max_k, err)))
		return rc;
	fprintf(f, "\nnot yet decided: %s\n", N(a, st->undecided));
	fprintf(f, "decided by stage:");
	for (i = MLFY_FINAL_AGREED; i <= MLFY_FINAL_IMPORTED; i++)
		fprintf(f, " %s %s%s", mlfy_final_stage_name(i), N(a, st->by_stage[i]),
			i < MLFY_FINAL_IMPORTED ? "," : "\n");
	review_text(f, &st->review);
	if (has_coverage(st))
		coverage_text(f, st->coverage, st->coverage_model);
	return check_write(f, err);
}

json_t *mlfy_project_stats_json(const char *src, const struct mlfy_project_stats *st, long max_k)
{
	json_t *o = mlfy_label_counts_json(src, "project", NULL, &st->counts, max_k), *stages;
	int i;

	if (!o || !(stages = json_object())) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "undecided", json_integer(st->undecided));
	for (i = MLFY_FINAL_AGREED; i <= MLFY_FINAL_IMPORTED; i++)
		json_object_set_new(stages, mlfy_final_stage_name(i), json_integer((json_int_t)st->by_stage[i]));
	json_object_set_new(o, "by_stage", stages);
	json_object_set_new(o, "review", review_json(&st->review));
	if (has_coverage(st))
		json_object_set_new(o, "proposal_coverage", coverage_json(st->coverage, st->coverage_model));
	return o;
}

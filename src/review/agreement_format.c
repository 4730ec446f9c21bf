/* agreement_format.c - the `mlfy agreement` report as text and JSON (see
 * agreement_format.h).  Formatting only; agreement_report.c computes. */
#include "review/agreement_format.h"

#include <stdint.h>

#include "util/numfmt.h"

/* n with thousands separators into buf */
#define N(buf, n) mlfy_fmt_count((buf), sizeof(buf), (uint64_t)(n))

static json_t *coef_json(const struct mlfy_coef *c)
{
	return c->defined ? json_real(c->value) : json_null();
}

static void coef_text(FILE *f, const char *label, const struct mlfy_coef *c, const char *extra)
{
	if (c->defined)
		fprintf(f, "  %-34s %8.4f%s\n", label, c->value, extra);
	else
		fprintf(f, "  %-34s %8s  (%s)\n", label, "n/a", c->why);
}

json_t *mlfy_agreement_json(const struct mlfy_agreement_report *r)
{
	json_t *o = json_object(), *p = json_array();
	size_t i;

	json_object_set_new(o, "questions", json_integer((json_int_t)r->n_questions));
	json_object_set_new(o, "votes", json_integer((json_int_t)r->n_votes));
	json_object_set_new(o, "raters", json_integer((json_int_t)r->n_raters));
	json_object_set_new(o, "answer_options", json_integer(r->n_answers));
	json_object_set_new(o, "fleiss_kappa", coef_json(&r->fleiss));
	json_object_set_new(o, "fleiss_items", json_integer((json_int_t)r->fleiss_items));
	json_object_set_new(o, "krippendorff_alpha_nominal", coef_json(&r->alpha_nominal));
	json_object_set_new(o, "mean_pair_cohen_kappa", coef_json(&r->mean_pair_kappa));
	if (r->mean_pair_kappa.defined) {
		json_object_set_new(o, "min_pair_cohen_kappa", json_real(r->min_pair_kappa));
		json_object_set_new(o, "max_pair_cohen_kappa", json_real(r->max_pair_kappa));
	}
	json_object_set_new(o, "set_units", json_integer((json_int_t)r->n_set_units));
	json_object_set_new(o, "krippendorff_alpha_jaccard", coef_json(&r->alpha_jaccard));
	json_object_set_new(o, "krippendorff_alpha_masi", coef_json(&r->alpha_masi));
	json_object_set_new(o, "krippendorff_alpha_sets_nominal", coef_json(&r->alpha_sets_nominal));
	/* undefined (null) when no image has two or more sets */
	json_object_set_new(o, "exact_set_agreement", r->sets.n_units ? json_real(r->sets.exact) : json_null());
	json_object_set_new(o, "exact_set_images", json_integer((json_int_t)r->sets.n_units));
	json_object_set_new(o, "mean_jaccard", r->sets.n_units ? json_real(r->sets.mean_jaccard) : json_null());
	for (i = 0; i < r->n_pairs; i++) {
		json_t *q = json_pack("{s:s, s:s, s:I}", "a", r->pairs[i].a, "b", r->pairs[i].b, "questions",
				      (json_int_t)r->pairs[i].n);
		json_object_set_new(q, "cohen_kappa", r->pairs[i].defined ? json_real(r->pairs[i].kappa) : json_null());
		json_array_append_new(p, q);
	}
	json_object_set_new(o, "pairs", p);
	return o;
}

int mlfy_agreement_write_text(FILE *f, const char *src, const struct mlfy_agreement_report *r, int all_pairs,
			      struct mlfy_err *err)
{
	char a[32], b[32], d[32], extra[96];
	size_t i;

	fprintf(f, "%s: %s questions, %s answers from %zu raters\n", src, N(a, r->n_questions),
	       N(b, r->n_votes), r->n_raters);
	fprintf(f, "per question:\n");
	snprintf(extra, sizeof(extra), "  over %s questions with 2+ answers",
		 N(d, r->fleiss_items));
	coef_text(f, "Fleiss' kappa", &r->fleiss, extra);
	coef_text(f, "Krippendorff's alpha (nominal)", &r->alpha_nominal, "");
	if (r->mean_pair_kappa.defined)
		snprintf(extra, sizeof(extra), "  over %zu rater pairs, min %.4f, max %.4f", r->n_pairs,
			 r->min_pair_kappa, r->max_pair_kappa);
	else
		extra[0] = '\0';
	coef_text(f, "Cohen's kappa, mean of pairs", &r->mean_pair_kappa, extra);
	fprintf(f, "per image (label sets, %s images):\n", N(a, r->n_set_units));
	coef_text(f, "Krippendorff's alpha (Jaccard)", &r->alpha_jaccard, "");
	coef_text(f, "Krippendorff's alpha (MASI)", &r->alpha_masi, "");
	if (r->sets.n_units) {
		fprintf(f, "  %-34s %8.4f  (%s of %s images with 2+ sets)\n", "exact-set agreement", r->sets.exact,
		       N(a, r->sets.n_exact), N(b, r->sets.n_units));
		fprintf(f, "  %-34s %8.4f\n", "mean Jaccard", r->sets.mean_jaccard);
	} else {
		fprintf(f, "  %-34s %8s  (no image has 2+ sets)\n", "exact-set agreement", "n/a");
		fprintf(f, "  %-34s %8s  (no image has 2+ sets)\n", "mean Jaccard", "n/a");
	}
	if (r->n_pairs && (all_pairs || r->n_pairs <= 20)) {
		fprintf(f, "rater pairs (Cohen's kappa over common questions):\n");
		for (i = 0; i < r->n_pairs; i++) {
			char who[160];
			snprintf(who, sizeof(who), "%s / %s", r->pairs[i].a, r->pairs[i].b);
			if (r->pairs[i].defined)
				fprintf(f, "  %-34s %8.4f  (%zu questions)\n", who, r->pairs[i].kappa, r->pairs[i].n);
			else
				fprintf(f, "  %-34s %8s  (%zu questions)\n", who, "n/a", r->pairs[i].n);
		}
	} else if (r->n_pairs) {
		fprintf(f, "(%zu rater pairs; --pairs lists them)\n", r->n_pairs);
	}
	return ferror(f) ? mlfy_err_set(err, MLFY_EIO, "write error") : 0;
}

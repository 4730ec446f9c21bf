/* rater_quality.c - raters of a ReaL-style vote file scored against experts
 * (see rater_quality.h): the experts' truth, the per-rater proportions, the
 * median and minimum, and the text and JSON forms.  Reading the files is
 * review/rater_files.c's; the Wilson interval metrics.c's. */
#include "evaluate/rater_quality.h"
#include "evaluate/proportion_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

void mlfy_rater_quality_report_release(struct mlfy_rater_quality_report *r)
{
	if (!r)
		return;
	MLFY_FREE_ALL(r->votes_path, r->gold_path, r->raters);
	memset(r, 0, sizeof(*r));
}

/* ---- the computation ------------------------------------------------------- */

int mlfy_rater_quality_truth(size_t n_experts, size_t n_questions, const int8_t *answers, int8_t *truth,
			     struct mlfy_err *err)
{
	size_t e, n;

	for (n = 0; n < n_questions; n++) {
		size_t yes = 0, answered = 0;
		for (e = 0; e < n_experts; e++) {
			int a = answers[e * n_questions + n];   /* NOLINT(bugprone-signed-char-misuse,cert-str34-c): an answer code -1..2, not a character */
			if (a < -1 || a > 2)
				return mlfy_err_set(err, MLFY_EINVAL, "expert answer[%zu][%zu] is %d, expected -1 to 2",
						    e, n, a);
			answered += a >= 0;
			yes += a == 2;
		}
		truth[n] = (int8_t)(answered ? 2 * yes > answered : -1);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median and minimum of the scored raters' accuracy into r. */
static int summarise(struct mlfy_rater_quality_report *r, struct mlfy_err *err)
{
	double *acc;
	size_t i, m = 0;

	r->median_accuracy = r->min_accuracy = NAN;
	r->min_rater_index = -1;
	if (!(acc = malloc((r->n_raters ? r->n_raters : 1) * sizeof(*acc))))
		return mlfy_err_oom(err);
	for (i = 0; i < r->n_raters; i++) {
		const struct mlfy_proportion *a = &r->raters[i].accuracy;
		if (!a->n)
			continue;
		acc[m++] = a->p;
		if (r->min_rater_index < 0 || a->p < r->min_accuracy) {
			r->min_accuracy = a->p;
			r->min_rater_index = (long)i;
		}
	}
	r->n_scored = m;
	if (m) {
		qsort(acc, m, sizeof(*acc), cmp_double);
		r->median_accuracy = m % 2 ? acc[m / 2] : (acc[m / 2 - 1] + acc[m / 2]) / 2;
	}
	free(acc);
	return 0;
}

int mlfy_rater_quality_compute(size_t n_raters, size_t n_questions, const int8_t *answers, const int8_t *truth,
			       const int64_t *ids, struct mlfy_rater_quality_report *out, struct mlfy_err *err)
{
	size_t r, n;

	memset(out, 0, sizeof(*out));
	for (n = 0; n < n_questions; n++) {
		if (truth[n] < -1 || truth[n] > 1)
			return mlfy_err_set(err, MLFY_EINVAL, "truth[%zu] is %d, expected -1, 0 or 1", n, truth[n]);
		out->n_with_truth += truth[n] >= 0;
		out->n_valid += truth[n] == 1;
	}
	out->n_questions = out->n_matched = n_questions;
	out->valid_share = out->n_with_truth ? (double)out->n_valid / (double)out->n_with_truth : NAN;
	if (!(out->raters = calloc(n_raters ? n_raters : 1, sizeof(*out->raters))))
		return mlfy_err_oom(err);
	out->n_raters = n_raters;
	for (r = 0; r < n_raters; r++) {
		const int8_t *row = answers + r * n_questions;
		struct mlfy_rater_quality_row *q = &out->raters[r];
		size_t ans = 0, maybe = 0, yes_valid = 0, no_valid = 0, yes_invalid = 0, no_invalid = 0;
		for (n = 0; n < n_questions; n++) {
			int a = row[n];   /* NOLINT(bugprone-signed-char-misuse,cert-str34-c): an answer code -1..2, not a character */
			if (a < -1 || a > 2)
				return mlfy_err_set(err, MLFY_EINVAL, "answer[%zu][%zu] is %d, expected -1 to 2", r,
						    n, a);
			if (a < 0 || truth[n] < 0)
				continue;
			ans++;
			maybe += a == 1;
			if (truth[n]) {
				yes_valid += a == 2;
				no_valid += a == 0;
			} else {
				yes_invalid += a == 2;
				no_invalid += a == 0;
			}
		}
		q->id = ids[r];
		q->answers = ans;
		mlfy_proportion(yes_valid + no_invalid, yes_valid + no_valid + yes_invalid + no_invalid, MLFY_Z95,
				&q->accuracy);
		mlfy_proportion(yes_valid, yes_valid + no_valid, MLFY_Z95, &q->sensitivity);
		mlfy_proportion(no_invalid, yes_invalid + no_invalid, MLFY_Z95, &q->specificity);
		mlfy_proportion(maybe, ans, MLFY_Z95, &q->maybe_rate);
	}
	return summarise(out, err);
}

/* ---- text and JSON -------------------------------------------------------------- */

/* Raters by accuracy ascending, unscored last, file order on ties. */
static int cmp_by_accuracy(const void *a, const void *b, void *rows)
{
	const struct mlfy_rater_quality_row *q = rows;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct mlfy_proportion *px = &q[x].accuracy, *py = &q[y].accuracy;
	if (!px->n != !py->n)
		return px->n ? -1 : 1;
	if (px->n && px->p != py->p)
		return px->p < py->p ? -1 : 1;
	return (x > y) - (x < y);
}

/* "0.9004" or "-" (n = 0) into buf. */
static const char *fmt_p(char *buf, size_t n, const struct mlfy_proportion *p)
{
	if (p->n)
		snprintf(buf, n, "%.4f", p->p);
	else
		snprintf(buf, n, "-");
	return buf;
}

int mlfy_rater_quality_print_text(FILE *f, const struct mlfy_rater_quality_report *r)
{
	size_t *order = malloc((r->n_raters ? r->n_raters : 1) * sizeof(*order)), i;
	char a[32], s[32], sp[32], m[32], ci[48];

	if (!order)
		return MLFY_ENOMEM;
	for (i = 0; i < r->n_raters; i++)
		order[i] = i;
	qsort_r(order, r->n_raters, sizeof(*order), cmp_by_accuracy, r->raters);
	fprintf(f, "raters: %s\nexperts: %s\n", r->votes_path ? r->votes_path : "(in memory)",
		r->gold_path ? r->gold_path : "(in memory)");
	if (isnan(r->valid_share))
		snprintf(a, sizeof(a), "-");
	else
		snprintf(a, sizeof(a), "%.4f", r->valid_share);
	fprintf(f, "%zu raters; %zu questions, %zu matched, %zu with expert truth (%zu left out), valid share %s\n",
		r->n_raters, r->n_questions, r->n_matched, r->n_with_truth, r->n_questions - r->n_with_truth, a);
	fprintf(f, "%12s %7s %6s  %-8s %-17s %-11s %-11s %-10s\n", "rater", "answers", "n", "accuracy", "95% CI",
		"sensitivity", "specificity", "maybe rate");
	for (i = 0; i < r->n_raters; i++) {
		const struct mlfy_rater_quality_row *q = &r->raters[order[i]];
		if (q->accuracy.n)
			snprintf(ci, sizeof(ci), "[%.4f, %.4f]", q->accuracy.lo, q->accuracy.hi);
		else
			snprintf(ci, sizeof(ci), "-");
		fprintf(f, "%12" PRId64 " %7zu %6zu  %-8s %-17s %-11s %-11s %-10s\n", q->id, q->answers, q->accuracy.n,
			fmt_p(a, sizeof(a), &q->accuracy), ci, fmt_p(s, sizeof(s), &q->sensitivity),
			fmt_p(sp, sizeof(sp), &q->specificity), fmt_p(m, sizeof(m), &q->maybe_rate));
	}
	if (r->n_questions && r->n_with_truth * 2 < r->n_questions)
		fprintf(f, "warning: only %zu of the %zu questions have an expert truth; are these the right files?\n",
			r->n_with_truth, r->n_questions);
	if (r->n_scored)
		fprintf(f, "accuracy over %zu raters: median %.4f, minimum %.4f (rater %" PRId64 ", n = %zu)\n",
			r->n_scored, r->median_accuracy, r->min_accuracy, r->raters[r->min_rater_index].id,
			r->raters[r->min_rater_index].accuracy.n);
	else
		fprintf(f, "accuracy: no rater gave a yes or no answer on a question with truth\n");
	free(order);
	return ferror(f) ? MLFY_EIO : 0;
}

json_t *mlfy_rater_quality_json(const struct mlfy_rater_quality_report *r)
{
	json_t *o = json_object(), *raters = json_array(), *s = json_object();
	size_t i;

	if (!o || !raters || !s) {
		json_decref(o);
		json_decref(raters);
		json_decref(s);
		return NULL;
	}
	json_object_set_new(o, "mode", json_string("votes"));
	json_object_set_new(o, "votes", r->votes_path ? json_string(r->votes_path) : json_null());
	json_object_set_new(o, "gold", r->gold_path ? json_string(r->gold_path) : json_null());
	for (i = 0; i < r->n_raters; i++) {
		const struct mlfy_rater_quality_row *q = &r->raters[i];
		json_t *row = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)q->id, "answers",
					(json_int_t)q->answers, "accuracy", mlfy_proportion_json(&q->accuracy),
					"sensitivity", mlfy_proportion_json(&q->sensitivity), "specificity",
					mlfy_proportion_json(&q->specificity), "maybe_rate", mlfy_proportion_json(&q->maybe_rate));
		if (!row || json_array_append_new(raters, row)) {
			json_decref(o);
			json_decref(raters);
			json_decref(s);
			return NULL;
		}
	}
	json_object_set_new(o, "raters", raters);
	json_object_set_new(s, "raters", json_integer((json_int_t)r->n_raters));
	json_object_set_new(s, "questions", json_integer((json_int_t)r->n_matched));
	json_object_set_new(s, "questions_in_votes", json_integer((json_int_t)r->n_questions));
	json_object_set_new(s, "questions_left_out", json_integer((json_int_t)(r->n_questions - r->n_with_truth)));
	json_object_set_new(s, "questions_with_truth", json_integer((json_int_t)r->n_with_truth));
	json_object_set_new(s, "valid_share", mlfy_real_or_null(r->valid_share));
	json_object_set_new(s, "scored_raters", json_integer((json_int_t)r->n_scored));
	json_object_set_new(s, "median_accuracy", mlfy_real_or_null(r->median_accuracy));
	json_object_set_new(s, "min_accuracy", mlfy_real_or_null(r->min_accuracy));
	json_object_set_new(s, "min_rater", r->min_rater_index >= 0 ?
			    json_integer((json_int_t)r->raters[r->min_rater_index].id) : json_null());
	json_object_set_new(o, "summary", s);
	return o;
}

/* verify_quality.c - per-rater figures of ReaL's verification grid: answer
 * shares, agreement with the aggregated result and with gold, time, and
 * flags (verify_quality.h). */
#include "review/verify_quality.h"
#include "evaluate/proportion_json.h"
#include "review/verify.h"
#include "store/verify_quality_input.h"
#include "util/numfmt.h"
#include "util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const flag_names[3] = { "low_accuracy", "speeder", "yes_sayer" };

const char *mlfy_verify_flag_name(int i)
{
	return i >= 0 && i < 3 ? flag_names[i] : "?";
}

/* yes/no counts against a truth: [truth][said yes] */
struct binary_acc {
	size_t c[2][2];
};

struct rater_acc {
	size_t answer[3], bulk;
	struct binary_acc agg, gold;
	double *secs;
	size_t n_secs, cap;
};

struct walk {
	struct mlfy_verify_quality *q;
	struct rater_acc *acc;
	size_t cap;
	size_t last;                  /* index of the last rater looked up */
	double *secs;                 /* every answer's seconds, pooled */
	size_t n_secs, cap_secs;
};

static int push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		double *p = realloc(*v, c * sizeof(*p));
		if (!p)
			return MLFY_ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int add_rater(const struct mlfy_vq_rater_row *r, void *ctx)
{
	struct walk *w = ctx;
	struct mlfy_verify_quality *q = w->q;
	struct mlfy_verify_rater *p;

	if (q->n_raters == w->cap) {
		size_t c = w->cap ? 2 * w->cap : 16;
		struct mlfy_verify_rater *nr = realloc(q->raters, c * sizeof(*nr));
		struct rater_acc *na;
		if (!nr)
			return MLFY_ENOMEM;
		q->raters = nr;
		if (!(na = realloc(w->acc, c * sizeof(*na))))
			return MLFY_ENOMEM;
		w->acc = na;
		w->cap = c;
	}
	p = &q->raters[q->n_raters];
	memset(p, 0, sizeof(*p));
	memset(&w->acc[q->n_raters], 0, sizeof(w->acc[0]));
	if (!(p->name = strdup(r->name)))
		return MLFY_ENOMEM;
	p->id = r->id;
	p->assigned = (size_t)r->assigned;
	q->n_raters++;
	return 0;
}

/* The index of rater id (answers come grouped by rater), n_raters if none. */
static size_t find(struct walk *w, int64_t id)
{
	size_t i;
	if (w->last < w->q->n_raters && w->q->raters[w->last].id == id)
		return w->last;
	for (i = 0; i < w->q->n_raters; i++)
		if (w->q->raters[i].id == id)
			return w->last = i;
	return w->q->n_raters;
}

static int add_answer(const struct mlfy_vq_answer_row *a, void *ctx)
{
	struct walk *w = ctx;
	size_t i = find(w, a->rater_id);
	struct rater_acc *r;
	int rc;

	if (i == w->q->n_raters || a->answer < 0 || a->answer > 2)
		return 0;   /* cannot happen: every answering account is listed; answers are 0..2 (CHECK) */
	r = &w->acc[i];
	w->q->answers++;
	if ((rc = push(&r->secs, &r->n_secs, &r->cap, a->seconds)) ||
	    (rc = push(&w->secs, &w->n_secs, &w->cap_secs, a->seconds)))
		return rc;
	if (!a->current)
		return 0;
	r->answer[a->answer]++;
	r->bulk += (size_t)(a->bulk != 0);
	if (a->answer == MLFY_VERIFY_MAYBE)
		return 0;
	if (a->aggregated == 0 || a->aggregated == 1)
		r->agg.c[a->aggregated][a->answer == MLFY_VERIFY_YES]++;
	if (a->is_gold)
		r->gold.c[a->in_gold != 0][a->answer == MLFY_VERIFY_YES]++;
	return 0;
}

static void binary_finish(const struct binary_acc *b, struct mlfy_binary_scores *out)
{
	size_t tn = b->c[0][0], fp = b->c[0][1], fn = b->c[1][0], tp = b->c[1][1];
	mlfy_proportion(tp + tn, tp + tn + fp + fn, MLFY_Z95, &out->accuracy);
	mlfy_proportion(tp, tp + fn, MLFY_Z95, &out->sensitivity);
	mlfy_proportion(tn, tn + fp, MLFY_Z95, &out->specificity);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void flags(const struct mlfy_verify_quality *q, struct mlfy_verify_rater *p)
{
	const struct mlfy_proportion *acc = p->gold.accuracy.n ? &p->gold.accuracy : &p->aggregated.accuracy;
	size_t rest_k = q->yes.k - p->yes.k, rest_n = q->yes.n - p->yes.n;
	double rest = rest_n ? (double)rest_k / (double)rest_n : NAN;

	if (acc->n && acc->hi < q->min_accuracy) {
		p->flags |= MLFY_VFLAG_LOW_ACCURACY;
		snprintf(p->reason[0], sizeof(p->reason[0]),
			 "%s accuracy of yes/no answers %.3f, 95%% interval [%.3f, %.3f] (n = %zu), lies below %.2f",
			 p->gold.accuracy.n ? "gold" : "aggregated-result", acc->p, acc->lo, acc->hi, acc->n,
			 q->min_accuracy);
	}
	if (p->timed && isfinite(q->median_seconds) && p->median_seconds < q->median_seconds / 3) {
		p->flags |= MLFY_VFLAG_SPEEDER;
		snprintf(p->reason[1], sizeof(p->reason[1]),
			 "median %.2f s per answer, below a third of the raters' median %.2f s", p->median_seconds,
			 q->median_seconds);
	}
	if (p->yes.n && isfinite(rest) && p->yes.lo > rest + (1 - rest) / 2) {
		p->flags |= MLFY_VFLAG_YES_SAYER;
		snprintf(p->reason[2], sizeof(p->reason[2]),
			 "%.1f%% of answers are yes, 95%% interval [%.1f%%, %.1f%%] (n = %zu), against %.1f%% for the"
			 " rest of the raters (more than half the way to 100%%)",
			 100 * p->yes.p, 100 * p->yes.lo, 100 * p->yes.hi, p->yes.n, 100 * rest);
	}
}

static void finish(struct walk *w)
{
	struct mlfy_verify_quality *q = w->q;
	size_t i, yes = 0, all = 0;

	for (i = 0; i < q->n_raters; i++) {
		struct mlfy_verify_rater *p = &q->raters[i];
		struct rater_acc *a = &w->acc[i];
		p->answered = a->answer[0] + a->answer[1] + a->answer[2];
		mlfy_proportion(a->answer[MLFY_VERIFY_YES], p->answered, MLFY_Z95, &p->yes);
		mlfy_proportion(a->answer[MLFY_VERIFY_MAYBE], p->answered, MLFY_Z95, &p->maybe);
		mlfy_proportion(a->answer[MLFY_VERIFY_NO], p->answered, MLFY_Z95, &p->no);
		mlfy_proportion(a->bulk, p->answered, MLFY_Z95, &p->bulk);
		binary_finish(&a->agg, &p->aggregated);
		binary_finish(&a->gold, &p->gold);
		p->timed = a->n_secs;
		p->median_seconds = median_of(a->secs, a->n_secs);
		yes += a->answer[MLFY_VERIFY_YES];
		all += p->answered;
	}
	mlfy_proportion(yes, all, MLFY_Z95, &q->yes);
	q->median_seconds = median_of(w->secs, w->n_secs);
	for (i = 0; i < q->n_raters; i++)
		flags(q, &q->raters[i]);
}

void mlfy_verify_quality_release(struct mlfy_verify_quality *q)
{
	size_t i;
	if (!q)
		return;
	for (i = 0; i < q->n_raters; i++)
		free(q->raters[i].name);
	free(q->raters);
	memset(q, 0, sizeof(*q));
}

int mlfy_verify_quality_compute(struct mlfy_store *s, const char *method, double min_accuracy,
				struct mlfy_verify_quality *out, struct mlfy_err *err)
{
	struct walk w;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (method && !*method)
		method = NULL;
	if (method && strcmp(method, "dawid-skene") && strcmp(method, "majority"))
		return mlfy_err_set(err, MLFY_EINVAL, "method: '%s' is not dawid-skene or majority", method);
	if (!(min_accuracy >= 0 && min_accuracy <= 1))
		return mlfy_err_set(err, MLFY_EINVAL, "--min-accuracy: %g is not in [0, 1]", min_accuracy);
	if (method)
		snprintf(out->method, sizeof(out->method), "%s", method);
	out->min_accuracy = min_accuracy;
	memset(&w, 0, sizeof(w));
	w.q = out;
	rc = mlfy_vq_foreach(s, method, add_rater, add_answer, &w, err);
	if (rc == MLFY_ENOMEM)
		rc = mlfy_err_oom(err);
	if (!rc)
		finish(&w);
	for (i = 0; i < out->n_raters; i++)
		free(w.acc[i].secs);
	MLFY_FREE_ALL(w.acc, w.secs);
	if (rc)
		mlfy_verify_quality_release(out);
	return rc;
}

/* ---- output ------------------------------------------------------------------ */

static json_t *binary_json(const struct mlfy_binary_scores *b)
{
	return json_pack("{sIsososo}", "n", (json_int_t)b->accuracy.n, "accuracy", mlfy_proportion_json(&b->accuracy),
			 "sensitivity", mlfy_proportion_json(&b->sensitivity), "specificity",
			 mlfy_proportion_json(&b->specificity));
}

static json_t *rater_json(const struct mlfy_verify_rater *p)
{
	json_t *fl = json_array(), *o;
	int i;

	for (i = 0; i < 3 && fl; i++)
		if (p->flags & (1u << i))
			json_array_append_new(fl, json_pack("{ssss}", "flag", flag_names[i], "reason", p->reason[i]));
	o = json_pack("{sssIsIsosososososos{sIso}so}", "name", p->name, "assigned", (json_int_t)p->assigned,
		      "answered", (json_int_t)p->answered, "yes", mlfy_proportion_json(&p->yes), "maybe",
		      mlfy_proportion_json(&p->maybe), "no", mlfy_proportion_json(&p->no), "bulk",
		      mlfy_proportion_json(&p->bulk), "aggregated", binary_json(&p->aggregated), "gold",
		      binary_json(&p->gold), "time", "n", (json_int_t)p->timed, "median_seconds",
		      mlfy_real_or_null(p->median_seconds), "flags", fl);
	return o;
}

json_t *mlfy_verify_quality_json(const struct mlfy_verify_quality *q)
{
	json_t *raters = json_array();
	size_t i;

	for (i = 0; i < q->n_raters && raters; i++)
		json_array_append_new(raters, rater_json(&q->raters[i]));
	return json_pack("{sosos{sIsoso}so}", "method", q->method[0] ? json_string(q->method) : json_null(),
			 "min_accuracy", mlfy_real_or_null(q->min_accuracy), "pooled", "answers",
			 (json_int_t)q->answers, "yes", mlfy_proportion_json(&q->yes), "median_seconds",
			 mlfy_real_or_null(q->median_seconds), "raters", raters);
}

/* "0.912 [0.871, 0.941]" or "-" */
static const char *pci(char *buf, size_t n, const struct mlfy_proportion *p)
{
	if (!p->n)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f [%.3f, %.3f]", p->p, p->lo, p->hi);
	return buf;
}

static void print_scores(FILE *f, const char *title, const struct mlfy_verify_quality *q, int gold)
{
	char a[64], b[64], c[64];
	size_t i;

	fprintf(f, "%s\n%-16s %5s %-22s %-22s %-22s\n", title, "NAME", "N", "accuracy", "sensitivity", "specificity");
	for (i = 0; i < q->n_raters; i++) {
		const struct mlfy_binary_scores *s = gold ? &q->raters[i].gold : &q->raters[i].aggregated;
		fprintf(f, "%-16s %5zu %-22s %-22s %-22s\n", q->raters[i].name, s->accuracy.n,
			pci(a, sizeof(a), &s->accuracy), pci(b, sizeof(b), &s->sensitivity),
			pci(c, sizeof(c), &s->specificity));
	}
}

int mlfy_verify_quality_print(FILE *f, const struct mlfy_verify_quality *q)
{
	char a[64], b[32], c[32], d[32];
	size_t i;
	int k, any = 0;

	if (!q->answers)
		return 0;
	fprintf(f, "\nraters of the verification grid (current answers; 95%% Wilson intervals; pooled: yes %s,"
		   " median %s s per answer)\n",
		mlfy_fmt_pct(b, sizeof(b), q->yes.n ? q->yes.p : NAN, 1, 0),
		mlfy_fmt_real(c, sizeof(c), q->median_seconds, 2));
	fprintf(f, "%-16s %8s %8s %-22s %7s %7s %7s %9s\n", "NAME", "ASSIGNED", "ANSWERED", "yes", "maybe", "no",
		"bulk", "s/answer");
	for (i = 0; i < q->n_raters; i++) {
		const struct mlfy_verify_rater *p = &q->raters[i];
		char m[32], n[32], bk[32];
		fprintf(f, "%-16s %8zu %8zu %-22s %7s %7s %7s %9s\n", p->name, p->assigned, p->answered,
			pci(a, sizeof(a), &p->yes), mlfy_fmt_pct(m, sizeof(m), p->maybe.n ? p->maybe.p : NAN, 1, 0),
			mlfy_fmt_pct(n, sizeof(n), p->no.n ? p->no.p : NAN, 1, 0),
			mlfy_fmt_pct(bk, sizeof(bk), p->bulk.n ? p->bulk.p : NAN, 1, 0),
			mlfy_fmt_real(d, sizeof(d), p->median_seconds, 2));
	}
	if (q->method[0]) {
		char t[96];
		snprintf(t, sizeof(t), "\nyes/no answers (maybe left out) against the aggregated result (%s)",
			 q->method);
		print_scores(f, t, q, 0);
	} else {
		fprintf(f, "\nagainst the aggregated result: not aggregated yet (mlfy aggregate)\n");
	}
	print_scores(f, "\nyes/no answers (maybe left out) on gold images against gold", q, 1);
	fprintf(f, "\nflags of the grid's raters (min accuracy %.2f)\n", q->min_accuracy);
	for (i = 0; i < q->n_raters; i++)
		for (k = 0; k < 3; k++)
			if (q->raters[i].flags & (1u << k)) {
				fprintf(f, "  %-16s %-15s %s\n", q->raters[i].name, flag_names[k], q->raters[i].reason[k]);
				any = 1;
			}
	if (!any)
		fprintf(f, "  none\n");
	return ferror(f) ? MLFY_EIO : 0;
}

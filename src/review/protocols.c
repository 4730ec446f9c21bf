/* protocols.c - the paper's protocol beside ReaL's on the same images:
 * seconds per image and agreement of the final sets with each other and
 * with gold (protocols.h). */
#include "review/protocols.h"
#include "evaluate/proportion_json.h"
#include "review/quality_format.h"
#include "store/protocol_input.h"
#include "util/numfmt.h"
#include "util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct mlfy_protocol_compare *out;
	struct mlfy_set_acc between, gold[2];
	double *seconds[2];           /* per compared image, paper then verify */
	size_t n, cap;
	double people[2];
};

static int add_row(const struct mlfy_protocol_row *r, void *ctx)
{
	struct walk *w = ctx;
	int complete = r->verify_questions > 0 && r->verify_aggregated == r->verify_questions;

	w->out->images_verify++;
	w->out->images_aggregated += (size_t)complete;
	w->out->images_paper += (size_t)(r->paper_decided != 0);
	if (!complete || !r->paper_decided)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		for (int k = 0; k < 2; k++) {
			double *p = realloc(w->seconds[k], cap * sizeof(*p));
			if (!p)
				return MLFY_ENOMEM;
			w->seconds[k] = p;
		}
		w->cap = cap;
	}
	w->seconds[0][w->n] = r->paper_seconds;
	w->seconds[1][w->n] = r->verify_seconds;
	w->n++;
	w->people[0] += (double)r->paper_people;
	w->people[1] += (double)r->verify_people;
	mlfy_set_acc_add(&w->between, r->verify, r->n_verify, r->paper, r->n_paper);
	if (r->is_gold) {
		mlfy_set_acc_add(&w->gold[0], r->paper, r->n_paper, r->gold, r->n_gold);
		mlfy_set_acc_add(&w->gold[1], r->verify, r->n_verify, r->gold, r->n_gold);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Mean with the normal 95 % interval of a mean, and the median, of v[n]
 * (sorted in place). */
static void time_stats(double *v, size_t n, struct mlfy_protocol_side *s)
{
	double sum = 0, sq = 0, m, var, h;
	size_t i;

	s->seconds_mean = s->seconds_lo = s->seconds_hi = s->seconds_median = NAN;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		sum += v[i];
	m = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += (v[i] - m) * (v[i] - m);
	var = n > 1 ? sq / (double)(n - 1) : 0;
	h = MLFY_Z95 * sqrt(var) / sqrt((double)n);
	s->seconds_mean = m;
	s->seconds_lo = m - h < 0 ? 0 : m - h;
	s->seconds_hi = m + h;
	qsort(v, n, sizeof(*v), cmp_double);
	s->seconds_median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int mlfy_protocols_compare(struct mlfy_store *s, const char *method, struct mlfy_protocol_compare *out,
			   struct mlfy_err *err)
{
	static const char *const methods[] = { "dawid-skene", "majority" };
	struct walk w;
	int rc;

	memset(out, 0, sizeof(*out));
	if (method && strcmp(method, methods[0]) && strcmp(method, methods[1]))
		return mlfy_err_set(err, MLFY_EINVAL, "method: '%s' is not dawid-skene or majority", method);
	if (!method) {
		for (size_t i = 0; i < 2 && !method; i++) {
			int64_t n = 0;
			if ((rc = mlfy_protocol_aggregated(s, methods[i], &n, err)))
				return rc;
			if (n > 0)
				method = methods[i];
		}
	}
	if (method)
		snprintf(out->method, sizeof(out->method), "%s", method);
	memset(&w, 0, sizeof(w));
	w.out = out;
	rc = mlfy_protocol_foreach(s, method ? method : methods[0], add_row, &w, err);
	if (rc == MLFY_ENOMEM)
		rc = mlfy_err_oom(err);
	if (!rc) {
		time_stats(w.seconds[0], w.n, &out->paper);
		time_stats(w.seconds[1], w.n, &out->verify);
		out->images_both = w.n;
		out->paper.people_mean = w.n ? w.people[0] / (double)w.n : NAN;
		out->verify.people_mean = w.n ? w.people[1] / (double)w.n : NAN;
		mlfy_set_scores_finish(&w.between, &out->between);
		mlfy_set_scores_finish(&w.gold[0], &out->paper.gold);
		mlfy_set_scores_finish(&w.gold[1], &out->verify.gold);
	}
	MLFY_FREE_ALL(w.seconds[0], w.seconds[1]);
	return rc;
}

static json_t *side_json(const struct mlfy_protocol_side *s)
{
	return json_pack("{s{sosososo}soso}", "seconds", "mean", mlfy_real_or_null(s->seconds_mean), "ci_low",
			 mlfy_real_or_null(s->seconds_lo), "ci_high", mlfy_real_or_null(s->seconds_hi), "median",
			 mlfy_real_or_null(s->seconds_median), "people", mlfy_real_or_null(s->people_mean), "gold",
			 mlfy_set_scores_json(&s->gold));
}

json_t *mlfy_protocols_json(const struct mlfy_protocol_compare *c)
{
	return json_pack("{sos{sIsIsIsI}sososo}", "method", c->method[0] ? json_string(c->method) : json_null(),
			 "images", "verify", (json_int_t)c->images_verify, "aggregated",
			 (json_int_t)c->images_aggregated, "paper", (json_int_t)c->images_paper, "compared",
			 (json_int_t)c->images_both, "paper", side_json(&c->paper), "verify", side_json(&c->verify),
			 "between", mlfy_set_scores_json(&c->between));
}

static void print_side(FILE *f, const char *name, const struct mlfy_protocol_side *s)
{
	char m[32], lo[32], hi[32], md[32], pp[32], g[64], j[32];

	fprintf(f, "  %-20s %s [%s, %s] s, median %s s, %s people per image\n"
		   "  %-20s against gold (n = %zu): exact %s, Jaccard %s\n",
		name, mlfy_fmt_real(m, sizeof(m), s->seconds_mean, 1), mlfy_fmt_real(lo, sizeof(lo), s->seconds_lo, 1),
		mlfy_fmt_real(hi, sizeof(hi), s->seconds_hi, 1), mlfy_fmt_real(md, sizeof(md), s->seconds_median, 1),
		mlfy_fmt_real(pp, sizeof(pp), s->people_mean, 1), "", s->gold.exact.n,
		mlfy_quality_pci(g, sizeof(g), &s->gold.exact), mlfy_fmt_real(j, sizeof(j), s->gold.jaccard, 3));
}

int mlfy_protocols_print(FILE *f, const struct mlfy_protocol_compare *c)
{
	char a[64], b[64], p[64], j[32], jl[32], jh[32];

	if (!c->images_verify)
		return 0;
	fprintf(f, "\nprotocols on the same images (paper: checkboxes, stages ii-iv; ReaL: yes/maybe/no grid, %s)\n",
		c->method[0] ? c->method : "not aggregated yet: run mlfy aggregate");
	fprintf(f, "  images with grid answers %zu, every question aggregated %zu, decided by the paper's "
		   "protocol %zu, compared %zu\n",
		c->images_verify, c->images_aggregated, c->images_paper, c->images_both);
	if (!c->images_both)
		return ferror(f) ? MLFY_EIO : 0;
	fprintf(f, "  people's seconds per image (mean [95%% CI]):\n");
	print_side(f, "paper (checkboxes)", &c->paper);
	print_side(f, "ReaL (grid)", &c->verify);
	fprintf(f, "  agreement of the grid's sets with the paper's (n = %zu):\n", c->between.exact.n);
	fprintf(f, "    exact %s, sensitivity %s,\n    precision %s, Jaccard %s [%s, %s]\n",
		mlfy_quality_pci(a, sizeof(a), &c->between.exact), mlfy_quality_pci(b, sizeof(b), &c->between.sensitivity),
		mlfy_quality_pci(p, sizeof(p), &c->between.precision), mlfy_fmt_real(j, sizeof(j), c->between.jaccard, 3),
		mlfy_fmt_real(jl, sizeof(jl), c->between.jaccard_lo, 3),
		mlfy_fmt_real(jh, sizeof(jh), c->between.jaccard_hi, 3));
	return ferror(f) ? MLFY_EIO : 0;
}

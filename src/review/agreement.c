/* agreement.c - kappa, alpha and set agreement (see agreement.h).  Owns only
 * temporary arrays freed before returning. */
#include "review/agreement.h"
#include "util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/labelset.h"

/* Below this, an expected disagreement counts as zero (coefficient undefined). */
#define UNDEFINED_EPS 1e-12

static int bad_count(double c)
{
	return !isfinite(c) || c < 0.0;
}

int mlfy_cohen_kappa(const double *table, int k, double *kappa, struct mlfy_err *err)
{
	double n = 0.0, diag = 0.0, pe = 0.0, po;
	int i, j;

	if (k < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "cohen's kappa: %d categories", k);
	for (i = 0; i < k; i++) {
		for (j = 0; j < k; j++) {
			double c = table[i * k + j];
			if (bad_count(c))
				return mlfy_err_set(err, MLFY_EINVAL, "cohen's kappa: cell (%d, %d) is not a count", i, j);
			n += c;
			if (i == j)
				diag += c;
		}
	}
	if (n <= 0.0)
		return mlfy_err_set(err, MLFY_EINVAL, "cohen's kappa: no items rated by both raters");
	for (i = 0; i < k; i++) {
		double row = 0.0, col = 0.0;
		for (j = 0; j < k; j++) {
			row += table[i * k + j];
			col += table[j * k + i];
		}
		pe += (row / n) * (col / n);
	}
	po = diag / n;
	if (1.0 - pe < UNDEFINED_EPS)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "cohen's kappa undefined: both raters used a single category (chance agreement 1)");
	*kappa = (po - pe) / (1.0 - pe);
	return 0;
}

int mlfy_fleiss_kappa(const double *counts, size_t n_items, int k, double *kappa,
		      size_t *n_used, struct mlfy_err *err)
{
	double *colsum, total = 0.0, sum_p = 0.0, pe = 0.0, pbar;
	size_t i, used = 0;
	int j;

	if (k < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "fleiss' kappa: %d categories", k);
	if (!(colsum = calloc((size_t)k, sizeof(*colsum))))
		return mlfy_err_oom(err);
	for (i = 0; i < n_items; i++) {
		double ni = 0.0, sq = 0.0;
		for (j = 0; j < k; j++) {
			double c = counts[i * (size_t)k + j];
			if (bad_count(c)) {
				free(colsum);
				return mlfy_err_set(err, MLFY_EINVAL, "fleiss' kappa: item %zu, category %d is not a count",
						    i, j);
			}
			ni += c;
			sq += c * c;
		}
		if (ni < 2.0)
			continue;
		for (j = 0; j < k; j++)
			colsum[j] += counts[i * (size_t)k + j];
		total += ni;
		sum_p += (sq - ni) / (ni * (ni - 1.0));
		used++;
	}
	if (n_used)
		*n_used = used;
	if (!used) {
		free(colsum);
		return mlfy_err_set(err, MLFY_EINVAL, "fleiss' kappa: no item has two or more ratings");
	}
	for (j = 0; j < k; j++)
		pe += (colsum[j] / total) * (colsum[j] / total);
	free(colsum);
	if (1.0 - pe < UNDEFINED_EPS)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "fleiss' kappa undefined: every rating is in one category (chance agreement 1)");
	pbar = sum_p / (double)used;
	*kappa = (pbar - pe) / (1.0 - pe);
	return 0;
}

int mlfy_kripp_alpha_nominal(const double *counts, size_t n_units, int k, double *alpha,
			     double *n_pairable, struct mlfy_err *err)
{
	double *nc, n = 0.0, o_diag = 0.0, sum_nc2 = 0.0, de;
	size_t u;
	int c;

	if (k < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "krippendorff's alpha: %d values", k);
	if (!(nc = calloc((size_t)k, sizeof(*nc))))
		return mlfy_err_oom(err);
	for (u = 0; u < n_units; u++) {
		const double *row = counts + u * (size_t)k;
		double mu = 0.0;
		for (c = 0; c < k; c++) {
			if (bad_count(row[c])) {
				free(nc);
				return mlfy_err_set(err, MLFY_EINVAL,
						    "krippendorff's alpha: unit %zu, value %d is not a count", u, c);
			}
			mu += row[c];
		}
		if (mu < 2.0)
			continue;   /* not pairable */
		for (c = 0; c < k; c++) {
			o_diag += row[c] * (row[c] - 1.0) / (mu - 1.0);
			nc[c] += row[c];
		}
		n += mu;
	}
	for (c = 0; c < k; c++)
		sum_nc2 += nc[c] * nc[c];
	free(nc);
	if (n_pairable)
		*n_pairable = n;
	if (n < 2.0)
		return mlfy_err_set(err, MLFY_EINVAL, "krippendorff's alpha: fewer than 2 pairable values");
	de = n * n - sum_nc2;
	if (de < UNDEFINED_EPS * n * n)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "krippendorff's alpha undefined: every value is the same (no expected disagreement)");
	*alpha = 1.0 - (n - 1.0) * (n - o_diag) / de;
	return 0;
}

int mlfy_kripp_alpha_matrix(const int *data, size_t n_coders, size_t n_units, int k,
			    double *alpha, struct mlfy_err *err)
{
	double *counts;
	size_t c, u;
	int rc;

	if (k < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "krippendorff's alpha: %d values", k);
	if (!(counts = calloc(n_units ? n_units * (size_t)k : 1, sizeof(*counts))))
		return mlfy_err_oom(err);
	for (c = 0; c < n_coders; c++) {
		for (u = 0; u < n_units; u++) {
			int v = data[c * n_units + u];
			if (v == -1)
				continue;
			if (v < 0 || v >= k) {
				free(counts);
				return mlfy_err_set(err, MLFY_EINVAL,
						    "krippendorff's alpha: coder %zu, unit %zu: value %d not in [0, %d)",
						    c, u, v, k);
			}
			counts[u * (size_t)k + (size_t)v] += 1.0;
		}
	}
	rc = mlfy_kripp_alpha_nominal(counts, n_units, k, alpha, NULL, err);
	free(counts);
	return rc;
}

/* ---- label sets ----------------------------------------------------------- */

static int check_sets(const struct mlfy_set_units *d, struct mlfy_err *err)
{
	size_t u, v, n_values;

	if (d->n_units && (!d->unit_off || d->unit_off[0] != 0))
		return mlfy_err_set(err, MLFY_EINVAL, "set data: unit_off[0] must be 0");
	for (u = 0; u < d->n_units; u++)
		if (d->unit_off[u + 1] < d->unit_off[u])
			return mlfy_err_set(err, MLFY_EINVAL, "set data: unit %zu has a negative size", u);
	n_values = d->n_units ? d->unit_off[d->n_units] : 0;
	if (n_values && d->set_off[0] != 0)
		return mlfy_err_set(err, MLFY_EINVAL, "set data: set_off[0] must be 0");
	for (v = 0; v < n_values; v++) {
		size_t i;
		if (d->set_off[v + 1] < d->set_off[v])
			return mlfy_err_set(err, MLFY_EINVAL, "set data: set %zu has a negative size", v);
		for (i = d->set_off[v] + 1; i < d->set_off[v + 1]; i++)
			if (d->labels[i] <= d->labels[i - 1])
				return mlfy_err_set(err, MLFY_EINVAL,
						    "set data: set %zu is not strictly ascending at label %d",
						    v, (int)d->labels[i]);
	}
	return 0;
}

static struct mlfy_labelset set_of(const struct mlfy_set_units *d, size_t v)
{
	struct mlfy_labelset s = { d->labels + d->set_off[v], d->set_off[v + 1] - d->set_off[v] };
	return s;
}

static double set_distance(enum mlfy_set_distance dist, struct mlfy_labelset a, struct mlfy_labelset b)
{
	switch (dist) {
	case MLFY_DIST_JACCARD:
		return 1.0 - mlfy_jaccard(a, b);
	case MLFY_DIST_MASI:
		return 1.0 - mlfy_masi(a, b);
	case MLFY_DIST_NOMINAL:
	default:
		return mlfy_labelset_equal(a, b) ? 0.0 : 1.0;
	}
}

struct set_ref {
	const int32_t *p;
	size_t n;
};

static int cmp_set_ref(const void *x, const void *y)
{
	const struct set_ref *a = x, *b = y;
	size_t i, m = a->n < b->n ? a->n : b->n;
	for (i = 0; i < m; i++)
		if (a->p[i] != b->p[i])
			return a->p[i] < b->p[i] ? -1 : 1;
	return (a->n > b->n) - (a->n < b->n);
}

struct posting {
	int32_t label;
	uint32_t set;
};

static int cmp_posting(const void *x, const void *y)
{
	const struct posting *a = x, *b = y;
	if (a->label != b->label)
		return a->label < b->label ? -1 : 1;
	return (a->set > b->set) - (a->set < b->set);
}

/* Sum over ordered pairs (a, b), a != b, of distinct sets of
 * c_a c_b (1 - d(S_a, S_b)): only pairs sharing a label can be similar under
 * Jaccard or MASI, so walk an inverted index. */
static int shared_similarity(const struct set_ref *sets, const double *cnt, size_t k,
			     enum mlfy_set_distance dist, double *out, struct mlfy_err *err)
{
	struct posting *post = NULL;
	uint32_t *stamp = NULL;
	size_t n_post = 0, a, i;
	double sum = 0.0;

	*out = 0.0;
	if (dist == MLFY_DIST_NOMINAL)
		return 0;  /* distinct sets are at distance 1 */
	for (a = 0; a < k; a++)
		n_post += sets[a].n;
	if (k > UINT32_MAX - 1)
		return mlfy_err_set(err, MLFY_EINVAL, "too many distinct label sets");
	post = malloc((n_post ? n_post : 1) * sizeof(*post));
	stamp = calloc(k ? k : 1, sizeof(*stamp));
	if (!post || !stamp) {
		MLFY_FREE_ALL(post, stamp);
		return mlfy_err_oom(err);
	}
	n_post = 0;
	for (a = 0; a < k; a++)
		for (i = 0; i < sets[a].n; i++) {
			post[n_post].label = sets[a].p[i];
			post[n_post].set = (uint32_t)a;
			n_post++;
		}
	qsort(post, n_post, sizeof(*post), cmp_posting);
	for (a = 0; a < k; a++) {
		struct mlfy_labelset sa = { sets[a].p, sets[a].n };
		for (i = 0; i < sets[a].n; i++) {
			/* the postings of label sets[a].p[i] */
			size_t lo = 0, hi = n_post, j;
			int32_t label = sets[a].p[i];
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (post[mid].label < label)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (j = lo; j < n_post && post[j].label == label; j++) {
				uint32_t b = post[j].set;
				struct mlfy_labelset sb;
				if (b == a || stamp[b] == a + 1)
					continue;
				stamp[b] = (uint32_t)(a + 1);
				sb.labels = sets[b].p;  /* NOLINT(clang-analyzer-core.uninitialized.Assign): cnt holds every set index */
				sb.n = sets[b].n;
				sum += cnt[a] * cnt[b] * (1.0 - set_distance(dist, sa, sb));
			}
		}
	}
	MLFY_FREE_ALL(post, stamp);
	*out = sum;
	return 0;
}

int mlfy_kripp_alpha_sets(const struct mlfy_set_units *d, enum mlfy_set_distance dist,
			  double *alpha, size_t *n_pairable, struct mlfy_err *err)
{
	struct set_ref *refs = NULL, *uniq = NULL;
	double *cnt = NULL, n = 0.0, do_sum = 0.0, sum_c2 = 0.0, pairs, similar, de_sum;
	size_t u, i, j, n_refs = 0, k = 0;
	int rc;

	if ((rc = check_sets(d, err)))
		return rc;
	for (u = 0; u < d->n_units; u++) {
		size_t m = d->unit_off[u + 1] - d->unit_off[u];
		if (m >= 2)
			n_refs += m;
	}
	if (n_pairable)
		*n_pairable = n_refs;
	if (n_refs < 2)
		return mlfy_err_set(err, MLFY_EINVAL, "krippendorff's alpha: fewer than 2 pairable label sets");
	refs = malloc(n_refs * sizeof(*refs));
	uniq = malloc(n_refs * sizeof(*uniq));
	cnt = malloc(n_refs * sizeof(*cnt));
	if (!refs || !uniq || !cnt) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	/* observed disagreement, unit by unit */
	n_refs = 0;
	for (u = 0; u < d->n_units; u++) {
		size_t b = d->unit_off[u], e = d->unit_off[u + 1], m = e - b;
		double s = 0.0;
		if (m < 2)
			continue;
		for (i = b; i < e; i++) {
			struct mlfy_labelset si = set_of(d, i);
			refs[n_refs].p = si.labels;
			refs[n_refs].n = si.n;
			n_refs++;
			for (j = i + 1; j < e; j++)
				s += 2.0 * set_distance(dist, si, set_of(d, j));
		}
		do_sum += s / (double)(m - 1);
	}
	n = (double)n_refs;
	/* expected disagreement: group equal sets, then
	 * sum_{i != j} d = (n^2 - sum_a c_a^2) - sum_{a != b} c_a c_b sim(a, b) */
	qsort(refs, n_refs, sizeof(*refs), cmp_set_ref);
	for (i = 0; i < n_refs; i++) {
		if (k && cmp_set_ref(&uniq[k - 1], &refs[i]) == 0) {
			cnt[k - 1] += 1.0;
			continue;
		}
		uniq[k] = refs[i];
		cnt[k] = 1.0;
		k++;
	}
	for (i = 0; i < k; i++)
		sum_c2 += cnt[i] * cnt[i];
	pairs = n * n - sum_c2;
	if ((rc = shared_similarity(uniq, cnt, k, dist, &similar, err)))
		goto out;
	de_sum = pairs - similar;
	if (de_sum < UNDEFINED_EPS * n * n) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "krippendorff's alpha undefined: no expected disagreement between label sets");
		goto out;
	}
	/* alpha = 1 - D_o / D_e = 1 - (do_sum / n) / (de_sum / (n (n - 1))) */
	*alpha = 1.0 - (n - 1.0) * do_sum / de_sum;
	rc = 0;
out:
	MLFY_FREE_ALL(refs, uniq, cnt);
	return rc;
}

int mlfy_set_agreement(const struct mlfy_set_units *d, struct mlfy_set_agreement *out,
		       struct mlfy_err *err)
{
	size_t u, i, j;
	double sum_j = 0.0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_sets(d, err)))
		return rc;
	for (u = 0; u < d->n_units; u++) {
		size_t b = d->unit_off[u], e = d->unit_off[u + 1], m = e - b;
		double s = 0.0;
		int same = 1;
		if (m < 2)
			continue;
		for (i = b; i < e; i++) {
			for (j = i + 1; j < e; j++) {
				struct mlfy_labelset si = set_of(d, i), sj = set_of(d, j);
				s += mlfy_jaccard(si, sj);
				if (!mlfy_labelset_equal(si, sj))
					same = 0;
			}
		}
		out->n_units++;
		out->n_exact += (size_t)same;
		sum_j += s / ((double)m * (double)(m - 1) / 2.0);
	}
	if (out->n_units) {
		out->exact = (double)out->n_exact / (double)out->n_units;
		out->mean_jaccard = sum_j / (double)out->n_units;
	}
	return 0;
}

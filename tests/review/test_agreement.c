/* test_agreement.c - Cohen's kappa, Fleiss' kappa, Krippendorff's alpha
 * (nominal and on label sets), MASI/Jaccard and set agreement, each checked
 * against a published worked example with its printed value, or against
 * arithmetic written out in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/agreement.h"
#include "review/labelset.h"
#include "testutil.h"
#include "review_test.h"

/* Published values are printed to 3 decimals: accept half a unit in the last place. */
#define PRINTED_3 5e-4

static struct mlfy_labelset LS(const int32_t *p, size_t n)
{
	struct mlfy_labelset s = { p, n };
	return s;
}

/* Wikipedia, "Cohen's kappa", worked example: 50 proposals, A and B both
 * "yes" 20, A yes/B no 5, A no/B yes 10, both "no" 15: p_o = 0.7, p_e = 0.5,
 * kappa = 0.4. */
static void cohen_wikipedia_example(void **state)
{
	const double t[4] = { 20, 5, 10, 15 };
	struct mlfy_err err;
	double k = -2;
	(void)state;
	assert_int_equal(mlfy_cohen_kappa(t, 2, &k, &err), 0);
	assert_close(k, 0.4, 1e-12);
}

/* SAS PROC FREQ "Simple Kappa Coefficient" printout for the 3 x 3 table
 * [[0,4,1],[0,8,0],[0,1,5]], reproduced in statsmodels' test_inter_rater.py:
 * kappa 0.4842 (4 decimals). */
static void cohen_sas_example(void **state)
{
	const double t[9] = { 0, 4, 1, 0, 8, 0, 0, 1, 5 };
	struct mlfy_err err;
	double k;
	(void)state;
	assert_int_equal(mlfy_cohen_kappa(t, 3, &k, &err), 0);
	assert_close(k, 0.4842, 5e-5);
}

static void cohen_undefined_and_bad(void **state)
{
	const double one_cat[4] = { 7, 0, 0, 0 };
	const double neg[4] = { 1, -1, 0, 2 };
	const double empty[4] = { 0, 0, 0, 0 };
	struct mlfy_err err;
	double k = 123;
	(void)state;
	assert_int_equal(mlfy_cohen_kappa(one_cat, 2, &k, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "undefined"));
	assert_close(k, 123, 0); /* untouched */
	assert_int_equal(mlfy_cohen_kappa(neg, 2, &k, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_cohen_kappa(empty, 2, &k, &err), MLFY_EINVAL);
}

/* Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters,
 * 5 categories; printed P = 0.378, P_e = 0.213, kappa = 0.210. */
static void fleiss_wikipedia_example(void **state)
{
	const double t[50] = {
		0, 0, 0, 0, 14,
		0, 2, 6, 4, 2,
		0, 0, 3, 5, 6,
		0, 3, 9, 2, 0,
		2, 2, 8, 1, 1,
		7, 7, 0, 0, 0,
		3, 2, 6, 3, 0,
		2, 5, 3, 2, 2,
		6, 5, 2, 1, 0,
		0, 2, 2, 3, 7,
	};
	struct mlfy_err err;
	double k;
	size_t used;
	(void)state;
	assert_int_equal(mlfy_fleiss_kappa(t, 10, 5, &k, &used, &err), 0);
	assert_int_equal(used, 10);
	assert_close(k, 0.210, PRINTED_3);
}

/* Fleiss (1971), Psychol. Bull. 76(5), table 1: 30 patients, 6 psychiatrists,
 * 5 diagnoses (depression, personality disorder, schizophrenia, neurosis,
 * other); Fleiss prints kappa = .430 (R irr::kappam.fleiss: 0.4302445).
 * The rows below are the raters' diagnoses as given in statsmodels'
 * test_inter_rater.py ("diagnoses"), aggregated to counts here. */
static void fleiss_1971_diagnoses(void **state)
{
	static const int diag[30][6] = {
		{4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5},
		{2, 2, 2, 4, 4, 4}, {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4},
		{1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5}, {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4},
		{2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5}, {3, 3, 3, 3, 3, 5},
		{1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
		{5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4},
		{1, 4, 4, 4, 4, 5}, {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4},
		{1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5},
	};
	double counts[30 * 5] = { 0 };
	struct mlfy_err err;
	double k;
	int i, j;
	(void)state;
	for (i = 0; i < 30; i++)
		for (j = 0; j < 6; j++)
			counts[i * 5 + diag[i][j] - 1] += 1;
	assert_int_equal(mlfy_fleiss_kappa(counts, 30, 5, &k, NULL, &err), 0);
	assert_close(k, 0.4302445, 1e-7);
}

static void fleiss_skips_single_ratings(void **state)
{
	/* the third item has one rating only and must not change the result */
	const double a[4] = { 2, 0, 1, 1 };
	const double b[6] = { 2, 0, 1, 1, 0, 1 };
	struct mlfy_err err;
	double ka, kb;
	size_t used;
	(void)state;
	assert_int_equal(mlfy_fleiss_kappa(a, 2, 2, &ka, NULL, &err), 0);
	assert_int_equal(mlfy_fleiss_kappa(b, 3, 2, &kb, &used, &err), 0);
	assert_int_equal(used, 2);
	assert_close(ka, kb, 1e-15);
	/* hand computation for a: P_1 = (4 - 2)/2 = 1, P_2 = (1 + 1 - 2)/2 = 0,
	 * P = 0.5; p = (3/4, 1/4), P_e = 10/16; kappa = (0.5 - 0.625)/0.375 = -1/3 */
	assert_close(ka, -1.0 / 3.0, 1e-15);
}

/* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section
 * C (nominal data, any number of observers, missing data): 4 observers x 12
 * units, printed alpha = 0.743. */
static const int kripp2011[4 * 12] = {
	/* A */ 1, 2, 3, 3, 2, 1, 4, 1, 2, -1, -1, -1,
	/* B */ 1, 2, 3, 3, 2, 2, 4, 1, 2, 5, -1, 3,
	/* C */ -1, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, -1,
	/* D */ 1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, -1,
};

static void kripp_2011_nominal(void **state)
{
	struct mlfy_err err;
	double alpha;
	(void)state;
	/* values 1..5 used directly as categories 0..5 (0 unused) */
	assert_int_equal(mlfy_kripp_alpha_matrix(kripp2011, 4, 12, 6, &alpha, &err), 0);
	assert_close(alpha, 0.743, PRINTED_3);
}

/* Wikipedia, "Krippendorff's alpha", "A computational example": 3 coders,
 * 15 units, missing values '*'; printed alpha_nominal = 0.691. */
static void kripp_wikipedia_nominal(void **state)
{
	static const int d[3 * 15] = {
		-1, -1, -1, -1, -1, 3, 4, 1, 2, 1, 1, 3, 3, -1, 3,
		1, -1, 2, 1, 3, 3, 4, 3, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, 2, 1, 3, 4, 4, -1, 2, 1, 1, 3, 3, -1, 4,
	};
	struct mlfy_err err;
	double alpha;
	(void)state;
	assert_int_equal(mlfy_kripp_alpha_matrix(d, 3, 15, 5, &alpha, &err), 0);
	assert_close(alpha, 0.691, PRINTED_3);
}

static void kripp_errors(void **state)
{
	const int same[2 * 3] = { 1, 1, 1, 1, 1, 1 };
	const int bad[2 * 1] = { 0, 7 };
	const int lonely[2 * 2] = { 0, -1, -1, 1 };
	struct mlfy_err err;
	double alpha;
	(void)state;
	assert_int_equal(mlfy_kripp_alpha_matrix(same, 2, 3, 2, &alpha, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "undefined"));
	assert_int_equal(mlfy_kripp_alpha_matrix(bad, 2, 1, 2, &alpha, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_kripp_alpha_matrix(lonely, 2, 2, 2, &alpha, &err), MLFY_EINVAL);
}

/* MASI and Jaccard.  Passonneau (2006), section 3: MASI = J * M with
 * M = 1 (identity), 2/3 (subsumption), 1/3 (intersection), 0 (disjunction).
 * NLTK's doctests print masi_distance({1,2},{1,2,3,4}) = 0.665 and
 * masi_distance({1,2,3,4},{3,4,5}) = 0.868 because NLTK rounds M to 0.67 and
 * 0.33; with the paper's fractions the distances are 1 - (2/4)(2/3) = 2/3
 * and 1 - (2/5)(1/3) = 13/15.  NLTK prints jaccard_distance = 0.6 for the
 * second pair. */
static void masi_and_jaccard(void **state)
{
	const int32_t a[] = { 1, 2 }, b[] = { 1, 2, 3, 4 }, c[] = { 3, 4, 5 }, d[] = { 7 };
	(void)state;
	assert_close(1.0 - mlfy_masi(LS(a, 2), LS(b, 4)), 2.0 / 3.0, 1e-15);
	assert_close(1.0 - mlfy_masi(LS(a, 2), LS(b, 4)), 0.665, 0.0017); /* NLTK, rounded M */
	assert_close(1.0 - mlfy_masi(LS(b, 4), LS(c, 3)), 13.0 / 15.0, 1e-15);
	assert_close(1.0 - mlfy_masi(LS(b, 4), LS(c, 3)), 0.868, 0.0014); /* NLTK, rounded M */
	assert_close(1.0 - mlfy_jaccard(LS(b, 4), LS(c, 3)), 0.6, 1e-15);
	assert_close(mlfy_masi(LS(b, 4), LS(b, 4)), 1.0, 0);
	assert_close(mlfy_masi(LS(a, 2), LS(d, 1)), 0.0, 0);
	assert_close(mlfy_masi(LS(NULL, 0), LS(NULL, 0)), 1.0, 0);
	assert_close(mlfy_jaccard(LS(NULL, 0), LS(NULL, 0)), 1.0, 0);
	assert_close(mlfy_jaccard(LS(NULL, 0), LS(d, 1)), 0.0, 0);
	assert_close(mlfy_masi(LS(NULL, 0), LS(d, 1)), 0.0, 0);
}

static void labelset_normalize(void **state)
{
	int32_t v[] = { 5, 1, 5, 3, 1 };
	size_t n = 5, dup;
	(void)state;
	dup = mlfy_labelset_normalize(v, &n);
	assert_int_equal(dup, 2);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 5);
	assert_true(mlfy_labelset_contains(LS(v, n), 3));
	assert_false(mlfy_labelset_contains(LS(v, n), 4));
}

/* Builds set data from the Krippendorff 2011 matrix with every value v as
 * the singleton set {v}: Jaccard and MASI distances between singletons are
 * the nominal distance, so all three set alphas must print 0.743 too. */
static void kripp_sets_singletons_reproduce_2011(void **state)
{
	size_t unit_off[13], set_off[64];
	int32_t labels[64];
	size_t nv = 0;
	struct mlfy_set_units d;
	struct mlfy_err err;
	double alpha;
	size_t n_pairable;
	int u, c;
	(void)state;
	unit_off[0] = 0;
	set_off[0] = 0;
	for (u = 0; u < 12; u++) {
		for (c = 0; c < 4; c++) {
			int v = kripp2011[c * 12 + u];
			if (v < 0)
				continue;
			labels[nv] = v;
			set_off[nv + 1] = nv + 1;
			nv++;
		}
		unit_off[u + 1] = nv;
	}
	d.n_units = 12;
	d.unit_off = unit_off;
	d.set_off = set_off;
	d.labels = labels;
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_NOMINAL, &alpha, &n_pairable, &err), 0);
	assert_close(alpha, 0.743, PRINTED_3);
	assert_int_equal(n_pairable, 40); /* Krippendorff's n.. = 40 (unit 12 is not pairable) */
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_JACCARD, &alpha, NULL, &err), 0);
	assert_close(alpha, 0.743, PRINTED_3);
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_MASI, &alpha, NULL, &err), 0);
	assert_close(alpha, 0.743, PRINTED_3);
}

/* A hand-computed set example, 3 units x 2 coders:
 *   u1: {1} {1,2}    u2: {2} {2}    u3: {3} {1}
 * Jaccard distances within units: 1/2, 0, 1 -> D_o = (2*1/2 + 0 + 2*1)/6 = 1/2.
 * Over the 15 unordered pairs of the 6 values the Jaccard distances sum to 11
 * (a={1} b={1,2} c={2} d={2} e={3} f={1}: ab .5 ac 1 ad 1 ae 1 af 0 bc .5
 * bd .5 be 1 bf .5 cd 0 ce 1 cf 1 de 1 df 1 ef 1), so D_e = 22/30 and
 * alpha = 1 - (1/2)/(22/30) = 7/22.
 * MASI: {1} vs {1,2} has distance 1 - (1/2)(2/3) = 2/3 (and likewise b with
 * c, d, f): D_o = (4/3 + 2)/6 = 5/9; pair sum 35/3, D_e = 7/9, alpha = 2/7.
 * Nominal: D_o = 4/6, 13 unequal pairs -> D_e = 26/30, alpha = 3/13.
 * Exact-set agreement 1/3 (u2); mean Jaccard (1/2 + 1 + 0)/3 = 1/2. */
static void kripp_sets_hand_example(void **state)
{
	const size_t unit_off[4] = { 0, 2, 4, 6 };
	const size_t set_off[7] = { 0, 1, 3, 4, 5, 6, 7 };
	const int32_t labels[7] = { 1, 1, 2, 2, 2, 3, 1 };
	struct mlfy_set_units d = { 3, unit_off, set_off, labels };
	struct mlfy_set_agreement ag;
	struct mlfy_err err;
	double alpha;
	(void)state;
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_JACCARD, &alpha, NULL, &err), 0);
	assert_close(alpha, 7.0 / 22.0, 1e-14);
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_MASI, &alpha, NULL, &err), 0);
	assert_close(alpha, 2.0 / 7.0, 1e-14);
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_NOMINAL, &alpha, NULL, &err), 0);
	assert_close(alpha, 3.0 / 13.0, 1e-14);
	assert_int_equal(mlfy_set_agreement(&d, &ag, &err), 0);
	assert_int_equal(ag.n_units, 3);
	assert_int_equal(ag.n_exact, 1);
	assert_close(ag.exact, 1.0 / 3.0, 1e-15);
	assert_close(ag.mean_jaccard, 0.5, 1e-15);
}

static void kripp_sets_rejects_unsorted(void **state)
{
	const size_t unit_off[2] = { 0, 2 };
	const size_t set_off[3] = { 0, 2, 3 };
	const int32_t labels[3] = { 4, 2, 1 };
	struct mlfy_set_units d = { 1, unit_off, set_off, labels };
	struct mlfy_err err;
	double alpha;
	(void)state;
	assert_int_equal(mlfy_kripp_alpha_sets(&d, MLFY_DIST_JACCARD, &alpha, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "ascending"));
}

/* The O(n^2) definition, used to check the inverted-index shortcut. */
static double brute_alpha(const struct mlfy_set_units *d, enum mlfy_set_distance dist)
{
	size_t u, i, j, n = 0, nv = d->unit_off[d->n_units];
	double dobs = 0, dexp = 0;
	char *pairable = calloc(nv, 1);
	for (u = 0; u < d->n_units; u++) {
		size_t b = d->unit_off[u], e = d->unit_off[u + 1];
		double s = 0;
		if (e - b < 2)
			continue;
		for (i = b; i < e; i++) {
			pairable[i] = 1;
			n++;
			for (j = b; j < e; j++) {
				struct mlfy_labelset si = { d->labels + d->set_off[i], d->set_off[i + 1] - d->set_off[i] };
				struct mlfy_labelset sj = { d->labels + d->set_off[j], d->set_off[j + 1] - d->set_off[j] };
				if (i == j)
					continue;
				s += dist == MLFY_DIST_JACCARD ? 1 - mlfy_jaccard(si, sj)
					: dist == MLFY_DIST_MASI ? 1 - mlfy_masi(si, sj)
					: !mlfy_labelset_equal(si, sj);
			}
		}
		dobs += s / (double)(e - b - 1);
	}
	for (i = 0; i < nv; i++) {
		for (j = 0; j < nv; j++) {
			struct mlfy_labelset si = { d->labels + d->set_off[i], d->set_off[i + 1] - d->set_off[i] };
			struct mlfy_labelset sj = { d->labels + d->set_off[j], d->set_off[j + 1] - d->set_off[j] };
			if (i == j || !pairable[i] || !pairable[j])
				continue;
			dexp += dist == MLFY_DIST_JACCARD ? 1 - mlfy_jaccard(si, sj)
				: dist == MLFY_DIST_MASI ? 1 - mlfy_masi(si, sj)
				: !mlfy_labelset_equal(si, sj);
		}
	}
	free(pairable);
	return 1.0 - (dobs / (double)n) / (dexp / ((double)n * (double)(n - 1)));
}

static void kripp_sets_match_brute_force(void **state)
{
	enum { U = 300, MAXV = 4 };
	size_t unit_off[U + 1], set_off[U * MAXV + 1];
	int32_t labels[U * MAXV * 6];
	size_t nv = 0, nl = 0, u;
	struct mlfy_set_units d;
	struct mlfy_err err;
	unsigned seed = 12345;
	int di;
	(void)state;
	unit_off[0] = 0;
	set_off[0] = 0;
	for (u = 0; u < U; u++) {
		int m = (int)(rand_r(&seed) % MAXV) + 1; /* 1..4 coders: some units unpairable */
		int base = (int)(rand_r(&seed) % 12);
		for (int c = 0; c < m; c++) {
			int32_t tmp[6];
			size_t k = (size_t)(rand_r(&seed) % 4), t; /* 0..3 labels, empty sets included */
			for (t = 0; t < k; t++)
				tmp[t] = base + (int32_t)(rand_r(&seed) % 5);
			mlfy_labelset_normalize(tmp, &k);
			memcpy(labels + nl, tmp, k * sizeof(*tmp));
			nl += k;
			set_off[++nv] = nl;
		}
		unit_off[u + 1] = nv;
	}
	d.n_units = U;
	d.unit_off = unit_off;
	d.set_off = set_off;
	d.labels = labels;
	for (di = 0; di < 3; di++) {
		double fast, slow = brute_alpha(&d, (enum mlfy_set_distance)di);
		assert_int_equal(mlfy_kripp_alpha_sets(&d, (enum mlfy_set_distance)di, &fast, NULL, &err), 0);
		assert_close(fast, slow, 1e-12);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cohen_wikipedia_example),
		cmocka_unit_test(cohen_sas_example),
		cmocka_unit_test(cohen_undefined_and_bad),
		cmocka_unit_test(fleiss_wikipedia_example),
		cmocka_unit_test(fleiss_1971_diagnoses),
		cmocka_unit_test(fleiss_skips_single_ratings),
		cmocka_unit_test(kripp_2011_nominal),
		cmocka_unit_test(kripp_wikipedia_nominal),
		cmocka_unit_test(kripp_errors),
		cmocka_unit_test(masi_and_jaccard),
		cmocka_unit_test(labelset_normalize),
		cmocka_unit_test(kripp_sets_singletons_reproduce_2011),
		cmocka_unit_test(kripp_sets_hand_example),
		cmocka_unit_test(kripp_sets_rejects_unsorted),
		cmocka_unit_test(kripp_sets_match_brute_force),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

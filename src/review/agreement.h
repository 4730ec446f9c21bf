/* agreement.h - inter-annotator agreement: Cohen's kappa, Fleiss' kappa,
 * Krippendorff's alpha (nominal, and on label sets with the Jaccard and MASI
 * distances), exact-set agreement and mean Jaccard.  Pure computation on
 * caller-owned arrays: no I/O, no store.
 *
 * Chance-corrected coefficients are undefined when the expected disagreement
 * is zero (every rating falls in one category); the functions then return
 * MLFY_EINVAL with a message saying so instead of a NaN, and the caller shows
 * "n/a".
 */
#ifndef MLFY_REVIEW_AGREEMENT_H
#define MLFY_REVIEW_AGREEMENT_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* Cohen's kappa for two raters (Cohen 1960, "A coefficient of agreement for
 * nominal scales", Educ. Psychol. Meas. 20:37-46):
 *     kappa = (p_o - p_e) / (1 - p_e)
 * p_o = sum_i table[i][i] / n, the observed agreement; p_e = sum_i
 * (row_i / n)(col_i / n), the agreement expected from the two raters' own
 * marginals.  table is k x k row-major counts (>= 0): table[i * k + j] = items
 * rater 1 put in category i and rater 2 in j.  Errors: MLFY_EINVAL for k < 1,
 * negative or non-finite counts, no items, or p_e = 1 (undefined). */
int mlfy_cohen_kappa(const double *table, int k, double *kappa, struct mlfy_err *err);

/* Fleiss' kappa for many raters (Fleiss 1971, "Measuring nominal scale
 * agreement among many raters", Psychol. Bull. 76(5):378-382):
 *     P_i  = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1))   agreement on item i
 *     P    = mean_i P_i,   p_j = sum_i n_ij / sum_i n_i,   P_e = sum_j p_j^2
 *     kappa = (P - P_e) / (1 - P_e)
 * counts is n_items x k row-major: counts[i * k + j] = raters who put item i
 * in category j.  Fleiss assumes the same number of raters n_i per item; with
 * varying n_i this is the usual generalisation (each item's P_i with its own
 * n_i, pooled p_j).  Items with fewer than 2 ratings are skipped; *n_used,
 * when not NULL, receives how many items counted.  Errors: MLFY_EINVAL (bad
 * counts, no item with 2 ratings, P_e = 1). */
int mlfy_fleiss_kappa(const double *counts, size_t n_items, int k, double *kappa,
		      size_t *n_used, struct mlfy_err *err);

/* Krippendorff's alpha for nominal data with any number of coders and missing
 * values, from per-unit value counts (Krippendorff 2011, "Computing
 * Krippendorff's Alpha-Reliability", section C, via the coincidence matrix):
 *     o_cc = sum_u n_uc (n_uc - 1) / (m_u - 1),   n_c = sum_u n_uc,
 *     n = sum_c n_c   (pairable values: units with m_u >= 2 only)
 *     alpha = 1 - (n - 1) (n - sum_c o_cc) / (n^2 - sum_c n_c^2)
 * counts is n_units x k row-major: counts[u * k + c] = coders who gave unit u
 * value c; m_u = the row sum.  *n_pairable (may be NULL) receives n.
 * Errors: MLFY_EINVAL (bad counts, fewer than 2 pairable values, or no
 * variation at all: alpha undefined). */
int mlfy_kripp_alpha_nominal(const double *counts, size_t n_units, int k, double *alpha,
			     double *n_pairable, struct mlfy_err *err);

/* Same, from Krippendorff's canonical reliability data matrix: data is
 * n_coders x n_units row-major, data[c * n_units + u] in [0, k) or -1 for a
 * missing value.  Errors as above, plus an out-of-range value. */
int mlfy_kripp_alpha_matrix(const int *data, size_t n_coders, size_t n_units, int k,
			    double *alpha, struct mlfy_err *err);

/* Set-valued reliability data in compressed form: unit u holds the values
 * (label sets) v in [unit_off[u], unit_off[u+1]); value v is the label set
 * labels[set_off[v] .. set_off[v+1]), strictly ascending.  All borrowed. */
struct mlfy_set_units {
	size_t n_units;
	const size_t *unit_off;   /* n_units + 1 entries, unit_off[0] = 0 */
	const size_t *set_off;    /* unit_off[n_units] + 1 entries, set_off[0] = 0 */
	const int32_t *labels;
};

/* The distance between two label sets used inside alpha. */
enum mlfy_set_distance {
	MLFY_DIST_NOMINAL,  /* 0 when the sets are equal, else 1 */
	MLFY_DIST_JACCARD,  /* 1 - |a ∩ b| / |a ∪ b| */
	MLFY_DIST_MASI,     /* 1 - MASI(a, b), Passonneau 2006 (labelset.h) */
};

/* Krippendorff's alpha with a distance between label sets (Krippendorff
 * 2011, general form; Passonneau 2006 for set-valued items):
 *     D_o = (1/n) sum_u 1/(m_u - 1) sum_{i != j in u} d(v_i, v_j)
 *     D_e = 1/(n (n - 1)) sum_{i != j over all pairable values} d(v_i, v_j)
 *     alpha = 1 - D_o / D_e
 * with n the number of pairable values (units with >= 2 sets).  As in
 * Passonneau (2006) and NLTK's AnnotationTask, d is the set distance itself
 * (not squared); for nominal d, d = d^2 and this is the nominal alpha.
 * D_e is computed in O(sum of pairs of distinct sets sharing a label) by
 * grouping equal sets and an inverted label index, not O(n^2), so it scales
 * to ImageNet-sized projects.  *n_pairable (may be NULL) receives n.
 * Errors: MLFY_EINVAL (malformed offsets, unsorted set, fewer than 2 pairable
 * values, D_e = 0), MLFY_ENOMEM. */
int mlfy_kripp_alpha_sets(const struct mlfy_set_units *d, enum mlfy_set_distance dist,
			  double *alpha, size_t *n_pairable, struct mlfy_err *err);

/* Simple set agreement over units holding at least two sets. */
struct mlfy_set_agreement {
	size_t n_units;       /* units with >= 2 sets (the others are ignored) */
	size_t n_exact;       /* of which every set is identical */
	double exact;         /* n_exact / n_units (0 when n_units = 0) */
	double mean_jaccard;  /* mean over units of the mean pairwise Jaccard
				 similarity (two empty sets: 1) */
};

/* Fills *out.  Errors: MLFY_EINVAL for malformed offsets. */
int mlfy_set_agreement(const struct mlfy_set_units *d, struct mlfy_set_agreement *out,
		       struct mlfy_err *err);

#endif

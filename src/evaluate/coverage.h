/* coverage.h - proposal coverage: how many of the final labels the model's
 * top-k proposals contained, for k = 1..K, overall and per label count.  It
 * answers whether K proposals were enough (the seed paper raised them from
 * 8 to 20); labels outside the top-K were added by annotators through the
 * class search.  Pure computation: the caller feeds one image at a time.
 *
 * Definitions (multilabelfy's own; no prior work reports this):
 *   coverage(k)      = #{final labels whose proposal rank < k} / #{final labels}
 *   outside share    = 1 - coverage(K): labels that were not proposed at all
 *   full coverage(k) = #{images whose whole non-empty final set is in the
 *                      top-k} / #{images with a non-empty final set}
 * The same ratios per label count c of the image (buckets 1..max_count and
 * ">max_count").
 */
#ifndef MLFY_EVALUATE_COVERAGE_H
#define MLFY_EVALUATE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/error.h"

#define MLFY_COVERAGE_MAX_K 64      /* most proposals per image considered */
#define MLFY_COVERAGE_MAX_COUNT 16  /* most exact label-count buckets */

struct mlfy_coverage {
	int k_max;            /* K: proposals considered per image (1..MLFY_COVERAGE_MAX_K) */
	int max_count;        /* last exact label-count bucket; bucket max_count + 1 is ">max_count" */
	size_t n_images;      /* images added (with a final set, empty or not) */
	size_t n_nonempty;    /* of which with a non-empty final set */
	size_t n_labels;      /* final labels over all images added */
	size_t n_short;       /* images that had fewer than K proposals */
	size_t n_no_proposals;/* decided images without any proposal (project walk only;
			       * not added) */
	/* labels[k]: final labels found among the top-k proposals, k = 0..K
	 * (labels[0] = 0); full[k]: non-empty images fully inside the top-k */
	size_t labels_in_top[MLFY_COVERAGE_MAX_K + 1];
	size_t full_in_top[MLFY_COVERAGE_MAX_K + 1];
	/* per label-count bucket b (1..max_count + 1; index 0 unused) */
	size_t count_images[MLFY_COVERAGE_MAX_COUNT + 2];
	size_t count_labels[MLFY_COVERAGE_MAX_COUNT + 2];
	size_t count_labels_in_top[MLFY_COVERAGE_MAX_COUNT + 2][MLFY_COVERAGE_MAX_K + 1];
	size_t count_full_in_top[MLFY_COVERAGE_MAX_COUNT + 2][MLFY_COVERAGE_MAX_K + 1];
};

/* Zeroes *c for K = k_max proposals and label-count buckets up to
 * max_count.  Errors (MLFY_EINVAL): k_max not in [1, MLFY_COVERAGE_MAX_K],
 * max_count not in [1, MLFY_COVERAGE_MAX_COUNT]. */
int mlfy_coverage_init(struct mlfy_coverage *c, int k_max, int max_count,
		       struct mlfy_err *err);

/* Adds one image: proposals[0..n_prop) are the proposed class indices in
 * rank order (rank 0 = top-1; only the first K count), labels[0..n_labels)
 * its final label set (no duplicates).  Both borrowed.  Errors
 * (MLFY_EINVAL): a duplicate in labels. */
int mlfy_coverage_add(struct mlfy_coverage *c, const int *proposals, size_t n_prop,
		      const int *labels, size_t n_labels, struct mlfy_err *err);

/* Ratios in [0, 1] (NAN when the denominator is 0), for 1 <= k <= K:
 * share of labels in the top-k, share of labels outside the top-K, share
 * of non-empty images fully covered by the top-k.  bucket = 0 means all
 * images, else a label-count bucket 1..max_count + 1. */
double mlfy_coverage_share(const struct mlfy_coverage *c, int bucket, int k);
double mlfy_coverage_outside(const struct mlfy_coverage *c, int bucket);
double mlfy_coverage_full(const struct mlfy_coverage *c, int bucket, int k);

/* Smallest k whose label coverage reaches target (e.g. 0.99), or 0 when
 * even the top-K does not. */
int mlfy_coverage_k_for(const struct mlfy_coverage *c, double target);

/* Walks a project: for every decided image, its final set against the top-K
 * proposals of model (NULL = the active proposal model, i.e. the one the
 * annotators saw).  Images without proposals from that model are counted
 * in n_no_proposals and left out.  *c is initialised here.  *model_name
 * (may be NULL) receives the model's name (new string, free()).  Errors:
 * MLFY_ENOTFOUND (no such model / no model), store errors, those of
 * mlfy_coverage_init. */
int mlfy_coverage_from_project(struct mlfy_store *s, const char *model, int k_max,
			       int max_count, struct mlfy_coverage *c, char **model_name,
			       struct mlfy_err *err);

#endif

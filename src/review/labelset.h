/* labelset.h - label sets as sorted arrays of class indices, and the set
 * similarities used by stage iii and the agreement metrics (pure, no I/O).
 *
 * A label set is a borrowed array of class indices (int32_t, >= 0) in strictly
 * ascending order, plus its length; the empty set is (NULL or anything, 0).
 * Functions that take sets assume that invariant (mlfy_labelset_normalize
 * establishes it) and never allocate.
 */
#ifndef MLFY_REVIEW_LABELSET_H
#define MLFY_REVIEW_LABELSET_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed label set: labels[0..n) strictly ascending. */
struct mlfy_labelset {
	const int32_t *labels;
	size_t n;
};

/* Sorts labels[0..*n) ascending and removes duplicates in place; *n becomes
 * the number of distinct labels.  Returns how many duplicates were removed. */
size_t mlfy_labelset_normalize(int32_t *labels, size_t *n);

/* 1 when the two sets are equal, else 0. */
int mlfy_labelset_equal(struct mlfy_labelset a, struct mlfy_labelset b);

/* 1 when label is in the set (binary search), else 0. */
int mlfy_labelset_contains(struct mlfy_labelset s, int32_t label);

/* |a ∩ b|. */
size_t mlfy_labelset_intersection(struct mlfy_labelset a, struct mlfy_labelset b);

/* Jaccard similarity |a ∩ b| / |a ∪ b| (Jaccard 1912), in [0, 1].  Two empty
 * sets are identical and have similarity 1. */
double mlfy_jaccard(struct mlfy_labelset a, struct mlfy_labelset b);

/* MASI similarity (Passonneau 2006, "Measuring Agreement on Set-valued Items
 * (MASI) for Semantic and Pragmatic Annotation", LREC, section 3):
 *     MASI(a, b) = J(a, b) * M(a, b)
 * with J the Jaccard similarity and M the monotonicity weight
 *     M = 1    when a = b
 *     M = 2/3  when one set is a proper subset of the other
 *     M = 1/3  when they intersect and neither contains the other
 *     M = 0    when they are disjoint.
 * Two empty sets are identical (1).  The distance used in Krippendorff's
 * alpha is 1 - MASI.  (NLTK's masi_distance rounds M to 0.67 / 0.33; we use
 * the exact fractions of the paper.) */
double mlfy_masi(struct mlfy_labelset a, struct mlfy_labelset b);

#endif

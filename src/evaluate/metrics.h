/* metrics.h - accuracy metrics of single-label predictions against original
 * and multi-label ground truth: top-1 accuracy, ReaL accuracy, and top-1
 * accuracy per label count with its margin of error and Wilson interval.
 * Pure computation on in-memory arrays: no I/O.
 *
 * Sources:
 *  - ReaL accuracy: Beyer, Hénaff, Kolesnikov, Zhai, van den Oord (2020),
 *    "Are we done with ImageNet?", arXiv:2006.07159: a prediction is correct
 *    when it is in the image's set of real labels; images whose set is
 *    empty are left out.
 *  - Accuracy per label count and its margin of error E = 1.96 sqrt(p(1-p)/n):
 *    Anzaku et al. (2023), "Leveraging Human-Machine Interactions for
 *    Computer Vision Dataset Quality Enhancement", IHCI 2023, LNCS,
 *    doi:10.1007/978-3-031-53827-8_27, arXiv:2401.17736 (the seed paper of
 *    multilabelfy).
 *  - Wilson score interval: E. B. Wilson (1927), "Probable inference, the law
 *    of succession, and statistical inference", JASA 22(158):209-212.
 */
#ifndef MLFY_EVALUATE_METRICS_H
#define MLFY_EVALUATE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* z for a two-sided 95 % interval (the paper's 1.96). */
#define MLFY_Z95 1.96

/* ---- argmax ------------------------------------------------------------- */

/* Index of the largest of row[0..n) (n >= 1), ties to the LOWEST index.
 * Returns -1 when a value is NaN or infinite (the row is unusable).
 * Vectorised: one pass for the maximum and a finiteness check over
 * independent lanes, then a scan for the first element equal to it. */
int mlfy_argmax_f32(const float *row, size_t n);

/* Argmax of each of rows rows of n floats (row-major, borrowed) into
 * out[0..rows).  Returns 0, or 1 + the index of the first row holding a
 * non-finite value (out is then filled up to that row). */
size_t mlfy_argmax_rows_f32(const float *data, size_t rows, size_t n, int *out);

/* Same for double rows (logits stored as <f8). */
int mlfy_argmax_f64(const double *row, size_t n);

/* ---- proportions -------------------------------------------------------- */

/* A proportion k/n with its uncertainty.  All in [0, 1]; NAN when n == 0. */
struct mlfy_proportion {
	size_t k, n;
	double p;           /* k / n */
	double moe;         /* margin of error E = z sqrt(p (1 - p) / n) (Wald; the paper's formula) */
	double lo, hi;      /* Wilson score interval:
			     * (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) */
};

/* Fills *out for k successes in n trials at normal quantile z (MLFY_Z95
 * for 95 %).  Requires k <= n (asserted). */
void mlfy_proportion(size_t k, size_t n, double z, struct mlfy_proportion *out);

/* ---- accuracy ------------------------------------------------------------ */

/* The ground truth of an evaluation set of n images (all arrays borrowed).
 *  original: [n] original single label (class index) or -1 when the image
 *            has none (left out of top-1 accuracy).
 *  off, cls: the multi-label sets in CSR form: image i's labels are
 *            cls[off[i] .. off[i+1]), off has n + 1 entries, off[0] = 0.
 *            The set may be empty.  cls need not be sorted but must hold
 *            no duplicate within a set (the label count is off[i+1]-off[i]).
 *  decided:  optional [n]; decided[i] == 0 marks an image without a final
 *            label set yet (left out of everything but top-1 accuracy).
 *            NULL means every image has its set. */
struct mlfy_truth {
	size_t n;
	const int *original;
	const size_t *off;
	const int *cls;
	const unsigned char *decided;
};

/* Largest number of per-count buckets: counts 0..MLFY_EVAL_MAX_COUNT plus
 * the ">max_count" bucket. */
#define MLFY_EVAL_MAX_COUNT 64

/* Counters of one model on one evaluation set.  Bucket c (0 <= c <=
 * max_count) holds the images with exactly c labels, bucket max_count + 1
 * those with more. */
struct mlfy_accuracy {
	size_t n_images;          /* images scored */
	size_t top1_n, top1_k;    /* images with an original label; correct top-1 among them */
	size_t real_n, real_k;    /* decided images with a non-empty set; top-1 in the set */
	size_t n_empty;           /* decided images with an empty set (excluded from ReaL) */
	size_t n_undecided;       /* images without a label set (decided[i] == 0) */
	int max_count;            /* K: the last exact bucket; bucket K + 1 is ">K" */
	size_t count_n[MLFY_EVAL_MAX_COUNT + 2];       /* images with an original label, per count */
	size_t count_k[MLFY_EVAL_MAX_COUNT + 2];       /* top-1 correct, per count */
	size_t count_all[MLFY_EVAL_MAX_COUNT + 2];     /* all decided images, per count */
	size_t count_real_k[MLFY_EVAL_MAX_COUNT + 2];  /* top-1 in the set, per count (of count_all) */
};

/* Scores predictions pred[0..t->n) (class indices; borrowed) against *t,
 * with per-count buckets up to max_count (1 <= max_count <=
 * MLFY_EVAL_MAX_COUNT).  *out is overwritten.
 * Top-1 accuracy: pred[i] == original[i] over images with original >= 0.
 * ReaL accuracy: pred[i] in set(i) over decided images with a non-empty set.
 * Per count c: top-1 accuracy (against the original label) of the images
 * with c labels and an original label (count_k / count_n), and the ReaL
 * hits among all decided images with c labels (count_real_k / count_all).
 * Errors (MLFY_EINVAL): max_count out of range, a negative prediction
 * (message names the image index). */
int mlfy_accuracy_score(const struct mlfy_truth *t, const int *pred, int max_count,
			struct mlfy_accuracy *out, struct mlfy_err *err);

/* Accumulates images [begin, end) of *t into *acc, which must have been
 * initialised by mlfy_accuracy_init; lets a caller score a stream of rows
 * without holding all predictions.  pred holds end - begin entries. */
void mlfy_accuracy_init(struct mlfy_accuracy *acc, int max_count);
int mlfy_accuracy_add(struct mlfy_accuracy *acc, const struct mlfy_truth *t, size_t begin,
		      size_t end, const int *pred, struct mlfy_err *err);

/* Bucket index of a label count under max_count (count > max_count maps
 * to max_count + 1). */
static inline int mlfy_count_bucket(size_t count, int max_count)
{
	return count > (size_t)max_count ? max_count + 1 : (int)count;
}

#endif

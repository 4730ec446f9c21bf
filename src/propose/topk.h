/* topk.h - softmax and top-k selection for label proposals.
 *
 * Softmax: p_i = exp(z_i - max z) / sum_j exp(z_j - max z) (the usual
 * max-shifted form, Goodfellow et al., Deep Learning, 2016, sec. 4.1),
 * accumulated in double.  Top-k: the k largest scores, ties broken by the
 * lower class index (quantised logits take only 256 values, so ties occur;
 * this matches a stable descending sort, e.g. numpy.argsort(-x,
 * kind="stable")).
 */
#ifndef MLFY_PROPOSE_TOPK_H
#define MLFY_PROPOSE_TOPK_H

#include <stddef.h>

/* Writes softmax(logits[0..n)) to probs[0..n) (may alias logits).
 * Returns 0, or -1 when n == 0 or a logit is NaN (probs then unspecified);
 * +inf logits share the mass equally, -inf get 0. */
int mlfy_softmax(const float *logits, size_t n, double *probs);

/* Indices of the k largest values of x[0..n) (k <= n), in descending order
 * of value with ties by ascending index, into idx[0..k).  NaN ranks below
 * every number. */
void mlfy_topk(const double *x, size_t n, size_t k, int *idx);

#endif

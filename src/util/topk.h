/* topk.h - the one top-k selection, softmax and log-sum-exp over a row of
 * class scores: src/ingest (prediction files) and src/propose (ONNX model
 * outputs) both turn a row into proposals with these.  Depends on nothing
 * of ours; no allocation, no I/O.
 *
 * Numerics (docs/ingest.md, "Logits and probabilities"):
 *   - softmax p_i = exp(z_i - m) / sum_j exp(z_j - m), m = max_j z_j: the
 *     max-shifted form that keeps exp() from overflowing (Goodfellow et
 *     al., Deep Learning, 2016, sec. 4.1); exponentials and the sum in
 *     double whatever the input type.
 *   - log-sum-exp lse(z) = m + log(sum_j exp(z_j - m)), in double: then
 *     p_i = exp(z_i - lse(z)) is the same softmax, for callers that keep
 *     only the top-k raw values of a row.
 *   - top-k: the k largest values, largest first, equal values by the lower
 *     class index first (quantised logits take 256 values, so ties occur;
 *     this is a stable descending sort, numpy.argsort(-x, kind="stable"));
 *     NaN ranks below every number, NaNs among themselves by index.
 */
#ifndef MLFY_UTIL_TOPK_H
#define MLFY_UTIL_TOPK_H

#include <stddef.h>

/* Writes to idx[0..min(k, n)) the indices of the largest values of
 * x[0..n) in the order above and returns min(k, n).  O(n) for typical
 * inputs (an element is compared with the current k-th best first),
 * O(n k) at worst; k is ~20. */
size_t mlfy_topk_f32(const float *x, size_t n, size_t k, int *idx);
size_t mlfy_topk_f64(const double *x, size_t n, size_t k, int *idx);

/* Writes softmax(z[0..n)) to p[0..n) (p may not alias z).  Returns 0, or
 * -1 when n == 0 or some z_i is NaN (p then unspecified).  +inf logits
 * share the mass equally; when every logit is -inf the mass is shared
 * equally by all. */
int mlfy_softmax_f32(const float *z, size_t n, double *p);

/* lse(x[0..n)) as above; -inf for n == 0.  Finite x only (the callers
 * check): an infinite or NaN x_i makes the result inf or NaN. */
double mlfy_logsumexp_f32(const float *x, size_t n);
double mlfy_logsumexp_f64(const double *x, size_t n);

#endif

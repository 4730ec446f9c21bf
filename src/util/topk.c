/* topk.c - top-k selection, softmax and log-sum-exp (see topk.h). */
#include "util/topk.h"

#include <math.h>

/* Insertion into the sorted list of the best m <= k so far.  Indices
 * arrive in increasing order, so a new value ranks before a kept one only
 * when it is larger, or a number where the kept one is NaN: an equal value
 * (or a second NaN) stays behind, as the lower index goes first. */
#define BEFORE(v, w) ((v) > (w) || (isnan(w) && !isnan(v)))
#define DEFINE_TOPK(NAME, T)                                                     \
	size_t NAME(const T *x, size_t n, size_t k, int *idx)                    \
	{                                                                        \
		size_t m = 0, i, j;                                              \
		if (k > n)                                                       \
			k = n;                                                   \
		if (k == 0)                                                      \
			return 0;                                                \
		for (i = 0; i < n; i++) {                                        \
			T v = x[i];                                              \
			if (m == k && !BEFORE(v, x[idx[k - 1]]))                 \
				continue;                                        \
			j = m < k ? m++ : k - 1;                                 \
			while (j > 0 && BEFORE(v, x[idx[j - 1]])) {              \
				idx[j] = idx[j - 1];                             \
				j--;                                             \
			}                                                        \
			idx[j] = (int)i;                                         \
		}                                                                \
		return k;                                                        \
	}
DEFINE_TOPK(mlfy_topk_f32, float)
DEFINE_TOPK(mlfy_topk_f64, double)

#define DEFINE_LSE(NAME, T)                                                      \
	double NAME(const T *x, size_t n)                                        \
	{                                                                        \
		double m = -INFINITY, s = 0.0;                                   \
		size_t i;                                                        \
		if (n == 0)                                                      \
			return -INFINITY;                                        \
		for (i = 0; i < n; i++)                                          \
			if ((double)x[i] > m)                                    \
				m = (double)x[i];                                \
		for (i = 0; i < n; i++)                                          \
			s += exp((double)x[i] - m);                              \
		return m + log(s);                                               \
	}
DEFINE_LSE(mlfy_logsumexp_f32, float)
DEFINE_LSE(mlfy_logsumexp_f64, double)

int mlfy_softmax_f32(const float *z, size_t n, double *p)
{
	double mx = -INFINITY, sum = 0.0;
	size_t i, n_max = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (isnan(z[i]))
			return -1;
		if (z[i] > mx)
			mx = z[i];
	}
	if (isinf(mx)) {
		/* all -inf (uniform) or some +inf (they share the mass) */
		for (i = 0; i < n; i++)
			n_max += (double)z[i] == mx;
		for (i = 0; i < n; i++)
			p[i] = (double)z[i] == mx ? 1.0 / (double)n_max : 0.0;
		return 0;
	}
	for (i = 0; i < n; i++) {
		double e = exp((double)z[i] - mx);
		p[i] = e;
		sum += e;
	}
	for (i = 0; i < n; i++)
		p[i] /= sum;
	return 0;
}

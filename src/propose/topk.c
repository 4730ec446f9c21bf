/* topk.c - softmax and top-k (see topk.h). */
#include "propose/topk.h"

#include <math.h>

int mlfy_softmax(const float *logits, size_t n, double *probs)
{
	double mx = -INFINITY, sum = 0.0;
	size_t i, n_inf = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (isnan(logits[i]))
			return -1;
		if (logits[i] > mx)
			mx = logits[i];
	}
	if (isinf(mx)) {
		/* all -inf (uniform) or some +inf (they share the mass) */
		for (i = 0; i < n; i++)
			n_inf += (double)logits[i] == mx;
		for (i = 0; i < n; i++)
			probs[i] = (double)logits[i] == mx ? 1.0 / (double)n_inf : 0.0;
		return 0;
	}
	for (i = 0; i < n; i++) {
		double e = exp((double)logits[i] - mx);
		probs[i] = e;
		sum += e;
	}
	for (i = 0; i < n; i++)
		probs[i] /= sum;
	return 0;
}

/* a ranks before b */
static int before(const double *x, int a, int b)
{
	if (isnan(x[a]))
		return !isnan(x[b]) ? 0 : a < b;
	if (isnan(x[b]))
		return 1;
	if (x[a] != x[b])
		return x[a] > x[b];
	return a < b;
}

void mlfy_topk(const double *x, size_t n, size_t k, int *idx)
{
	size_t i, m = 0;
	if (k > n)
		k = n;
	if (k == 0)
		return;
	/* insertion into a sorted list of at most k: O(n k), k is ~20 */
	for (i = 0; i < n; i++) {
		size_t j;
		int c = (int)i;
		if (m == k && !before(x, c, idx[k - 1]))
			continue;
		j = m < k ? m++ : k - 1;
		while (j > 0 && before(x, c, idx[j - 1])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = c;
	}
}

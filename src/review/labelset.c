/* labelset.c - sorted label sets and their similarities (see labelset.h). */
#include "review/labelset.h"
#include "util/vec.h"

#include <stdlib.h>

size_t mlfy_labelset_normalize(int32_t *labels, size_t *n)
{
	size_t i, k = 0, dup;

	if (*n == 0)
		return 0;
	qsort(labels, *n, sizeof(*labels), mlfy_cmp_i32);
	for (i = 1; i < *n; i++) {
		if (labels[i] != labels[k])
			labels[++k] = labels[i];
	}
	dup = *n - (k + 1);
	*n = k + 1;
	return dup;
}

int mlfy_labelset_equal(struct mlfy_labelset a, struct mlfy_labelset b)
{
	size_t i;
	if (a.n != b.n)
		return 0;
	for (i = 0; i < a.n; i++)
		if (a.labels[i] != b.labels[i])
			return 0;
	return 1;
}

int mlfy_labelset_contains(struct mlfy_labelset s, int32_t label)
{
	size_t lo = 0, hi = s.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s.labels[mid] == label)
			return 1;
		if (s.labels[mid] < label)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

size_t mlfy_labelset_intersection(struct mlfy_labelset a, struct mlfy_labelset b)
{
	size_t i = 0, j = 0, k = 0;
	while (i < a.n && j < b.n) {
		if (a.labels[i] == b.labels[j]) {
			k++;
			i++;
			j++;
		} else if (a.labels[i] < b.labels[j]) {
			i++;
		} else {
			j++;
		}
	}
	return k;
}

double mlfy_jaccard(struct mlfy_labelset a, struct mlfy_labelset b)
{
	size_t inter, uni;
	if (a.n == 0 && b.n == 0)
		return 1.0;
	inter = mlfy_labelset_intersection(a, b);
	uni = a.n + b.n - inter;
	return (double)inter / (double)uni;
}

double mlfy_masi(struct mlfy_labelset a, struct mlfy_labelset b)
{
	size_t inter, uni;
	double m;

	if (a.n == 0 && b.n == 0)
		return 1.0;
	inter = mlfy_labelset_intersection(a, b);
	if (inter == 0)
		return 0.0;
	uni = a.n + b.n - inter;
	if (inter == a.n && inter == b.n)
		m = 1.0;
	else if (inter == a.n || inter == b.n)
		m = 2.0 / 3.0;
	else
		m = 1.0 / 3.0;
	return (double)inter / (double)uni * m;
}

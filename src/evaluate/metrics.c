/* metrics.c - argmax, proportions with Wald margin and Wilson interval,
 * top-1 / ReaL / per-label-count accuracy (see metrics.h).  Pure, no I/O. */
#include "evaluate/metrics.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* The hot loop of `mlfy evaluate` on logits, written with GCC vector
 * extensions so that it is vectorised at any optimisation level: 16 lanes
 * (one AVX-512 register, two AVX2 or four SSE registers), each keeping its
 * running maximum and the index of its FIRST occurrence (updates only on a
 * strictly greater value).  At the end the lanes holding the overall
 * maximum are compared by index, so ties go to the lowest index exactly as
 * a sequential scan would.  x * 0 accumulates to NaN when any value is NaN
 * or infinite.  Built for AVX-512 and AVX2 as well and picked at load time
 * (GCC function multi-versioning). */
#define LANES 16
typedef float vf __attribute__((vector_size(LANES * sizeof(float))));
typedef int vi __attribute__((vector_size(LANES * sizeof(int))));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define MLFY_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLFY_CLONES
#endif

MLFY_CLONES
int mlfy_argmax_f32(const float *row, size_t n)
{
	size_t i, j, nv = n / LANES;
	float best, zero;
	long best_i;

	if (nv == 0) {
		best = row[0];
		best_i = 0;
		zero = row[0] * 0.0f;
		for (i = 1; i < n; i++) {
			if (row[i] > best) {
				best = row[i];
				best_i = (long)i;
			}
			zero += row[i] * 0.0f;
		}
	} else {
		vf m, z, x;
		vi idx = { 0 }, pos = { 0 }, step, mask;
		for (j = 0; j < LANES; j++) {
			pos[j] = (int)j;
			/* cppcheck-suppress uninitvar ; a vector filled lane by lane */
			step[j] = LANES;
		}
		memcpy(&m, row, sizeof(m));
		z = m * 0.0f;
		idx = pos;
		for (i = 1; i < nv; i++) {
			memcpy(&x, row + i * LANES, sizeof(x));
			pos += step;
			mask = x > m;
			m = (vf)(((vi)x & mask) | ((vi)m & ~mask));
			idx = (pos & mask) | (idx & ~mask);
			z += x * 0.0f;
		}
		best = m[0];
		best_i = idx[0];
		zero = z[0];
		for (j = 1; j < LANES; j++) {
			if (m[j] > best || (m[j] == best && idx[j] < best_i)) {
				best = m[j];
				best_i = idx[j];
			}
			zero += z[j];
		}
		for (i = nv * LANES; i < n; i++) {
			if (row[i] > best) {
				best = row[i];
				best_i = (long)i;
			}
			zero += row[i] * 0.0f;
		}
	}
	if (zero != 0.0f)
		return -1;
	return (int)best_i;
}

int mlfy_argmax_f64(const double *row, size_t n)
{
	double best = row[0], zero = row[0] * 0.0;
	size_t i;
	for (i = 1; i < n; i++) {
		best = row[i] > best ? row[i] : best;
		zero += row[i] * 0.0;
	}
	if (zero != 0.0)
		return -1;
	for (i = 0; row[i] != best; i++)
		;
	return (int)i;
}

size_t mlfy_argmax_rows_f32(const float *data, size_t rows, size_t n, int *out)
{
	size_t r;
	for (r = 0; r < rows; r++)
		if ((out[r] = mlfy_argmax_f32(data + r * n, n)) < 0)
			return r + 1;
	return 0;
}

void mlfy_proportion(size_t k, size_t n, double z, struct mlfy_proportion *out)
{
	double p, nn, z2, centre, half;

	assert(k <= n);
	out->k = k;
	out->n = n;
	if (n == 0) {
		out->p = out->moe = out->lo = out->hi = NAN;
		return;
	}
	nn = (double)n;
	p = (double)k / nn;
	z2 = z * z;
	out->p = p;
	out->moe = z * sqrt(p * (1.0 - p) / nn);
	/* Wilson (1927): the roots in P of (p - P)^2 = z^2 P (1 - P) / n. */
	centre = (p + z2 / (2.0 * nn)) / (1.0 + z2 / nn);
	half = z / (1.0 + z2 / nn) * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	out->lo = fmax(0.0, centre - half);
	out->hi = fmin(1.0, centre + half);
}

void mlfy_accuracy_init(struct mlfy_accuracy *acc, int max_count)
{
	memset(acc, 0, sizeof(*acc));
	acc->max_count = max_count;
}

int mlfy_accuracy_add(struct mlfy_accuracy *acc, const struct mlfy_truth *t, size_t begin,
		      size_t end, const int *pred, struct mlfy_err *err)
{
	size_t i;
	assert(end <= t->n && begin <= end);
	for (i = begin; i < end; i++) {
		int p = pred[i - begin];
		int o = t->original ? t->original[i] : -1;
		int has_set = !t->decided || t->decided[i];
		size_t a, b, c;
		int hit = 0, bk;

		if (p < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "image %zu: negative prediction %d",
					    i + 1, (int)p);
		acc->n_images++;
		if (o >= 0) {
			acc->top1_n++;
			acc->top1_k += p == o;
		}
		if (!has_set) {
			acc->n_undecided++;
			continue;
		}
		a = t->off[i];
		b = t->off[i + 1];
		for (c = a; c < b; c++)
			if (t->cls[c] == p) {
				hit = 1;
				break;
			}
		bk = mlfy_count_bucket(b - a, acc->max_count);
		acc->count_all[bk]++;
		acc->count_real_k[bk] += hit;
		if (b == a) {
			acc->n_empty++;
		} else {
			acc->real_n++;
			acc->real_k += hit;
		}
		if (o >= 0) {
			acc->count_n[bk]++;
			acc->count_k[bk] += p == o;
		}
	}
	return 0;
}

int mlfy_accuracy_score(const struct mlfy_truth *t, const int *pred, int max_count,
			struct mlfy_accuracy *out, struct mlfy_err *err)
{
	if (max_count < 1 || max_count > MLFY_EVAL_MAX_COUNT)
		return mlfy_err_set(err, MLFY_EINVAL, "max count %d is not in [1, %d]", max_count,
				    MLFY_EVAL_MAX_COUNT);
	mlfy_accuracy_init(out, max_count);
	return mlfy_accuracy_add(out, t, 0, t->n, pred, err);
}

/* label_counts.c - label-count distribution (see label_counts.h). */
#include "evaluate/label_counts.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

void mlfy_label_counts_init(struct mlfy_label_counts *lc)
{
	memset(lc, 0, sizeof(*lc));
}

void mlfy_label_counts_release(struct mlfy_label_counts *lc)
{
	if (!lc)
		return;
	free(lc->hist);
	mlfy_label_counts_init(lc);
}

int mlfy_label_counts_add(struct mlfy_label_counts *lc, size_t count, struct mlfy_err *err)
{
	if (count >= SIZE_MAX - 1 || MLFY_GROW_ZERO(lc->hist, lc->cap, count + 1))
		return mlfy_err_oom(err);
	lc->hist[count]++;
	lc->n_images++;
	lc->total_labels += count;
	if (count > lc->max_count)
		lc->max_count = count;
	return 0;
}

int mlfy_label_counts_add_csr(struct mlfy_label_counts *lc, const size_t *offsets, size_t n,
			      struct mlfy_err *err)
{
	size_t i;
	int rc;
	for (i = 0; i < n; i++)
		if ((rc = mlfy_label_counts_add(lc, offsets[i + 1] - offsets[i], err)))
			return rc;
	return 0;
}

size_t mlfy_label_counts_exactly(const struct mlfy_label_counts *lc, size_t c)
{
	return lc->n_images && c <= lc->max_count ? lc->hist[c] : 0;
}

size_t mlfy_label_counts_at_least(const struct mlfy_label_counts *lc, size_t c)
{
	size_t k, sum = 0;
	for (k = c; lc->n_images && k <= lc->max_count; k++)
		sum += lc->hist[k];
	return sum;
}

double mlfy_label_counts_pct(const struct mlfy_label_counts *lc, size_t count)
{
	return lc->n_images ? 100.0 * (double)count / (double)lc->n_images : 0.0;
}

double mlfy_label_counts_mean(const struct mlfy_label_counts *lc)
{
	return lc->n_images ? (double)lc->total_labels / (double)lc->n_images : 0.0;
}

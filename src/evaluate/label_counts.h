/* label_counts.h - the label-count distribution of a set of images: how
 * many images have 0, 1, 2, ... labels, with percentages and the shares of
 * multi-label images (>= 2 labels) and of images with more than 2 labels.
 * Pure computation (no I/O); `mlfy stats` prints it.
 *
 * Percentages are 100 * count / n_images (the paper's Fig. 3 shares, e.g.
 * ImageNetV2 refined labels: 0: 1.29 %, 1: 50.83 %, 2: 23.85 %,
 * >2: 24.03 %, >=2: 47.88 %); all zero when there are no images.
 */
#ifndef MLFY_EVALUATE_LABEL_COUNTS_H
#define MLFY_EVALUATE_LABEL_COUNTS_H

#include <stddef.h>
#include "util/error.h"

/* Invariant: hist has max_count + 1 entries (none when n_images == 0,
 * then max_count == 0 and hist may be NULL); sum(hist) == n_images;
 * total_labels = sum(c * hist[c]). */
struct mlfy_label_counts {
	size_t n_images;
	size_t max_count;     /* largest label count seen */
	size_t *hist;         /* hist[c] = number of images with exactly c labels */
	size_t total_labels;  /* labels over all images */
	size_t cap;           /* private: allocated entries of hist */
};

/* Starts an empty distribution on caller-owned storage. */
void mlfy_label_counts_init(struct mlfy_label_counts *lc);

/* Frees the histogram and re-initialises lc.  Accepts NULL. */
void mlfy_label_counts_release(struct mlfy_label_counts *lc);

/* Adds one image with count labels.  MLFY_ENOMEM on allocation failure
 * (lc unchanged). */
int mlfy_label_counts_add(struct mlfy_label_counts *lc, size_t count, struct mlfy_err *err);

/* Adds the n images of a CSR label layout: image i has offsets[i+1] -
 * offsets[i] labels (offsets has n + 1 non-decreasing entries). */
int mlfy_label_counts_add_csr(struct mlfy_label_counts *lc, const size_t *offsets, size_t n,
			      struct mlfy_err *err);

/* Images with exactly c labels (0 when c > max_count). */
size_t mlfy_label_counts_exactly(const struct mlfy_label_counts *lc, size_t c);

/* Images with at least c labels. */
size_t mlfy_label_counts_at_least(const struct mlfy_label_counts *lc, size_t c);

/* 100 * count / n_images, or 0 when there are no images. */
double mlfy_label_counts_pct(const struct mlfy_label_counts *lc, size_t count);

/* Mean labels per image (total_labels / n_images; 0 without images). */
double mlfy_label_counts_mean(const struct mlfy_label_counts *lc);

#endif

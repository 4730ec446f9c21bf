/* batches.h - the batch rule of add-images (batches.c): balanced, every
 * class spread over the batches, seeded and reproducible. */
#ifndef MLFY_INGEST_BATCHES_H
#define MLFY_INGEST_BATCHES_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* Assigns batches 1..n_batches to n new images, deterministically:
 *   1. with SipHash-2-4 keyed by the seed (16 bytes: the seed as
 *      little-endian uint64, then 8 zero bytes; the first 8 output bytes
 *      read as a little-endian uint64), each new image gets a class key =
 *      hash of its label in decimal ("-1" when it has none) and an image
 *      key = hash of its name;
 *   2. new images are ordered by (class key, label, image key, name): the
 *      classes in a seeded order, each class's images together in a seeded
 *      order;
 *   3. in that order each goes to the batch that holds the fewest images so
 *      far (existing images counted), the lowest batch number on ties.
 * So batch sizes stay within one image of each other, every class is spread
 * evenly over the batches (a class of k images lands in k different batches
 * when k <= n_batches), existing images keep their batches and new ones
 * fill the smallest batches first.  existing[b - 1] = images already in
 * batch b (NULL = none); out[i] receives the batch of image i. */
int mlfy_batches_assign(int n_batches, const int64_t *existing, size_t n,
			const char *const *names, const int *labels, uint64_t seed,
			int *out, struct mlfy_err *err);

#endif

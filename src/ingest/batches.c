/* batches.c - the batch rule of add-images (batches.h). */
#include "ingest/batches.h"
#include "util/vec.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>


struct order_item {
	uint64_t label_key;
	int label;
	uint64_t key;
	const char *name;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order_item *x = a, *y = b;
	if (x->label_key != y->label_key)
		return x->label_key < y->label_key ? -1 : 1;
	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* SipHash-2-4 of the string s under key, as a little-endian uint64. */
static uint64_t siphash64(const char *s, const unsigned char *key, unsigned char *h)
{
	uint64_t k = 0;
	int j;
	crypto_shorthash(h, (const unsigned char *)s, strlen(s), key);
	for (j = 0; j < 8; j++)
		k |= (uint64_t)h[j] << (8 * j);
	return k;
}

int mlfy_batches_assign(int n_batches, const int64_t *existing, size_t n,
			const char *const *names, const int *labels, uint64_t seed,
			int *out, struct mlfy_err *err)
{
	unsigned char key[crypto_shorthash_KEYBYTES], h[crypto_shorthash_BYTES];
	struct order_item *o;
	int64_t *count;
	size_t i;
	int b, j;

	if (n_batches < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "number of batches must be at least 1 (got %d)", n_batches);
	if (n == 0)
		return 0;
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	if (!(o = malloc(n * sizeof(*o))) || !(count = calloc((size_t)n_batches, sizeof(*count)))) {
		free(o);
		return mlfy_err_oom(err);
	}
	memset(key, 0, sizeof(key));
	for (j = 0; j < 8; j++)
		key[j] = (unsigned char)(seed >> (8 * j));
	for (i = 0; i < n; i++) {
		char lab[16];
		o[i].label = labels ? labels[i] : -1;
		snprintf(lab, sizeof(lab), "%d", o[i].label);
		o[i].label_key = siphash64(lab, key, h);
		o[i].key = siphash64(names[i], key, h);
		o[i].name = names[i];
		o[i].i = i;
	}
	qsort(o, n, sizeof(*o), cmp_order);
	if (existing)
		for (b = 0; b < n_batches; b++)
			count[b] = existing[b];
	for (i = 0; i < n; i++) {
		int best = 0;
		for (b = 1; b < n_batches; b++)
			if (count[b] < count[best])
				best = b;
		count[best]++;
		out[o[i].i] = best + 1;
	}
	MLFY_FREE_ALL(o, count);
	return 0;
}


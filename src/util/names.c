/* names.c - image-name resolution (see names.h): three sorted views of
 * borrowed strings, searched by bisection. */
#include "util/names.h"
#include "util/file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One entry of a sorted view: the string compared and its image. */
struct key {
	const char *s;
	size_t idx;
};

/* One allocation: the header, then the three views of n keys each. */
struct mlfy_names {
	struct key *by_name, *by_path, *by_base;
	size_t n_name, n_path, n_base;
	struct key keys[];
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->s, y->s);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

void mlfy_names_free(struct mlfy_names *ix)
{
	free(ix);
}

int mlfy_names_new(char *const *names, char *const *paths, size_t n, struct mlfy_names **out,
		   struct mlfy_err *err)
{
	struct mlfy_names *ix;
	size_t i;

	*out = NULL;
	if (n > (SIZE_MAX - sizeof(*ix)) / (3 * sizeof(struct key)) ||
	    !(ix = calloc(1, sizeof(*ix) + 3 * n * sizeof(struct key))))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory indexing %zu image names", n);
	ix->by_name = ix->keys;
	ix->by_path = ix->keys + n;
	ix->by_base = ix->keys + 2 * n;
	for (i = 0; i < n; i++) {
		ix->by_name[ix->n_name++] = (struct key){ names[i], i };
		ix->by_base[ix->n_base++] = (struct key){ mlfy_path_base(names[i]), i };
		if (paths && paths[i] && *paths[i])
			ix->by_path[ix->n_path++] = (struct key){ paths[i], i };
	}
	qsort(ix->by_name, ix->n_name, sizeof(struct key), key_cmp);
	qsort(ix->by_path, ix->n_path, sizeof(struct key), key_cmp);
	qsort(ix->by_base, ix->n_base, sizeof(struct key), key_cmp);
	*out = ix;
	return 0;
}

/* Looks s up in the view v[0..n): the image index, MLFY_NAME_UNKNOWN or
 * MLFY_NAME_AMBIGUOUS (two entries with that string). */
static long find_in(const struct key *v, size_t n, const char *s)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].s, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= n || strcmp(v[lo].s, s))
		return MLFY_NAME_UNKNOWN;
	if (lo + 1 < n && !strcmp(v[lo + 1].s, s))
		return MLFY_NAME_AMBIGUOUS;
	return (long)v[lo].idx;
}

long mlfy_names_find(const struct mlfy_names *ix, const char *key)
{
	const char *b = mlfy_path_base(key);
	long i;

	if ((i = find_in(ix->by_name, ix->n_name, key)) != MLFY_NAME_UNKNOWN ||
	    (i = find_in(ix->by_path, ix->n_path, key)) != MLFY_NAME_UNKNOWN)
		return i;
	return *b ? find_in(ix->by_base, ix->n_base, b) : MLFY_NAME_UNKNOWN;
}

/* vec.c - growing arrays (vec.h). */
#include "util/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

int mlfy_grow_(void *pp, size_t *cap, size_t need, size_t elem)
{
	void *p, *np;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap > SIZE_MAX / 2 ? need : 2 * *cap;
	if (ncap < need)
		ncap = need;
	if (ncap < 16)
		ncap = 16;
	if (elem && ncap > SIZE_MAX / elem)
		return MLFY_ENOMEM;
	memcpy(&p, pp, sizeof(p));
	if (!(np = realloc(p, ncap * (elem ? elem : 1))))
		return MLFY_ENOMEM;
	memcpy(pp, &np, sizeof(np));
	*cap = ncap;
	return 0;
}

int mlfy_grow_zero_(void *pp, size_t *cap, size_t need, size_t elem)
{
	size_t old = *cap;
	char *p;
	int rc = mlfy_grow_(pp, cap, need, elem);

	if (rc || *cap == old)
		return rc;
	memcpy(&p, pp, sizeof(p));
	memset(p + old * elem, 0, (*cap - old) * elem);
	return 0;
}

int mlfy_ivec_push(struct mlfy_ivec *b, int32_t x)
{
	if (MLFY_GROW(b->v, b->cap, b->n + 1))
		return MLFY_ENOMEM;
	b->v[b->n++] = x;
	return 0;
}

int mlfy_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int mlfy_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

void mlfy_array_free(void *v, size_t n, size_t elem, void (*release)(void *elem))
{
	size_t i;
	if (!v)
		return;
	for (i = 0; release && i < n; i++)
		release((char *)v + i * elem);
	free(v);
}

void mlfy_free_each(void *const *ptrs, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(ptrs[i]);
}

/* vocab.c - vocabulary lookups (vocab.h). */
#include "util/vocab.h"

#include <string.h>

int mlfy_name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;
	for (i = 0; s && i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}

const char *mlfy_name_of(const char *const *names, size_t n, int i, const char *fallback)
{
	return i >= 0 && (size_t)i < n && names[i] ? names[i] : fallback;
}

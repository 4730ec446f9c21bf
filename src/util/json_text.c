/* json_text.c - text as a JSON string that always encodes (json_text.h). */
#include "util/json_text.h"

#include <stdlib.h>
#include <string.h>

json_t *mlfy_json_text(const char *s)
{
	json_t *v = json_string(s ? s : "");
	char *copy;
	size_t i;

	if (v || !s || !(copy = strdup(s)))
		return v;
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

int mlfy_json_text_ok(const char *s)
{
	json_t *v = json_string(s ? s : "");
	int ok = v != NULL;
	json_decref(v);
	return ok;
}

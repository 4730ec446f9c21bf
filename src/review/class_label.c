/* class_label.c - "idx name" of a class for reports (see class_label.h). */
#include "review/class_label.h"

#include <stdio.h>
#include <string.h>

#include "store/catalog.h"

const char *mlfy_class_label(struct mlfy_store *s, int idx, char *buf, size_t n)
{
	struct mlfy_class c;
	struct mlfy_err err;
	memset(&c, 0, sizeof(c));
	if (mlfy_catalog_get_class(s, idx, &c, &err) == 0)
		snprintf(buf, n, "%d %s", idx, c.name);
	else
		snprintf(buf, n, "%d", idx);
	mlfy_class_release(&c);
	return buf;
}

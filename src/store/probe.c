/* probe.c - is this file a project? (see probe.h) */
#include "store/probe.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int mlfy_store_is_project(const char *path)
{
	char head[16];
	FILE *f;
	int yes;
	if (mlfy_store_is_pg(path))   /* a database: a project as far as its name tells */
		return 1;
	if (!(f = fopen(path, "rb")))
		return 0;
	yes = fread(head, 1, sizeof(head), f) == sizeof(head) && !memcmp(head, "SQLite format 3", 16);
	fclose(f);
	return yes;
}

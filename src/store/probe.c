/* probe.c - is this file a project? (see probe.h) */
#include "store/probe.h"

#include <stdio.h>
#include <string.h>

int mlfy_store_is_project(const char *path)
{
	char head[16];
	FILE *f = fopen(path, "rb");
	int yes;
	if (!f)
		return 0;
	yes = fread(head, 1, sizeof(head), f) == sizeof(head) && !memcmp(head, "SQLite format 3", 16);
	fclose(f);
	return yes;
}

/* testutil.h - helpers for the cmocka unit tests (header-only). */
#ifndef MLFY_TESTUTIL_H
#define MLFY_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh per-process temporary directory (created on first use, removed by
 * nobody: it lives under $TMPDIR and is small). */
static inline const char *test_tmpdir(void)
{
	static char dir[4096];
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/mlfy-test-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

/* Fills buf with a fresh path (dir/NNN-name) that does not exist yet. */
static inline void test_tmpfile(char *buf, size_t n, const char *name)
{
	static int seq;
	snprintf(buf, n, "%s/%03d-%s", test_tmpdir(), seq++, name);
	unlink(buf);
}

/* Path of a file under the shared data dir, or NULL when $MLFY_SHARED or the
 * file is absent (the caller then skips with a message). */
static inline const char *test_shared(char *buf, size_t n, const char *rel)
{
	const char *root = getenv("MLFY_SHARED");
	struct stat st;
	if (!root || !*root)
		root = "../shared";
	snprintf(buf, n, "%s/%s", root, rel);
	if (stat(buf, &st) != 0) {
		fprintf(stderr, "skipping: shared data %s not found\n", buf);
		return NULL;
	}
	return buf;
}

#endif

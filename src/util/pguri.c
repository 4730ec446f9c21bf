/* pguri.c - default names (database name, cache folder) derived from a
 * PostgreSQL connection URI (pguri.h). */
#include "util/pguri.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copies s[0..n) percent-decoded into out (cap bytes with the NUL). */
static void decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;
	for (i = 0; i < n && k + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			out[k++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
}

/* The value of query parameter key in q (after '?'), or NULL; *n its length. */
static const char *param(const char *q, const char *key, size_t *n)
{
	size_t kl = strlen(key);
	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t len = end ? (size_t)(end - q) : strlen(q);
		if (len > kl && !strncmp(q, key, kl) && q[kl] == '=') {
			*n = len - kl - 1;
			return q + kl + 1;
		}
		q = end ? end + 1 : NULL;
	}
	return NULL;
}

int mlfy_pguri_dbname(const char *uri, char *out, size_t cap)
{
	const char *p, *auth, *auth_end, *path = NULL, *q, *v, *at;
	size_t n;

	if (!cap)
		return -1;
	out[0] = '\0';
	if (!strncmp(uri, "postgresql://", 13))
		auth = uri + 13;
	else if (!strncmp(uri, "postgres://", 11))
		auth = uri + 11;
	else
		return -1;
	auth_end = auth + strcspn(auth, "/?");
	q = strchr(auth_end, '?');
	if (*auth_end == '/')
		path = auth_end + 1;
	if (q && (v = param(q + 1, "dbname", &n)) && n) {
		decode(v, n, out, cap);
		return 0;
	}
	if (path && (n = strcspn(path, "?")) > 0) {
		decode(path, n, out, cap);
		return 0;
	}
	if (q && (v = param(q + 1, "user", &n)) && n) {
		decode(v, n, out, cap);
		return 0;
	}
	for (at = NULL, p = auth; p < auth_end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		n = strcspn(auth, ":@");
		if (auth + n > at)
			n = (size_t)(at - auth);
		if (n) {
			decode(auth, n, out, cap);
			return 0;
		}
	}
	snprintf(out, cap, "postgres");
	return 0;
}

char *mlfy_pguri_cache_dir(const char *uri, const char *redacted)
{
	char db[96], *dir;
	const char *base = getenv("XDG_CACHE_HOME"), *sub = "mlfy";
	uint64_t h = 14695981039346656037ull;   /* FNV-1a 64 */
	const unsigned char *c;
	size_t i, len;

	if (mlfy_pguri_dbname(uri, db, sizeof(db)) != 0 || !redacted)
		return NULL;
	for (i = 0; db[i]; i++)
		if (!isalnum((unsigned char)db[i]) && db[i] != '.' && db[i] != '_' && db[i] != '-')
			db[i] = '_';
	if (db[0] == '.')
		db[0] = '_';
	for (c = (const unsigned char *)redacted; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	if (!base || base[0] != '/') {   /* XDG: a relative value is ignored */
		if (!(base = getenv("HOME")) || !*base)
			return NULL;
		sub = ".cache/mlfy";
	}
	len = strlen(base) + strlen(sub) + strlen(db) + 32;
	if (!(dir = malloc(len)))
		return NULL;
	/* the parent folders (mode 0700, as the cache itself); the cache folder
	 * is made, and every failure reported, by the server */
	snprintf(dir, len, "%s/%s", base, sub);
	for (i = 1; ; i++) {
		if (dir[i] == '/' || dir[i] == '\0') {
			char keep = dir[i];
			dir[i] = '\0';
			(void)mkdir(dir, 0700);   /* EEXIST for all but the missing ones */
			if (!(dir[i] = keep))
				break;
		}
	}
	snprintf(dir, len, "%s/%s/%s-%012llx", base, sub, db, (unsigned long long)(h >> 16));
	return dir;
}

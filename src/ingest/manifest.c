/* manifest.c - CSV manifests and ground-truth files (manifest.h), read with
 * util/csv: every bad row is listed, none stops the listing. */
#include "ingest/manifest.h"
#include "ingest/textio.h"
#include "util/csv.h"
#include "util/vec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void mlfy_manifest_free(struct mlfy_manifest_row *rows, size_t n)
{
	size_t i;
	if (!rows)
		return;
	for (i = 0; i < n; i++) {
		MLFY_FREE_ALL(rows[i].path, rows[i].label, rows[i].problem);
	}
	free(rows);
}

/* A new copy of field s with blanks and tabs trimmed on both ends. */
static char *trimmed(const char *s)
{
	size_t n;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return textio_strndup(s, n);
}

/* util/csv's message "origin:LINE: what" as the row's problem: "what", or
 * "line LINE: what" when LINE is not where the row starts. */
static char *csv_problem(const char *msg, const char *origin, size_t row_line)
{
	size_t k = strlen(origin);
	char *end, *out;
	unsigned long line;

	if (strncmp(msg, origin, k) || msg[k] != ':')
		return strdup(msg);
	line = strtoul(msg + k + 1, &end, 10);
	if (end[0] != ':' || end[1] != ' ')
		return strdup(msg);
	if (line == row_line)
		return strdup(end + 2);
	if (asprintf(&out, "line %lu: %s", line, end + 2) < 0)
		return NULL;
	return out;
}

int mlfy_manifest_parse(const char *text, size_t len, const char *origin,
			struct mlfy_manifest_row **rows_out, size_t *n_out, struct mlfy_err *err)
{
	struct mlfy_manifest_row *rows = NULL, *row;
	struct mlfy_csv *c = NULL;
	struct mlfy_err e;
	size_t n = 0, cap = 0, nf, ncols, i, n_bad = 0, first_bad = 0;
	char **f;
	int rc, path_col = -1, label_col = -1;

	*rows_out = NULL;
	*n_out = 0;
	if (memchr(text, '\0', len))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: binary data (NUL bytes): not a CSV manifest", origin);
	if ((rc = mlfy_csv_open_mem(origin, text, len, &c, err)))
		return rc;
	/* header */
	if ((rc = mlfy_csv_next(c, &f, &nf, err)) <= 0) {
		mlfy_csv_close(c);
		if (rc == 0)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: empty manifest (expected a header 'path,label')", origin);
		return rc;
	}
	for (i = 0; i < nf; i++) {
		char *h = trimmed(f[i]);
		if (!h) {
			mlfy_csv_close(c);
			return mlfy_err_oom(err);
		}
		if (!strcasecmp(h, "path") && path_col < 0)
			path_col = (int)i;
		else if (!strcasecmp(h, "label") && label_col < 0)
			label_col = (int)i;
		free(h);
	}
	ncols = nf;
	if (path_col < 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s:%zu: the header has no 'path' column (expected a header like 'path,label')", origin,
				  mlfy_csv_line(c));
		mlfy_csv_close(c);
		return rc;
	}
	for (;;) {
		char *why = NULL;
		mlfy_err_clear(&e);
		if ((rc = mlfy_csv_next(c, &f, &nf, &e)) == 0)
			break;
		if (rc < 0 && rc != MLFY_EINVAL) {
			rc = mlfy_err_set(err, rc, "%s", e.msg);
			goto fail;
		}
		if (MLFY_GROW_ZERO(rows, cap, n + 1))
			goto nomem;
		row = &rows[n++];
		row->line = (int)mlfy_csv_line(c);
		if (rc == MLFY_EINVAL) {
			why = csv_problem(e.msg, origin, (size_t)row->line);
		} else if (nf != ncols) {
			if (asprintf(&why, "%zu fields, the header has %zu", nf, ncols) < 0)
				why = NULL;
		} else {
			if (!(row->path = trimmed(f[path_col])))
				goto nomem;
			if (label_col >= 0) {
				if (!(row->label = trimmed(f[label_col])))
					goto nomem;
				if (!*row->label) {
					free(row->label);
					row->label = NULL;
				}
			}
			if (*row->path)
				continue;
			MLFY_FREE_ALL(row->path, row->label);
			row->path = row->label = NULL;
			why = strdup("empty path");
		}
		if (!why)
			goto nomem;
		row->problem = why;
		if (!n_bad++)
			first_bad = n - 1;
	}
	mlfy_csv_close(c);
	*rows_out = rows;
	*n_out = n;
	if (!n_bad)
		return 0;
	if (n_bad == 1)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: %s", origin, rows[first_bad].line, rows[first_bad].problem);
	return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: %s (and %zu more bad row%s)", origin, rows[first_bad].line,
			    rows[first_bad].problem, n_bad - 1, n_bad == 2 ? "" : "s");
nomem:
	rc = mlfy_err_oom(err);
fail:
	mlfy_csv_close(c);
	mlfy_manifest_free(rows, n);
	return rc;
}

/* ---- ground-truth files --------------------------------------------------- */

int mlfy_gt_parse(const char *text, size_t len, const char *origin, char ***labels_out,
		  size_t *n_out, struct mlfy_err *err)
{
	struct textio_lines it;
	char **v = NULL;
	size_t n = 0, cap = 0, last_nonempty = 0, i, k;
	const char *s;

	*labels_out = NULL;
	*n_out = 0;
	if (memchr(text, '\0', len))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: binary data (NUL bytes): not a label file", origin);
	textio_lines_init(&it, text, len);
	while (textio_lines_next(&it, &s, &k)) {
		textio_trim(&s, &k);
		if (!textio_valid_text(s, k, 0)) {
			for (i = 0; i < n; i++)
				free(v[i]);
			free(v);
			return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: not valid UTF-8 text", origin, it.line);
		}
		if (MLFY_GROW(v, cap, n + 1))
			goto nomem;
		if (!(v[n] = textio_strndup(s, k)))
			goto nomem;
		n++;
		if (k)
			last_nonempty = n;
	}
	for (i = last_nonempty; i < n; i++)
		free(v[i]);
	*labels_out = v;
	*n_out = last_nonempty;
	return 0;
nomem:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return mlfy_err_oom(err);
}


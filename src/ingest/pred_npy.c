/* pred_npy.c - NumPy prediction arrays into rows (pred_npy.h). */
#include "ingest/pred_npy.h"
#include "ingest/textio.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/npy.h"
#include "util/vec.h"

#define CHUNK_BYTES (4u << 20)

/* Reads an order file: one image name per line (a UTF-8 byte-order mark and
 * CRLF ok, trailing blank lines ignored); *names new array of new strings. */
static int read_order(const char *path, char ***names, size_t *n, struct mlfy_err *err)
{
	FILE *f = mlfy_open_read(path, err);
	char *line = NULL, **v = NULL;
	size_t cap = 0, cnt = 0, vcap = 0, lineno = 0, blank = 0, i;
	ssize_t len;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!f)
		return err ? err->code : MLFY_EIO;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
			memmove(line, line + 3, (size_t)len - 2);
			len -= 3;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0) {
			if (!blank)
				blank = lineno;
			continue;
		}
		if (blank) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: empty line (one image name per line)", path, blank);
			break;
		}
		if (MLFY_GROW(v, vcap, cnt + 1)) {
			rc = mlfy_err_oom(err);
			break;
		}
		if (!(v[cnt] = strdup(line))) {
			rc = mlfy_err_oom(err);
			break;
		}
		cnt++;
	}
	if (!rc && ferror(f))
		rc = mlfy_err_set(err, MLFY_EIO, "%s: read error", path);
	free(line);
	fclose(f);
	if (rc) {
		for (i = 0; i < cnt; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*names = v;
	*n = cnt;
	return 0;
}

int pred_read_npy(const char *path, const void *mem, size_t mem_len, const struct mlfy_pred_options *opt,
		    struct pred_resolver *r, size_t n_classes, struct pred_rows *w, struct pred_dense_stats *ds,
		    struct mlfy_err *err)
{
	struct mlfy_npy *a = NULL;
	char **order = NULL;
	size_t n_order = 0, rows, chunk, got, base = 0, i, j;
	float *buf = NULL;
	int rc;

	if ((rc = mem ? mlfy_npy_open_mem(path, (void *)mem, mem_len, 0, &a, err) : mlfy_npy_open(path, &a, err)))
		return rc;
	if (a->dtype != MLFY_NPY_F2 && a->dtype != MLFY_NPY_F4 && a->dtype != MLFY_NPY_F8) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: dtype %s: expected float logits or probabilities (<f2, <f4, <f8)",
				  path, a->descr);
		goto out;
	}
	if (a->ndim != 2) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %d-dimensional array: expected shape [N images, C classes]",
				  path, a->ndim);
		goto out;
	}
	rows = a->shape[0];
	if (a->shape[1] != n_classes) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: shape [%zu, %zu]: %zu columns, but the project has %zu classes%s",
				  path, rows, a->shape[1], a->shape[1], n_classes,
				  a->shape[1] == n_classes + 1 ? " (a background class at index 0? drop that column)" : "");
		goto out;
	}
	if (opt->order_path) {
		if ((rc = read_order(opt->order_path, &order, &n_order, err)))
			goto out;
		if (n_order != rows) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %zu rows, but the order file %s lists %zu image%s", path,
					  rows, opt->order_path, n_order, n_order == 1 ? "" : "s");
			goto out;
		}
	} else if (rows != r->n) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: %zu rows, but the project has %zu images (give --order FILE to map rows to images)",
				  path, rows, r->n);
		goto out;
	}
	mlfy_progress_set_total(opt->progress, (int64_t)rows);
	chunk = n_classes ? CHUNK_BYTES / (n_classes * sizeof(float)) : 1;
	if (chunk == 0)
		chunk = 1;
	if (chunk > rows)
		chunk = rows ? rows : 1;
	if (!(buf = malloc(chunk * n_classes * sizeof(float) + 1))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	/* one pass: finiteness, top-k, log-sum-exp and the probability test */
	for (;;) {
		if ((rc = mlfy_npy_read_rows_f32(a, buf, chunk, &got, err)))
			goto out;
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			const float *x = buf + i * n_classes;
			size_t row = base + i, img;
			char where[64];

			if (order) {
				snprintf(where, sizeof(where), "row %zu (order file line %zu)", row, row + 1);
				if ((rc = pred_resolve_row(r, path, where, order[row], &img, err)) == PRED_ROW_SKIPPED)
					continue;
				if (rc)
					goto out;
			} else {
				img = row;
				r->used[img] = 1;
			}
			for (j = 0; j < n_classes; j++) {
				if (!isfinite(x[j])) {
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s: row %zu (0-based), column %zu: %s value",
							  path, row, j, isnan(x[j]) ? "NaN" : "infinite");
					goto out;
				}
			}
			if ((rc = pred_add_dense_row(w, ds, img, x, NULL, n_classes, err)))
				goto out;
		}
		base += got;
		mlfy_progress_update(opt->progress, (int64_t)base);
	}
	rc = 0;
out:
	if (order) {
		for (i = 0; i < n_order; i++)
			free(order[i]);
		free(order);
	}
	free(buf);
	mlfy_npy_close(a);
	return rc;
}

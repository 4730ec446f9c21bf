/* npy_write.c - the atomic .npy writer (npy_write.h): a temporary file
 * beside the target, a version 1.0 (or 2.0) header padded to 64 bytes as
 * NumPy writes it, fsync and rename into place. */
#include "util/npy_write.h"
#include "util/vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };


struct mlfy_npy_writer {
	char *path;
	char *tmp;
	FILE *fp;
	size_t itemsize;
	size_t count;     /* elements the shape holds */
	size_t written;   /* elements written so far */
};

void mlfy_npy_writer_abort(struct mlfy_npy_writer *w)
{
	if (!w)
		return;
	if (w->fp)
		fclose(w->fp);
	if (w->tmp)
		unlink(w->tmp);
	MLFY_FREE_ALL(w->tmp, w->path, w);
}

int mlfy_npy_writer_open(const char *path, int dtype, int ndim, const size_t *shape,
			 struct mlfy_npy_writer **out, struct mlfy_err *err)
{
	struct mlfy_npy_writer *w;
	char dict[2048];
	unsigned char pre[12];
	size_t n = 0, count = 1, itemsize = mlfy_npy_dtype_size(dtype), total, pad, pre_len;
	int i, fd, zero = 0;
	mode_t um;

	*out = NULL;
	if (!itemsize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: cannot write dtype %d (numeric types only)", path, dtype);
	if (ndim < 0 || ndim > MLFY_NPY_MAX_DIMS)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: bad rank %d", path, ndim);
	for (i = 0; i < ndim; i++)
		zero |= shape[i] == 0;
	for (i = 0; i < ndim && !zero; i++) {
		if (count > SIZE_MAX / shape[i])
			return mlfy_err_set(err, MLFY_EINVAL, "%s: shape too large", path);
		count *= shape[i];
	}
	if (zero)
		count = 0;
	if (count > SIZE_MAX / itemsize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: shape too large", path);

	n += (size_t)snprintf(dict + n, sizeof(dict) - n, "{'descr': '%s', 'fortran_order': False, 'shape': (",
			      mlfy_npy_dtype_name(dtype));
	for (i = 0; i < ndim; i++)
		n += (size_t)snprintf(dict + n, sizeof(dict) - n, i ? ", %zu" : "%zu", shape[i]);
	n += (size_t)snprintf(dict + n, sizeof(dict) - n, "%s), }", ndim == 1 ? "," : "");
	pre_len = n + 1 < 65536 - 10 ? 10 : 12;
	total = pre_len + n + 1;                 /* + '\n' */
	pad = (64 - total % 64) % 64;
	if (pre_len == 10 && n + 1 + pad > 65535) {
		pre_len = 12;
		total = pre_len + n + 1;
		pad = (64 - total % 64) % 64;
	}

	if (!(w = calloc(1, sizeof(*w))) || !(w->path = strdup(path)) ||
	    !(w->tmp = malloc(strlen(path) + 16))) {
		mlfy_npy_writer_abort(w);
		return mlfy_err_oom(err);
	}
	sprintf(w->tmp, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(w->tmp)) < 0) {
		int e = errno;
		free(w->tmp);
		w->tmp = NULL;
		mlfy_npy_writer_abort(w);
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	if (!(w->fp = fdopen(fd, "wb"))) {
		close(fd);
		mlfy_npy_writer_abort(w);
		return mlfy_err_oom(err);
	}
	w->itemsize = itemsize;
	w->count = count;
	memcpy(pre, npy_magic, 6);
	pre[6] = pre_len == 10 ? 1 : 2;
	pre[7] = 0;
	{
		uint32_t hl = (uint32_t)(n + 1 + pad);
		pre[8] = (unsigned char)hl;
		pre[9] = (unsigned char)(hl >> 8);
		pre[10] = (unsigned char)(hl >> 16);
		pre[11] = (unsigned char)(hl >> 24);
	}
	fwrite(pre, 1, pre_len, w->fp);
	fwrite(dict, 1, n, w->fp);
	for (; pad > 0; pad--)
		fputc(' ', w->fp);
	fputc('\n', w->fp);
	if (ferror(w->fp)) {
		int e = errno;
		mlfy_npy_writer_abort(w);
		return mlfy_err_set(err, MLFY_EIO, "%s: write: %s", path, strerror(e));
	}
	*out = w;
	return 0;
}

int mlfy_npy_writer_put(struct mlfy_npy_writer *w, const void *data, size_t n,
			struct mlfy_err *err)
{
	if (n > w->count - w->written)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %zu elements written, but the shape holds %zu",
				    w->path, w->written + n, w->count);
	if (n && fwrite(data, w->itemsize, n, w->fp) != n)
		return mlfy_err_set(err, MLFY_EIO, "%s: write: %s", w->path, strerror(errno));
	w->written += n;
	return 0;
}

int mlfy_npy_writer_close(struct mlfy_npy_writer *w, struct mlfy_err *err)
{
	FILE *fp = w->fp;
	int rc = 0;

	if (w->written != w->count) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: only %zu of %zu elements written", w->path, w->written,
				  w->count);
		mlfy_npy_writer_abort(w);
		return rc;
	}
	w->fp = NULL;
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: write: %s", w->path, strerror(errno));
		fclose(fp);
	} else if (fclose(fp) != 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: close: %s", w->path, strerror(errno));
	} else if (rename(w->tmp, w->path) != 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: cannot rename into place: %s", w->path, strerror(errno));
	} else {
		free(w->tmp);
		w->tmp = NULL;   /* nothing to unlink */
	}
	mlfy_npy_writer_abort(w);
	return rc;
}

int mlfy_npy_save(const char *path, int dtype, int ndim, const size_t *shape,
		  const void *data, struct mlfy_err *err)
{
	struct mlfy_npy_writer *w;
	int rc;

	if ((rc = mlfy_npy_writer_open(path, dtype, ndim, shape, &w, err)))
		return rc;
	if ((rc = mlfy_npy_writer_put(w, data, w->count, err))) {
		mlfy_npy_writer_abort(w);
		return rc;
	}
	return mlfy_npy_writer_close(w, err);
}

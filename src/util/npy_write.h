/* npy_write.h - writing NumPy .npy arrays atomically (npy_write.c): a
 * streamed writer and a one-call save, in the format npy.h reads. */
#ifndef MLFY_UTIL_NPY_WRITE_H
#define MLFY_UTIL_NPY_WRITE_H

#include <stddef.h>
#include "util/error.h"
#include "util/npy.h"

/* A streamed writer: the file is written to a temporary name beside path
 * and renamed into place by mlfy_npy_writer_close, so readers never see a
 * partial file. */
struct mlfy_npy_writer;

/* Starts writing an array of the given dtype (any numeric type; not
 * MLFY_NPY_U) and shape (ndim <= MLFY_NPY_MAX_DIMS, borrowed).  The header
 * is version 1.0 (2.0 when it does not fit in 65535 bytes), padded so the
 * data start on a 64-byte boundary, as NumPy does.  Errors: MLFY_EINVAL
 * (dtype, rank, size overflow), MLFY_EIO (cannot create the file). */
int mlfy_npy_writer_open(const char *path, int dtype, int ndim, const size_t *shape,
			 struct mlfy_npy_writer **out, struct mlfy_err *err);

/* Appends n elements in the array's dtype (native little-endian values,
 * borrowed).  MLFY_EINVAL when more elements than the shape holds are
 * written; MLFY_EIO on a write error. */
int mlfy_npy_writer_put(struct mlfy_npy_writer *w, const void *data, size_t n,
			struct mlfy_err *err);

/* Finishes the file: checks that exactly count elements were written,
 * flushes, fsyncs and renames it into place.  Frees w in all cases; on
 * error the temporary file is removed and nothing appears at path. */
int mlfy_npy_writer_close(struct mlfy_npy_writer *w, struct mlfy_err *err);

/* Abandons a writer: removes the temporary file and frees w.  Accepts NULL. */
void mlfy_npy_writer_abort(struct mlfy_npy_writer *w);

/* Writes a whole array in one call (open + put + close).  data holds
 * product(shape) elements of dtype. */
int mlfy_npy_save(const char *path, int dtype, int ndim, const size_t *shape,
		  const void *data, struct mlfy_err *err);

#endif

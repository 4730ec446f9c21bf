/* npz.h - NumPy .npz archives (npz.c): a zip of .npy members, stored or
 * deflated, zip64; each member is parsed by the .npy reader (npy.h).
 * Format: PKWARE APPNOTE.TXT 6.3.x. */
#ifndef MLFY_UTIL_NPZ_H
#define MLFY_UTIL_NPZ_H

#include <stddef.h>
#include "util/error.h"
#include "util/npy.h"

/* An open zip archive of .npy members (numpy.savez / savez_compressed).
 * Stored (method 0) and deflated (method 8, via zlib) members are read,
 * with zip64 sizes and offsets; the CRC-32 of each member is verified. */
struct mlfy_npz;

/* Opens path and reads its central directory.  Errors: MLFY_ENOTFOUND,
 * MLFY_EIO, MLFY_EINVAL (not a zip archive, corrupt directory),
 * MLFY_ENOMEM. */
int mlfy_npz_open(const char *path, struct mlfy_npz **out, struct mlfy_err *err);
/* Opens an archive held in memory, buf[0..len) (borrowed: it must outlive
 * the handle); name is used in messages where mlfy_npz_open uses the path.
 * Errors as mlfy_npz_open, less MLFY_ENOTFOUND / MLFY_EIO. */
int mlfy_npz_open_mem(const char *name, const void *buf, size_t len, struct mlfy_npz **out,
		      struct mlfy_err *err);
/* Closes the archive (and its descriptor in file mode).  Accepts NULL. */
void mlfy_npz_close(struct mlfy_npz *z);

/* Number of members and the name of member i (borrowed, e.g. "tensor.npy"). */
size_t mlfy_npz_count(const struct mlfy_npz *z);
const char *mlfy_npz_name(const struct mlfy_npz *z, size_t i);

/* Extracts the member called name (with or without the ".npy" suffix, so
 * "tensor" finds "tensor.npy"), inflates it into memory and parses it:
 * *out is a new memory-mode array handle (mlfy_npy_close).  Errors:
 * MLFY_ENOTFOUND (no such member; the message lists the members),
 * MLFY_EUNSUPPORTED (compression method other than stored/deflate,
 * encryption), MLFY_EINVAL (corrupt data, CRC mismatch, bad .npy), MLFY_EIO,
 * MLFY_ENOMEM. */
int mlfy_npz_member(struct mlfy_npz *z, const char *name, struct mlfy_npy **out,
		    struct mlfy_err *err);

#endif

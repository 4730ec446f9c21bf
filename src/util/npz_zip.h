/* npz_zip.h - what npz.c (the zip directory, whole members) and
 * npz_stream.c (members read as streams) share: a directory entry, the
 * positioned read and the member lookup.  Internal to src/util; the public
 * interface is npz.h. */
#ifndef MLFY_UTIL_NPZ_ZIP_H
#define MLFY_UTIL_NPZ_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

struct mlfy_npz;   /* npz.h */

/* One member of the central directory (PKWARE APPNOTE 4.3.12). */
struct npz_entry {
	char *name;
	unsigned method;
	unsigned flags;
	uint32_t crc;
	uint64_t csize, usize, offset;
};

/* deflate cannot compress better than about 1032:1 (RFC 1951 block
 * limits); larger declared sizes are a corrupt or hostile archive */
#define NPZ_DEFLATE_MAX_RATIO 1032u

/* Reads exactly n bytes of the archive at offset off into buf; what names
 * the part in messages.  MLFY_EINVAL when the archive ends first, MLFY_EIO
 * on a read error. */
int npz_zread(struct mlfy_npz *z, void *buf, size_t n, uint64_t off, const char *what, struct mlfy_err *err);

/* Finds member name (or name + ".npy"), checks its local header and sizes:
 * *ep (borrowed from z), its data offset and the "archive:member" label for
 * messages (label_size bytes).  Errors: MLFY_ENOTFOUND (no such member,
 * listing the members), MLFY_EUNSUPPORTED (encrypted, a method other than
 * stored or deflate), MLFY_EINVAL (a corrupt header or sizes). */
int npz_locate(struct mlfy_npz *z, const char *name, const struct npz_entry **ep, uint64_t *data_off,
	       char *label, size_t label_size, struct mlfy_err *err);

#endif

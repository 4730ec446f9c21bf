/* npz_write.h - writing NumPy .npz archives as a stream (npz_write.c): a
 * zip of .npy members, each stored or deflated (zlib) as it is written, to
 * any FILE * -- a pipe or socket included, since nothing is sought back:
 * every member's CRC-32 and sizes follow its data in a data descriptor
 * (general purpose flag bit 3) and are repeated in the central directory.
 * numpy.load, Python's zipfile and npz.h read the result.  Memory is fixed
 * (zlib's state and a 64 KiB buffer) whatever the members' sizes.
 *
 * Format: PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 (local file header),
 * 4.3.9 (data descriptor), 4.3.12 (central directory), 4.3.14-4.3.16
 * (zip64 end records) and 4.5.3 (zip64 extra field); members are .npy 1.0
 * images (2.0 when the header is longer than 65535 bytes) as npy.h
 * describes, with the header padded to a multiple of 64 bytes as NumPy
 * does.  A member of 4 GiB or more, or an archive that grows past 4 GiB,
 * gets the zip64 records. */
#ifndef MLFY_UTIL_NPZ_WRITE_H
#define MLFY_UTIL_NPZ_WRITE_H

#include <stddef.h>
#include <stdio.h>
#include "util/error.h"

struct mlfy_npz_writer;

/* Starts an archive on out (borrowed; the caller closes it after
 * mlfy_npz_writer_finish; NULL until mlfy_npz_writer_set_output).  level 0 writes stored members, 1..9 deflated
 * ones at that zlib level (numpy.savez_compressed uses 6).  Errors:
 * MLFY_EINVAL (level), MLFY_ENOMEM. */
int mlfy_npz_writer_open(FILE *out, int level, struct mlfy_npz_writer **w, struct mlfy_err *err);

/* Redirects the rest of the archive to out (for callers that pull the
 * archive piece by piece into whatever stream is current); offsets go on
 * counting from the bytes already written. */
void mlfy_npz_writer_set_output(struct mlfy_npz_writer *w, FILE *out);

/* Begins member name (e.g. "tensor.npy") holding an array of dtype descr
 * ("<f8", "<i8", "<U28", ... written as given) with itemsize bytes per
 * element and the given shape (ndim 0..32, borrowed); writes its local
 * header and .npy header.  The previous member must have been ended.
 * Errors: MLFY_EINVAL (a member still open, bad descr/shape, size
 * overflow), MLFY_EIO (write error: "write: <reason>"), MLFY_ENOMEM. */
int mlfy_npz_writer_begin(struct mlfy_npz_writer *w, const char *name, const char *descr, size_t itemsize,
			  int ndim, const size_t *shape, struct mlfy_err *err);

/* Appends n bytes of the open member's data (C order, little-endian).
 * Errors: MLFY_EINVAL (no member open, more bytes than the shape holds),
 * MLFY_EIO. */
int mlfy_npz_writer_put(struct mlfy_npz_writer *w, const void *data, size_t n, struct mlfy_err *err);

/* Appends one element of a "<U<str_len>" member: the UTF-8 string s as
 * str_len UTF-32LE code points, NUL-padded.  Errors: MLFY_EINVAL (s is
 * longer than str_len code points or not valid UTF-8), as _put otherwise. */
int mlfy_npz_writer_put_str(struct mlfy_npz_writer *w, const char *s, size_t str_len, struct mlfy_err *err);

/* Ends the open member: checks that exactly its bytes were written,
 * flushes the deflate stream and writes the data descriptor.  Errors:
 * MLFY_EINVAL (short member), MLFY_EIO. */
int mlfy_npz_writer_end(struct mlfy_npz_writer *w, struct mlfy_err *err);

/* Writes the central directory and end records and frees w (in all
 * cases).  Errors: MLFY_EINVAL (a member still open), MLFY_EIO (also when
 * fflush fails). */
int mlfy_npz_writer_finish(struct mlfy_npz_writer *w, struct mlfy_err *err);

/* Frees w without finishing (the output is then not a valid archive).
 * Accepts NULL. */
void mlfy_npz_writer_free(struct mlfy_npz_writer *w);

/* Code points of the valid UTF-8 string s, or (size_t)-1 when s is not
 * valid UTF-8 (for sizing "<U<n>" members). */
size_t mlfy_utf8_code_points(const char *s);

#endif

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

/* A member read as a stream: its .npy header parsed up front, then its data
 * delivered in pieces of the caller's size, so memory does not grow with the
 * member.  Deflated members are inflated with zlib's raw inflate by a thread
 * of the stream's own (started by mlfy_npz_stream_open, stopped and joined by
 * mlfy_npz_stream_close) into a ring of 4 pieces of at most 1 MiB, so that
 * inflating overlaps with the caller's work on the data; the caller's thread
 * copies the pieces out and computes the CRC-32.  An error met while inflating
 * is returned by the read that reaches it, with the same message as inflating
 * in place would give.  Where no thread can be started, the reader inflates in
 * place.  Stored members are read straight from the archive.  The CRC-32 and
 * the end of the deflate stream are checked when the last byte is read.
 * Threads: one stream is used by one thread at a time; streams of one archive
 * may be read by different threads (reads of the archive are pread or memcpy
 * from the borrowed buffer). */
struct mlfy_npz_stream;

/* Opens member name (found as mlfy_npz_member finds it), starts inflating it
 * (deflated members: ring buffers of up to 4 MiB, zlib's state and a 256 KiB
 * input buffer, and the inflating thread) and parses its .npy header.  z
 * must outlive the stream.  Errors as mlfy_npz_member (MLFY_ENOTFOUND,
 * MLFY_EUNSUPPORTED, MLFY_EINVAL for a bad header or corrupt data, MLFY_EIO,
 * MLFY_ENOMEM). */
int mlfy_npz_stream_open(struct mlfy_npz *z, const char *name, struct mlfy_npz_stream **out,
			 struct mlfy_err *err);

/* The member's header (borrowed; a header-only handle: shape, dtype,
 * descr, itemsize, count and nbytes are set, the data readers refuse it). */
const struct mlfy_npy *mlfy_npz_stream_header(const struct mlfy_npz_stream *st);

/* Data bytes not yet read. */
uint64_t mlfy_npz_stream_left(const struct mlfy_npz_stream *st);

/* Reads exactly n data bytes into buf (n <= mlfy_npz_stream_left).  The
 * read that takes the last byte also checks that the deflate stream ends
 * there and the CRC-32 matches.  Errors (the message names archive and
 * member): MLFY_EINVAL (n past the end; corrupt deflate data; a stream that
 * ends before or runs past the declared size; CRC-32 mismatch), MLFY_EIO.
 * After an error the stream is unusable (close it). */
int mlfy_npz_stream_read(struct mlfy_npz_stream *st, void *buf, size_t n, struct mlfy_err *err);

/* Frees the stream (not the archive), first stopping and joining its
 * inflating thread wherever it is (a stream may be closed before its end).
 * Accepts NULL. */
void mlfy_npz_stream_close(struct mlfy_npz_stream *st);

#endif

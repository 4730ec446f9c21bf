/* npy.h - NumPy .npy arrays: header parser, whole-array and streamed row
 * readers (npy.c).  The atomic writer is npy_write.h's, .npz archives (zip
 * of .npy members) npz.h's.
 *
 * Format: NumPy Enhancement Proposal 1 and numpy/lib/format.py ("The .npy
 * format", versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a major and
 * minor version byte, a little-endian header length (u16 in 1.0, u32 in 2.0
 * and 3.0), then an ASCII (UTF-8 in 3.0) Python dict literal
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (7, 1000), }
 * padded with spaces and a newline, then the raw data in C order.
 *
 * Supported element types (descr): <f2 (IEEE half; read as float), <f4, <f8,
 * <i4, <i8, |u1, |b1 and <U<n> (fixed-width UTF-32 strings of n characters,
 * e.g. the `info` array of ReaL's vote files).  Any rank is accepted (0-d
 * arrays have one element).  Refused with MLFY_EINVAL and a message naming
 * the file and the reason: fortran_order=True, big-endian ('>f4'), object
 * ('|O') and structured dtypes, and every malformed header (bad magic,
 * truncated header, bad dict, negative or absurd shape, a data size that
 * overflows size_t or does not match the file's length).
 *
 * This code assumes a little-endian host (checked at compile time).
 * Ownership: mlfy_npy/mlfy_npz handles are created by *_open and released
 * by *_close (both accept NULL).  Arrays returned by the readers are new
 * allocations owned by the caller (free with free(), string arrays with
 * mlfy_npy_strings_free).
 */
#ifndef MLFY_UTIL_NPY_H
#define MLFY_UTIL_NPY_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* Element types. */
enum mlfy_npy_dtype {
	MLFY_NPY_F2 = 1,  /* '<f2' IEEE 754 binary16 */
	MLFY_NPY_F4,      /* '<f4' float */
	MLFY_NPY_F8,      /* '<f8' double */
	MLFY_NPY_I4,      /* '<i4' int32_t */
	MLFY_NPY_I8,      /* '<i8' int64_t */
	MLFY_NPY_U1,      /* '|u1' uint8_t */
	MLFY_NPY_B1,      /* '|b1' bool, one byte 0 or 1 */
	MLFY_NPY_U        /* '<U<n>' n UTF-32LE code points per element, NUL-padded */
};

/* Highest rank accepted (NumPy's own limit is 32 in 1.x, 64 in 2.x). */
#define MLFY_NPY_MAX_DIMS 32

/* An open array: the parsed header plus where its data lives (a file read
 * with pread, or a memory buffer for .npz members).  The public fields are
 * read-only for callers.
 * Invariants: count = product of shape[0..ndim) (1 when ndim == 0);
 * nbytes = count * itemsize, no overflow; data_offset + nbytes is the
 * length of the file or buffer. */
struct mlfy_npy {
	char *name;              /* for messages: the path, or "archive.npz:member.npy" */
	int dtype;               /* enum mlfy_npy_dtype */
	char descr[16];          /* the descr as written, e.g. "<f4", "<U28" */
	size_t itemsize;         /* bytes per element (4 * str_len for MLFY_NPY_U) */
	size_t str_len;          /* characters per element for MLFY_NPY_U, else 0 */
	int ndim;                /* 0 .. MLFY_NPY_MAX_DIMS */
	size_t shape[MLFY_NPY_MAX_DIMS];
	size_t count;            /* number of elements */
	size_t nbytes;           /* bytes of data */
	uint64_t data_offset;    /* where the data starts */
	int version;             /* 1, 2 or 3 (the major version byte) */
	size_t next_row;         /* streaming cursor: next row read_rows_* returns */
	/* private */
	int fd;                  /* file mode: open descriptor; -1 in memory mode */
	const unsigned char *mem;/* memory mode: the whole .npy image */
	unsigned char *owned;    /* memory mode: buffer freed by close (may equal mem) */
	void *scratch;           /* conversion buffer of the streaming readers */
	size_t scratch_size;
};

/* Opens the .npy file at path and parses its header; the data are not read.
 * On success *out is a new handle (mlfy_npy_close).  Errors: MLFY_ENOTFOUND
 * (no such file), MLFY_EIO, MLFY_EINVAL (malformed or unsupported; the
 * message names the file and the reason), MLFY_ENOMEM. */
int mlfy_npy_open(const char *path, struct mlfy_npy **out, struct mlfy_err *err);

/* Parses an in-memory .npy image of len bytes.  name is used in messages.
 * If take is non-zero the handle takes ownership of buf (freed by close,
 * even when this call fails); otherwise buf is borrowed and must outlive the
 * handle.  Errors as mlfy_npy_open. */
int mlfy_npy_open_mem(const char *name, void *buf, size_t len, int take,
		      struct mlfy_npy **out, struct mlfy_err *err);

/* Parses only the header of a .npy image whose first head_len bytes are
 * head (borrowed; they must hold the preamble and the whole dict) and whose
 * total length is total bytes, as for an archive member read as a stream
 * (npz.h).  *out is a header-only handle: its fields are set (data_offset
 * = the header's length) but the data readers refuse it (MLFY_EINVAL).
 * Errors as mlfy_npy_open_mem. */
int mlfy_npy_open_header(const char *name, const void *head, size_t head_len, uint64_t total,
			 struct mlfy_npy **out, struct mlfy_err *err);

/* Closes the handle and frees it.  Accepts NULL. */
void mlfy_npy_close(struct mlfy_npy *a);

/* Rows and row length for the streaming readers: rows = shape[0] and
 * row_len = product of shape[1..ndim) (a 1-d array has rows of one element;
 * a 0-d array is one row of one element). */
size_t mlfy_npy_rows(const struct mlfy_npy *a);
size_t mlfy_npy_row_len(const struct mlfy_npy *a);

/* Name of a dtype ("<f4", "<U" for strings) for messages. */
const char *mlfy_npy_dtype_name(int dtype);

/* Reads the whole data as stored (little-endian = native on this host):
 * *out receives a new buffer of a->nbytes bytes (at least 1 byte allocated;
 * free()).  For MLFY_NPY_U the elements are uint32_t code points.  Errors:
 * MLFY_EIO, MLFY_EINVAL (file shorter than its header says), MLFY_ENOMEM. */
int mlfy_npy_read_native(struct mlfy_npy *a, void **out, struct mlfy_err *err);

/* Reads all elements converted to double into a new array of a->count
 * elements (free()).  Booleans give 0/1, halves are widened exactly.
 * MLFY_EINVAL for string arrays. */
int mlfy_npy_read_double(struct mlfy_npy *a, double **out, struct mlfy_err *err);

/* Reads all elements as int64_t into a new array of a->count elements.
 * Integer and bool types convert exactly; float types are accepted only
 * when every value is finite and integral (else MLFY_EINVAL naming the
 * first bad element).  MLFY_EINVAL for string arrays. */
int mlfy_npy_read_int64(struct mlfy_npy *a, int64_t **out, struct mlfy_err *err);

/* Reads a string array (MLFY_NPY_U) as UTF-8: *out receives a new array of
 * a->count new NUL-terminated strings, trailing NULs of each element
 * removed.  Free with mlfy_npy_strings_free(*out, a->count).  MLFY_EINVAL
 * for other dtypes or a code point that is not valid Unicode. */
int mlfy_npy_read_strings(struct mlfy_npy *a, char ***out, struct mlfy_err *err);

void mlfy_npy_strings_free(char **s, size_t n);

/* Streaming row readers: read the next min(max_rows, rows left) rows,
 * starting at a->next_row, into buf (room for max_rows * row_len elements),
 * converting to float (or double); *n_rows receives the number of rows read
 * (0 at the end) and a->next_row advances by it.  <f4 (for _f32) and <f8
 * (for _f64) are read straight into buf with one large read per call;
 * other numeric types go through an internal buffer.  Use max_rows so that
 * a call covers a few MiB for disk-speed reading.  Errors: MLFY_EINVAL
 * (string dtype, truncated file), MLFY_EIO, MLFY_ENOMEM. */
int mlfy_npy_read_rows_f32(struct mlfy_npy *a, float *buf, size_t max_rows,
			   size_t *n_rows, struct mlfy_err *err);
int mlfy_npy_read_rows_f64(struct mlfy_npy *a, double *buf, size_t max_rows,
			   size_t *n_rows, struct mlfy_err *err);
/* Moves the streaming cursor back to row 0. */
void mlfy_npy_rewind(struct mlfy_npy *a);

/* Converts one IEEE 754 binary16 value to float (exact: every half is a
 * float).  Handles subnormals, infinities and NaN. */
float mlfy_half_to_float(uint16_t h);

/* Bytes per element of a numeric dtype (0 for MLFY_NPY_U and unknown). */
size_t mlfy_npy_dtype_size(int dtype);

#endif

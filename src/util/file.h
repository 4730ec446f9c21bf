/* file.h - reading a whole file into memory: the one reader for every
 * input read in one piece (class lists, label and ground-truth files, CSV
 * manifests, prediction files, order lists, TLS certificates and keys);
 * and the fsync of a path that new files are published with.
 * Depends on nothing of ours but error.h.
 */
#ifndef MLFY_UTIL_FILE_H
#define MLFY_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>
#include "util/error.h"

/* Reads the regular file at path into a new buffer *buf of *len bytes
 * (free() it), followed by a NUL that *len does not count, so that text
 * and PEM parsers may treat it as a string (a file holding NUL bytes is
 * still read whole: use *len, not strlen).  Files larger than max_bytes
 * are refused before anything is read.
 * Errors, each naming path: MLFY_ENOTFOUND (no such file), MLFY_EINVAL
 * (not a regular file, e.g. a folder or a pipe; larger than max_bytes),
 * MLFY_EIO (cannot be opened, e.g. permission, or a read failed or came
 * short), MLFY_ENOMEM.  On error *buf is NULL and *len 0. */
int mlfy_read_file(const char *path, size_t max_bytes, char **buf, size_t *len, struct mlfy_err *err);

/* fopen(path, "rb") for a file to be read: NULL with err set to
 * MLFY_ENOTFOUND / MLFY_EIO ("PATH: cannot open: REASON") or MLFY_EINVAL
 * ("PATH: is a directory" -- QA: a folder given for a file was reported as
 * an "empty file" or a "read error"). */
FILE *mlfy_open_read(const char *path, struct mlfy_err *err);

/* The last component of path: what follows its last '/' (path itself when
 * it has none).  Borrowed from path. */
const char *mlfy_path_base(const char *path);

/* Length of base without the extension ext (".onnx", compared ignoring
 * case), or strlen(base) when it does not end with it or is only it. */
size_t mlfy_path_stem_len(const char *base, const char *ext);

/* fsync(2) of the file (is_dir 0) or folder (is_dir 1) at path, opened
 * read-only for it: a new file is durable once its data and then its
 * folder's entry are synced (mlfy backup, mlfy migrate).  0, or the errno
 * of the open or the fsync. */
int mlfy_fsync_path(const char *path, int is_dir);

#endif

/* outfile.h - an output file written atomically: to a temporary file beside
 * its path, renamed into place once complete, so that a failed or
 * interrupted write never leaves a partial file (what `mlfy export --out`
 * and `mlfy aggregate --out FILE.csv` write).  No dependencies but libc.
 *
 * path "-" or NULL means standard output (commit then only flushes).  A
 * symbolic link is followed (its target is replaced, the link kept); an
 * existing path that is not a regular file (a device such as /dev/stdout, a
 * FIFO) is written directly, never replaced.  A new file gets mode 0666
 * minus the umask, an existing one keeps its mode.
 */
#ifndef MLFY_UTIL_OUTFILE_H
#define MLFY_UTIL_OUTFILE_H

#include <stdio.h>
#include "util/error.h"

struct mlfy_outfile {
	FILE *f;         /* write here: stdout, the temporary file, or path itself */
	char *path;      /* final path (owned), NULL for stdout */
	char *tmp;       /* temporary path (owned), NULL when writing path directly */
};

/* Opens *o for path.  protect (may be NULL) is a file the caller reads, such
 * as the project: writing over it, or over one of SQLite's companion files
 * beside it (PROTECT-wal, -shm, -journal), is refused with "PATH: is
 * <protect_what> itself; choose another output file" (protect_what e.g.
 * "the project file"; see mlfy_path_protected).  Errors: MLFY_EINVAL (protect, a directory), MLFY_EIO (naming
 * path and the system's reason), MLFY_ENOMEM; *o is then empty. */
int mlfy_outfile_open(struct mlfy_outfile *o, const char *path, const char *protect,
		      const char *protect_what, struct mlfy_err *err);

/* Flushes, fsyncs and renames the temporary file into place (standard
 * output: flushes).  On failure the temporary file is removed and MLFY_EIO
 * names the path ("PATH: cannot write: REASON").  *o is empty afterwards. */
int mlfy_outfile_commit(struct mlfy_outfile *o, struct mlfy_err *err);

/* Abandons *o: closes it and removes the temporary file.  Accepts an empty
 * *o. */
void mlfy_outfile_abort(struct mlfy_outfile *o);

/* 1 when paths a and b (may be NULL) name the same existing file (device
 * and inode), else 0. */
int mlfy_same_file(const char *a, const char *b);

/* 1 when writing path would destroy protect (may be NULL): path is the same
 * file, or names protect's "-wal", "-shm" or "-journal" companion, whether
 * or not that exists now (a running `mlfy serve` keeps its write-ahead log
 * there: a file written over it loses every acknowledged save).  Names are
 * compared after resolving their folders (symbolic links, "..").  Else 0. */
int mlfy_path_protected(const char *path, const char *protect);

#endif

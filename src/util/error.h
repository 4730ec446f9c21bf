/* error.h - uniform status codes and error messages for libmultilabelfy.
 *
 * Every library function that can fail returns 0 (MLFY_OK) or one of the
 * negative MLFY_E* codes below, and fills a caller-owned struct mlfy_err with
 * a one-line, lowercase, human-readable message naming the failing thing
 * (file, line, field).  Only src/cli and src/mlfy.c print messages or exit.
 */
#ifndef MLFY_UTIL_ERROR_H
#define MLFY_UTIL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum mlfy_status {
	MLFY_OK = 0,
	MLFY_EINVAL = -1,      /* bad input: a file, field or argument is invalid */
	MLFY_EIO = -2,         /* an operating-system I/O call failed */
	MLFY_ENOMEM = -3,      /* out of memory */
	MLFY_ESTORE = -4,      /* the project store reported an error */
	MLFY_ENOTFOUND = -5,   /* a named thing (image, class, user…) does not exist */
	MLFY_ECONFLICT = -6,   /* a stale write (optimistic concurrency) or a duplicate */
	MLFY_EPERM = -7,       /* not allowed for this user or role */
	MLFY_EUNSUPPORTED = -8,/* a format or feature this build does not support */
	MLFY_EINTR = -9,       /* interrupted by a signal; work so far is consistent */
	MLFY_ESCHEMA = -10,    /* the project file has a newer schema than this binary */
	MLFY_ECLOSED = -11     /* the thing is decided and closed to this change (an image
				* analyze has taken: reopen it first, `mlfy reopen`) */
};

/* A caller-owned error slot.  code mirrors the returned status; msg is always
 * NUL-terminated (empty when code == MLFY_OK). */
struct mlfy_err {
	int code;
	char msg[1024];
};

/* Clears *err (code 0, empty message).  err may be NULL. */
void mlfy_err_clear(struct mlfy_err *err);

/* Formats a message into *err (printf-style) and returns code, so callers can
 * write `return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: bad field", f, l);`.
 * err may be NULL (the message is dropped, the code still returned). */
int mlfy_err_set(struct mlfy_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mlfy_err_set(err, MLFY_ENOMEM, "out of memory"): the one out-of-memory
 * report.  Returns MLFY_ENOMEM. */
int mlfy_err_oom(struct mlfy_err *err);

/* For the clang static analyzer (make lint) only: it cannot see into
 * error.c, so it would assume `return mlfy_err_set(err, MLFY_EINVAL, ...)`
 * may return 0 and report impossible paths.  This states the contract
 * above (the result is code) where the analyzer can see it. */
#if defined(__clang_analyzer__) && !defined(MLFY_ERROR_C)
#define mlfy_err_set(err, code, ...) (mlfy_err_set((err), (code), __VA_ARGS__), (code))
#define mlfy_err_oom(err) (mlfy_err_oom(err), MLFY_ENOMEM)
#endif

/* Like mlfy_err_set with a va_list. */
int mlfy_err_vset(struct mlfy_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prepends "prefix: " to an existing message (for adding context such as a
 * file name on the way up).  Returns err->code. */
int mlfy_err_prefix(struct mlfy_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns a static, lowercase name for a status code ("bad input", …). */
const char *mlfy_strstatus(int code);

#endif

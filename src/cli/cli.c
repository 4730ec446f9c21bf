/* cli.c - helpers shared by the subcommands (see cli.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/progress.h"

int cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mlfy %s: error: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return MLFY_EXIT_FAIL;
}

int cli_report(const char *cmd, const struct mlfy_err *err)
{
	fprintf(stderr, "mlfy %s: error: %s\n", cmd,
		err->msg[0] ? err->msg : mlfy_strstatus(err->code));
	return err->code == MLFY_EINTR ? MLFY_EXIT_INTR : MLFY_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mlfy %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mlfy %s --help' for more information.\n", cmd);
	return MLFY_EXIT_USAGE;
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mlfy %s: warning: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct mlfy_store *cli_open_project(const char *cmd, const char *path, int flags)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	mlfy_err_clear(&err);
	if (mlfy_store_open(path, flags, &s, &err)) {
		cli_report(cmd, &err);
		return NULL;
	}
	return s;
}

long cli_parse_long(const char *cmd, const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		cli_usage_error(cmd, "%s: '%s' is not an integer in [%ld, %ld]", opt, arg, min, max);
		return -1;
	}
	return v;
}

int cli_parse_seed(const char *cmd, const char *opt, const char *arg, unsigned long long *seed)
{
	char *end;
	unsigned long long v;
	errno = 0;
	/* strtoull alone would accept blanks, a sign, and clamp overflow to the maximum */
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno || *end) {
		cli_usage_error(cmd, "%s: '%s' is not an integer in [0, 18446744073709551615]", opt, arg);
		return -1;
	}
	*seed = v;
	return 0;
}

int cli_isatty(int fd)
{
	const char *e = getenv("MLFY_NO_PROGRESS");
	if (e && *e)
		return 0;
	return isatty(fd);
}

struct mlfy_progress *cli_progress(struct mlfy_progress *p, const char *label, int quiet)
{
	const char *e = getenv("MLFY_NO_PROGRESS");
	if (quiet || (e && *e))
		return NULL;
	mlfy_progress_start(p, stderr, isatty(2), label, 0);
	return p;
}

/* cli.c - helpers shared by the subcommands (see cli.h). */
#define MLFY_CLI_C   /* cli.h: the analyzer's view of cli_error is not for its definition */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ingest/images.h"
#include "util/progress.h"

/* "mlfy <cmd>: <kind><message>" then tail, on stderr */
static void vmessage(const char *cmd, const char *kind, const char *tail, const char *fmt, va_list ap)
{
	fprintf(stderr, "mlfy %s: %s", cmd, kind);
	vfprintf(stderr, fmt, ap);
	fputs(tail, stderr);
}

int cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(cmd, "error: ", "\n", fmt, ap);
	va_end(ap);
	return MLFY_EXIT_FAIL;
}

/* Length of the valid UTF-8 sequence of a printable character at p (2 to 4
 * bytes), or 0 (an invalid sequence, or a C1 control U+0080..U+009F). */
static size_t utf8_printable(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp <= 0x9F)
		return 0;
	return n;
}

void cli_fputs_safe(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p == '\t' || (*p >= 0x20 && *p < 0x7F)) {
			fputc(*p++, f);
		} else if ((n = utf8_printable(p))) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fprintf(f, "\\x%02x", *p++);
		}
	}
}

int cli_report(const char *cmd, const struct mlfy_err *err)
{
	fprintf(stderr, "mlfy %s: error: ", cmd);
	cli_fputs_safe(err->msg[0] ? err->msg : mlfy_strstatus(err->code), stderr);
	fputc('\n', stderr);
	return err->code == MLFY_EINTR ? MLFY_EXIT_INTR : MLFY_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(cmd, "", "\n", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'mlfy %s --help' for more information.\n", cmd);
	return MLFY_EXIT_USAGE;
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(cmd, "warning: ", "\n", fmt, ap);
	va_end(ap);
}

void cli_print_problems(const char *prefix, const struct mlfy_ingest_problem *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		fputs(prefix, stderr);
		cli_fputs_safe(p[i].where, stderr);
		fputs(": ", stderr);
		cli_fputs_safe(p[i].reason, stderr);
		fputc('\n', stderr);
	}
}

int cli_print_json(const char *cmd, json_t *v, int compact)
{
	char *s = json_dumps(v, (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_REAL_PRECISION(10));
	json_decref(v);
	if (!s)
		return cli_error(cmd, "out of memory");
	puts(s);
	free(s);
	return 0;
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

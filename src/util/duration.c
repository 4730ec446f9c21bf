/* duration.c - parses durations such as "90s", "15m", "12h", "7d" or a bare
 * number of seconds into seconds (duration.h). */
#include "util/duration.h"

#include <string.h>

#define SHOWN 64   /* at most this many bytes of a bad text are quoted */

static int bad(struct mlfy_err *err, const char *s, const char *why)
{
	size_t n = strlen(s);
	return mlfy_err_set(err, MLFY_EINVAL, "duration '%.*s%s': %s", SHOWN, s, n > SHOWN ? "..." : "", why);
}

int mlfy_duration_parse(const char *s, int64_t *seconds, struct mlfy_err *err)
{
	static const char form[] =
		"expected a positive whole number of seconds, optionally followed by s, m, h or d"
		" (e.g. 90s, 15m, 12h, 7d)";
	int64_t v = 0, unit = 1;
	const char *p;

	if (!s)
		s = "";
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > MLFY_DURATION_MAX)   /* keep reading digits without overflow */
			continue;
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return bad(err, s, form);
	switch (*p) {
	case '\0': unit = 1; break;
	case 's': unit = 1; p++; break;
	case 'm': unit = 60; p++; break;
	case 'h': unit = 3600; p++; break;
	case 'd': unit = 86400; p++; break;
	default: return bad(err, s, form);
	}
	if (*p)
		return bad(err, s, form);
	if (v == 0)
		return bad(err, s, "must be longer than 0 seconds");
	if (v > MLFY_DURATION_MAX / unit)
		return bad(err, s, "must be at most 365 days");
	*seconds = v * unit;
	return 0;
}

/* duration.h - durations written as a number and a unit ("90s", "15m",
 * "12h", "7d", or a bare number of seconds), as options such as
 * `mlfy user invite --invite-ttl` take them (duration.c).  Knows nothing of
 * projects. */
#ifndef MLFY_UTIL_DURATION_H
#define MLFY_UTIL_DURATION_H

#include <stdint.h>
#include "util/error.h"

/* The longest duration accepted: 365 days, in seconds. */
#define MLFY_DURATION_MAX (365LL * 24 * 3600)

/* Parses s (borrowed, NUL-terminated): decimal digits followed by nothing
 * (seconds) or by one of s, m, h, d (seconds, minutes, hours, days); no
 * sign, space, fraction or other unit.  On success *seconds is the value in
 * seconds, 1..MLFY_DURATION_MAX, and 0 is returned.  Otherwise MLFY_EINVAL
 * with a message quoting the text (zero, over 365 days, or not of that
 * form); *seconds is left unchanged.  s NULL is an error like "". */
int mlfy_duration_parse(const char *s, int64_t *seconds, struct mlfy_err *err);

#endif

/* numfmt.c - counts with thousands separators, percentages (see numfmt.h). */
#include "util/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *mlfy_fmt_count(char *buf, size_t n, uint64_t v)
{
	char digits[32], out[48];
	int len, i, j = 0;

	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	snprintf(buf, n, "%s", out);
	return buf;
}

char *mlfy_fmt_pct(char *buf, size_t n, double share, int decimals, int space)
{
	if (isnan(share))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f%s%%", decimals, 100.0 * share, space ? " " : "");
	return buf;
}

char *mlfy_fmt_real(char *buf, size_t n, double v, int decimals)
{
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f", decimals, v);
	return buf;
}

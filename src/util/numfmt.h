/* numfmt.h - number formatting for tables and figures: counts with
 * thousands separators ("1,266") and percentages.  No dependencies. */
#ifndef MLFY_UTIL_NUMFMT_H
#define MLFY_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Writes v with ',' every three digits ("5,083") into buf (n >= 28 bytes
 * always suffices) and returns buf. */
char *mlfy_fmt_count(char *buf, size_t n, uint64_t v);

/* Writes 100 * share with `decimals` decimals and a '%' ("50.83 %" when
 * space is non-zero, "50.83%" otherwise) into buf and returns buf; "-" when
 * share is NAN. */
char *mlfy_fmt_pct(char *buf, size_t n, double share, int decimals, int space);

/* Writes v with `decimals` decimals into buf and returns buf; "-" when v is
 * NAN or infinite (a figure without data). */
char *mlfy_fmt_real(char *buf, size_t n, double v, int decimals);

#endif

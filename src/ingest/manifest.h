/* manifest.h - the text lists add-images reads (manifest.c): CSV manifests
 * ("path,label" with a header) and ground-truth files (one label per line,
 * in the sorted order of the images).  docs/ingest.md has the formats. */
#ifndef MLFY_INGEST_MANIFEST_H
#define MLFY_INGEST_MANIFEST_H

#include <stddef.h>
#include "util/error.h"

/* One row of a CSV manifest. */
struct mlfy_manifest_row {
	char *path;     /* as written (relative to the manifest's folder, or absolute); NULL in a bad row */
	char *label;    /* as written; NULL when the manifest has no label column or the cell is empty */
	int line;       /* 1-based line where the row starts */
	char *problem;  /* NULL, or why the row cannot be read (lowercase, without file and line) */
};

void mlfy_manifest_free(struct mlfy_manifest_row *rows, size_t n);

/* Parses a CSV manifest (util/csv.h: ',' separated, optional "quoted"
 * fields with "" for a quote, CRLF or LF, UTF-8 with optional byte-order
 * mark).  The first row is the header: it must have a column named "path"
 * and may have one named "label" (case-insensitive; other columns are
 * ignored).  Blank lines are skipped.  *rows is a new array of *n rows
 * (mlfy_manifest_free).
 * A row that cannot be read (a field count other than the header's, an
 * empty path, a quote out of place, a NUL byte) does not stop the parse:
 * it is kept with its line and .problem set, and the parse goes on with
 * the next line, so that every bad row can be listed.  Returns 0 when
 * every row is good; MLFY_EINVAL with *rows and *n filled (free them) when
 * some row is bad, err naming the first ("origin:line: problem (and N more
 * bad rows)"); other errors with *rows NULL: MLFY_EINVAL for a file that
 * cannot be a manifest (empty, binary, no 'path' column, a bad header),
 * MLFY_ENOMEM. */
int mlfy_manifest_parse(const char *text, size_t len, const char *origin,
			struct mlfy_manifest_row **rows, size_t *n, struct mlfy_err *err);

/* Parses a ground-truth file: one label per line (trimmed).  *labels is a
 * new array of *n strings (free each, then the array); empty lines are kept
 * as "" (an error for the caller to report with its line number, which is
 * the array index + 1) except trailing ones, which are dropped. */
int mlfy_gt_parse(const char *text, size_t len, const char *origin, char ***labels,
		  size_t *n, struct mlfy_err *err);

#endif

/* review_cli.h - helpers shared by the stage iii-iv commands (analyze,
 * assign-refinement, finalize, zero-review, import-votes, aggregate,
 * agreement, export) and by `mlfy stats` for the review counts. */
#ifndef MLFY_CLI_REVIEW_CLI_H
#define MLFY_CLI_REVIEW_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "store/review_stats.h"
#include "store/store.h"

/* n with thousands separators ("5,083") into buf (returned). */
const char *rcli_thousands(int64_t n, char buf[32]);

/* 1 when path is a readable file starting with SQLite's header (a project
 * rather than a label or vote file), else 0. */
int rcli_is_sqlite(const char *path);

/* 100 * part / whole, 0 when whole is 0. */
double rcli_pct(int64_t part, int64_t whole);

/* "idx name" of a class of the project into buf (just "idx" when the class
 * is unknown). */
const char *rcli_class(struct mlfy_store *s, int idx, char *buf, size_t n);

/* An output file written atomically: to a temporary file beside path,
 * renamed into place by rcli_out_commit (fsync first).  path "-" or NULL
 * means stdout (commit then only flushes).  A symbolic link is followed
 * (its target is replaced, the link kept); an existing path that is not a
 * regular file (a device such as /dev/stdout, a FIFO) is written directly,
 * never replaced.  A new file gets mode 0666 minus the umask, an existing
 * one keeps its mode. */
struct rcli_out {
	FILE *f;
	char *path;      /* final path, NULL for stdout */
	char *tmp;       /* temporary path, NULL when writing path directly */
};

/* 1 when paths a and b name the same existing file (device and inode). */
int rcli_same_file(const char *a, const char *b);

/* Opens *o; on failure prints the reason as command cmd and returns 1.
 * project (may be NULL) is the project file the command reads: writing
 * over it is refused. */
int rcli_out_open(const char *cmd, const char *path, const char *project, struct rcli_out *o);
/* Finishes *o; on failure removes the temporary file, prints and returns 1. */
int rcli_out_commit(const char *cmd, struct rcli_out *o);
/* Abandons *o (removes the temporary file). */
void rcli_out_abort(struct rcli_out *o);

/* Prints the review counts of a project (refinement queue, zero-label
 * reviews by category and verdict, raw votes) as text lines to f, for
 * `mlfy stats PROJECT` (which prints the decisions by stage itself). */
void rcli_print_review_stats(FILE *f, const struct mlfy_review_stats *st);

/* The same as a new JSON object (json_decref it). */
json_t *rcli_review_stats_json(const struct mlfy_review_stats *st);

/* Prints a JSON value to stdout with a newline (compact when compact != 0).
 * Returns 0, or 1 after printing an error. */
int rcli_print_json(const char *cmd, json_t *v, int compact);

#endif

/* cli.h - what the subcommands in src/cli share: the command signature, error
 * printing, opening a project, and --help handling.  Only src/cli and
 * src/mlfy.c print to the terminal or exit.
 *
 * Adding a subcommand: create src/cli/cmd_<name>.c (underscores become dashes
 * in the command name) defining
 *     const char cmd_<name>_summary[] = "one line for 'mlfy help'";
 *     int cmd_<name>(int argc, char **argv);   returns the exit status
 * The build generates the command table from the file names.
 */
#ifndef MLFY_CLI_CLI_H
#define MLFY_CLI_CLI_H

#include <stdio.h>
#include "util/error.h"
#include "store/store.h"

/* Exit statuses shared by all subcommands. */
enum {
	MLFY_EXIT_OK = 0,
	MLFY_EXIT_FAIL = 1,   /* the command ran and failed (bad input, I/O, …) */
	MLFY_EXIT_USAGE = 2,  /* bad command line */
	MLFY_EXIT_INTR = 130  /* interrupted by SIGINT */
};

/* Prints "mlfy <cmd>: error: <msg>" to stderr.  Returns MLFY_EXIT_FAIL. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the message of err with the same prefix (through cli_fputs_safe);
 * returns the exit status matching err->code (130 for MLFY_EINTR, else 1). */
int cli_report(const char *cmd, const struct mlfy_err *err);
/* Writes s to f with control bytes (tab excepted; a newline too, so that a
 * file name cannot split a message), C1 controls and invalid UTF-8 written
 * as \xNN, so that file names in messages cannot drive the terminal. */
void cli_fputs_safe(const char *s, FILE *f);
/* Prints "mlfy <cmd>: <msg>" and the usage hint; returns MLFY_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "mlfy <cmd>: warning: <msg>" to stderr. */
void cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens a project; on failure prints the reason and returns NULL. */
struct mlfy_store *cli_open_project(const char *cmd, const char *path, int flags);

/* Parses a non-negative integer option value; prints an error and returns -1
 * when arg is not an integer in [min, max]. */
long cli_parse_long(const char *cmd, const char *opt, const char *arg, long min, long max);

/* Parses a --seed value: a decimal integer in [0, 2^64 - 1] (digits only).
 * Prints a usage error naming opt and returns -1 otherwise; 0 on success. */
int cli_parse_seed(const char *cmd, const char *opt, const char *arg, unsigned long long *seed);

/* 1 when stdout/stderr (fd) is a terminal and progress bars are wanted. */
int cli_isatty(int fd);

/* Progress reporting for long commands (util/progress.h): starts p on
 * stderr, redrawn when stderr is a terminal, plain periodic lines
 * otherwise, and returns p; returns NULL (no reporting) when quiet is set
 * or $MLFY_NO_PROGRESS is non-empty.  Pass the result to the library. */
struct mlfy_progress;
struct mlfy_progress *cli_progress(struct mlfy_progress *p, const char *label, int quiet);

#endif

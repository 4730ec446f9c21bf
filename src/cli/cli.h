/* cli.h - what the subcommands in src/cli share: the shape of a command
 * (struct cli_builtin), its option table (struct cli_option), the state the
 * dispatcher hands it (struct cli_ctx), error printing and small parsing
 * helpers.  Only src/cli and src/mlfy.c print to the terminal or exit.
 *
 * How a command runs (src/cli/dispatch.c, like git.c's run_builtin):
 *   1. the dispatcher calls init() when there is one, then parses the
 *      options with the command's option table (-h/--help is implicit: it
 *      prints the usage and exits 0);
 *   2. check(ctx) looks at the operands and options: usage errors (exit 2)
 *      and anything that must come before the project is opened;
 *   3. with CLI_PROJECT in the command table the dispatcher opens ctx->project
 *      (read-only with CLI_READONLY or ctx->readonly) and, with
 *      CLI_CANCELLABLE, makes SIGINT set *ctx->cancel instead of killing;
 *   4. run(ctx) calls the library and prints; its return is the exit status;
 *   5. the dispatcher restores SIGINT, closes the project, calls release()
 *      and (src/mlfy.c) checks that standard output was written.
 *
 * Adding a subcommand `mlfy frob`:
 *   - create src/cli/cmd_frob.c (underscores become dashes in the name) with
 *     a usage string, its options in a `static struct { ... } o;`, an option
 *     table pointing into o, check() and run(), and
 *         const struct cli_builtin cmd_frob = {
 *             .summary = "one line for 'mlfy help'", .usage = usage,
 *             .options = options, .check = check, .run = run,
 *         };
 *     run() gets the open project in ctx->store: no command opens, commits
 *     or rolls back anything itself (the library owns its transactions);
 *   - add one line to the command table in src/mlfy.c:
 *         { "frob", &cmd_frob, CLI_PROJECT | CLI_CANCELLABLE },
 *     (the build declares cmd_frob from the file name and refuses to
 *     compile while a cmd_*.c file has no line in the table).
 * docs/cli.md shows a whole command.
 */
#ifndef MLFY_CLI_CLI_H
#define MLFY_CLI_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "util/error.h"
#include "store/store.h"

/* Exit statuses shared by all subcommands. */
enum {
	MLFY_EXIT_OK = 0,
	MLFY_EXIT_FAIL = 1,   /* the command ran and failed (bad input, I/O, …) */
	MLFY_EXIT_USAGE = 2,  /* bad command line */
	MLFY_EXIT_INTR = 130  /* interrupted by SIGINT */
};

/* ---- option tables -------------------------------------------------------- */

/* What an option does with its argument.  Values point into the command's
 * option storage (a file-scope struct: one command runs per process). */
enum cli_opt_kind {
	CLI_OPT_END = 0,   /* ends a table */
	CLI_OPT_FLAG,      /* no argument: *(int *)value = (int)max */
	CLI_OPT_STRING,    /* *(const char **)value = the argument (borrowed from argv) */
	CLI_OPT_INT,       /* an integer in [min, max] (0 <= min) into *(int *)value */
	CLI_OPT_LONG,      /* an integer in [min, max] (0 <= min) into *(long *)value */
	CLI_OPT_SEED,      /* a decimal integer in [0, 2^64 - 1] into *(uint64_t *)value */
	CLI_OPT_CHOICE,    /* one of choices[] (NULL-terminated): its index into *(int *)value */
	CLI_OPT_CALLBACK   /* cb(opt, arg, cmd) handles it (arg NULL when it takes none) */
};

struct cli_option {
	enum cli_opt_kind kind;
	int short_name;               /* 'x' for -x, 0 for none ('h' is taken by --help) */
	const char *long_name;        /* "name" for --name (required) */
	void *value;                  /* where the value goes (see enum cli_opt_kind) */
	long min, max;                /* INT/LONG range; FLAG: max is the value set */
	const char *const *choices;   /* CHOICE: the accepted words, NULL-terminated */
	/* CALLBACK: returns 0, or an exit status after printing the error (use
	 * cli_usage_error with cmd) */
	int (*cb)(const struct cli_option *opt, const char *arg, const char *cmd);
	int has_arg;                  /* CALLBACK: 1 when the option takes an argument */
};

#define CLI_OPT_FLAG(s, l, v)         { CLI_OPT_FLAG, (s), (l), (v), 0, 1, NULL, NULL, 0 }
#define CLI_OPT_SET(s, l, v, val)     { CLI_OPT_FLAG, (s), (l), (v), 0, (val), NULL, NULL, 0 }
#define CLI_OPT_STRING(s, l, v)       { CLI_OPT_STRING, (s), (l), (v), 0, 0, NULL, NULL, 1 }
#define CLI_OPT_INT(s, l, v, lo, hi)  { CLI_OPT_INT, (s), (l), (v), (lo), (hi), NULL, NULL, 1 }
#define CLI_OPT_LONG(s, l, v, lo, hi) { CLI_OPT_LONG, (s), (l), (v), (lo), (hi), NULL, NULL, 1 }
#define CLI_OPT_SEED(s, l, v)         { CLI_OPT_SEED, (s), (l), (v), 0, 0, NULL, NULL, 1 }
#define CLI_OPT_CHOICE(s, l, v, c)    { CLI_OPT_CHOICE, (s), (l), (v), 0, 0, (c), NULL, 1 }
#define CLI_OPT_CALLBACK(s, l, v, f, a) { CLI_OPT_CALLBACK, (s), (l), (v), 0, 0, NULL, (f), (a) }
#define CLI_OPT_END()                 { CLI_OPT_END, 0, NULL, NULL, 0, 0, NULL, NULL, 0 }

/* Parses argv[1..argc) (argv[0] is the command name, as getopt prints it)
 * with opts (may be NULL: no option but --help) in getopt_long's way (GNU
 * permutation: options and operands may mix; "--" ends the options).
 * Returns 0 with *first set to the index of the first operand, -1 when
 * -h/--help was given (nothing after it is parsed), or an exit status after
 * printing the error as `mlfy cmd`: an unknown option or a missing
 * argument gives "unknown option" (after getopt's own line), a bad value
 * names the option ("--top: 'x' is not an integer in [0, 100000]";
 * "--layout: 'x' is not auto, imagefolder, flat or csv"). */
int cli_parse_options(const char *cmd, const struct cli_option *opts, int argc, char **argv,
		      int *first);

/* A ready CALLBACK: a positive number (strtod) into *(double *)opt->value;
 * "--NAME: 'x' is not a positive number" otherwise. */
int cli_opt_positive_double(const struct cli_option *opt, const char *arg, const char *cmd);

/* A ready CALLBACK: a number in [0, 1] (a share or a probability) into
 * *(double *)opt->value; "--NAME: 'x' is not a number in [0, 1]" otherwise. */
int cli_opt_share(const struct cli_option *opt, const char *arg, const char *cmd);

/* A ready CALLBACK: a duration ("90s", "15m", "12h", "7d" or seconds;
 * util/duration.h) into *(int64_t *)opt->value as seconds; the parser's
 * message after "--NAME: " otherwise. */
int cli_opt_duration(const struct cli_option *opt, const char *arg, const char *cmd);

/* ---- commands --------------------------------------------------------------- */

/* Flags of a command in the command table (src/mlfy.c). */
enum cli_flags {
	/* opens ctx->project (preset to the first operand; check may name
	 * another, or none for a command given a file instead) before run */
	CLI_PROJECT = 1 << 0,
	/* opens it read-only (MLFY_STORE_READONLY: no migrations, no writes) */
	CLI_READONLY = 1 << 1,
	/* during run, SIGINT sets *ctx->cancel (the library stops cleanly with
	 * MLFY_EINTR, cli_report then gives exit status 130) */
	CLI_CANCELLABLE = 1 << 2,
};

/* What the dispatcher hands a command's check and run. */
struct cli_ctx {
	const char *name;            /* the command's name, for messages */
	int argc;                    /* operands: what is left after the options */
	char **argv;                 /* argv[0..argc), argv[argc] == NULL */
	unsigned flags;              /* the command's enum cli_flags */
	/* CLI_PROJECT: the project to open; preset to argv[0] (NULL without
	 * operands); check may change it or set it NULL (nothing is opened) */
	const char *project;
	int readonly;                /* check may set it: open the project read-only */
	struct mlfy_store *store;    /* run: the open project, or NULL */
	/* run, CLI_CANCELLABLE: becomes non-zero on SIGINT (else NULL) */
	volatile sig_atomic_t *cancel;
};

/* One subcommand: what src/cli/cmd_<name>.c defines as cmd_<name>. */
struct cli_builtin {
	const char *summary;              /* one line for `mlfy --help` */
	const char *usage;                /* the whole --help text */
	const struct cli_option *options; /* ended by CLI_OPT_END(); NULL: --help only */
	/* Sets option defaults a static initialiser cannot (a library's
	 * *_opts_init), before the options are parsed; may be NULL. */
	void (*init)(void);
	/* After the options were parsed: checks operands and options, does
	 * what must precede opening the project.  Returns 0, or an exit
	 * status after printing.  NULL: nothing to check. */
	int (*check)(struct cli_ctx *c);
	/* Does the work; returns the exit status. */
	int (*run)(struct cli_ctx *c);
	/* Frees what the option callbacks or check allocated; called once
	 * whatever happened (may be NULL). */
	void (*release)(void);
	/* Prints more help after usage (e.g. what this build supports); may be
	 * NULL. */
	void (*more_help)(FILE *f);
};

/* A line of the command table. */
struct cli_command {
	const char *name;                 /* "add-images" */
	const struct cli_builtin *builtin;
	unsigned flags;                   /* enum cli_flags */
};

/* Runs cmd with its arguments (argv[0] is the command's name): options,
 * check, project, SIGINT, run, clean-up, as described at the top.  Returns
 * the exit status. */
int cli_dispatch(const struct cli_command *cmd, int argc, char **argv);

/* Prints cmd's --help text to f. */
void cli_help(const struct cli_command *cmd, FILE *f);

/* ---- messages and small helpers -------------------------------------------- */

/* Prints "mlfy <cmd>: error: <msg>" to stderr.  Returns MLFY_EXIT_FAIL. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For the clang static analyzer (make lint) only, as in util/error.h: the
 * result is always MLFY_EXIT_FAIL, where the analyzer can see it. */
#if defined(__clang_analyzer__) && !defined(MLFY_CLI_C)
#define cli_error(...) (cli_error(__VA_ARGS__), MLFY_EXIT_FAIL)
#endif
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

/* Prints one "<prefix><where>: <reason>" line per problem to stderr (both
 * through cli_fputs_safe): the files an import skipped or refused. */
struct mlfy_ingest_problem;
void cli_print_problems(const char *prefix, const struct mlfy_ingest_problem *p, size_t n);

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

/* Prints the JSON value v to stdout with a newline, indented by 2 (compact
 * when compact != 0), and releases it (steals the reference; v may be NULL,
 * as an out-of-memory JSON builder returns).  Returns 0, or 1 after
 * printing an error. */
int cli_print_json(const char *cmd, json_t *v, int compact);

#endif

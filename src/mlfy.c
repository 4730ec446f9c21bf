/* mlfy.c - entry point: the command table and dispatch (like git.c).
 *
 * The table lists every command with its flags: CLI_PROJECT (the dispatcher
 * opens the project the command names, once), CLI_READONLY (read-only),
 * CLI_CANCELLABLE (SIGINT stops the library cleanly, exit status 130).
 * src/cli/dispatch.c runs a command (cli.h tells how); this file finds the
 * subcommand, handles global --help/--version and `mlfy help CMD`, and makes
 * sure buffered output reached its destination before exiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mlfy_commands.h"   /* generated: extern const struct cli_builtin cmd_<name>; */
#include "mlfy_version.h"    /* generated: MLFY_VERSION */

static const struct cli_command commands[] = {
	{ "add-exemplars", &cmd_add_exemplars, CLI_PROJECT | CLI_CANCELLABLE },
	{ "add-images", &cmd_add_images, CLI_PROJECT | CLI_CANCELLABLE },
	{ "aggregate", &cmd_aggregate, CLI_PROJECT },                   /* or --votes FILE */
	{ "agreement", &cmd_agreement, CLI_PROJECT | CLI_READONLY },    /* or VOTES.npz */
	{ "analyze", &cmd_analyze, CLI_PROJECT },                       /* --dry-run: read-only */
	{ "assign", &cmd_assign, CLI_PROJECT },
	{ "assign-refinement", &cmd_assign_refinement, CLI_PROJECT },
	{ "audit", &cmd_audit, CLI_PROJECT | CLI_READONLY },
	{ "backup", &cmd_backup, CLI_CANCELLABLE },                     /* opens PROJECT itself, read-only */
	{ "check", &cmd_check, CLI_PROJECT | CLI_READONLY },
	{ "evaluate", &cmd_evaluate, CLI_PROJECT | CLI_READONLY },      /* --project, or files */
	{ "export", &cmd_export, CLI_PROJECT | CLI_READONLY },
	{ "finalize", &cmd_finalize, CLI_PROJECT },
	{ "fit", &cmd_fit, 0 },
	{ "gold", &cmd_gold, CLI_PROJECT },                             /* list: read-only */
	{ "import-predictions", &cmd_import_predictions, CLI_PROJECT },
	{ "import-votes", &cmd_import_votes, CLI_PROJECT },
	{ "init", &cmd_init, 0 },                                       /* creates the project */
	{ "migrate", &cmd_migrate, CLI_CANCELLABLE },                   /* opens SRC and DST itself */
	{ "propose", &cmd_propose, CLI_PROJECT | CLI_CANCELLABLE },
	{ "quality", &cmd_quality, CLI_PROJECT | CLI_READONLY },        /* or --votes FILE --gold FILE */
	{ "questions", &cmd_questions, CLI_PROJECT },                   /* --dry-run: read-only */
	{ "reopen", &cmd_reopen, CLI_PROJECT },
	{ "report", &cmd_report, CLI_PROJECT | CLI_READONLY },          /* PROJECT, or files */
	{ "select-model", &cmd_select_model, CLI_PROJECT },             /* read-only unless --activate */
	{ "serve", &cmd_serve, 0 },                  /* the server opens a connection per thread */
	{ "stats", &cmd_stats, CLI_PROJECT | CLI_READONLY },            /* or a label FILE */
	{ "upgrade", &cmd_upgrade, 0 },                                 /* opens PROJECT itself */
	{ "user", &cmd_user, CLI_PROJECT },                             /* list: read-only */
	{ "zero-review", &cmd_zero_review, CLI_PROJECT },               /* --list: read-only */
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
_Static_assert(N_COMMANDS == MLFY_COMMAND_FILES,
	       "every src/cli/cmd_<name>.c needs its line in commands[] (and no other line)");

static void usage(FILE *out)
{
	size_t i;
	fprintf(out,
		"usage: mlfy [--version] [--help] <command> [<args>]\n"
		"\n"
		"multilabelfy turns single-label image classification datasets into\n"
		"multi-label ground truth: model proposals, human annotation, disagreement\n"
		"analysis, expert refinement, evaluation.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-20s %s\n", commands[i].name, commands[i].builtin->summary);
	fprintf(out,
		"\n"
		"'mlfy <command> --help' describes a command.  'mlfy help <command>' too.\n");
}

static const struct cli_command *find(const char *name)
{
	size_t i;
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	fprintf(stderr, "mlfy: '%s' is not an mlfy command. See 'mlfy --help'.\n", name);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return MLFY_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mlfy %s\n", MLFY_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") && argc < 3) {
		usage(stdout);
		return 0;
	}
	if (!(cmd = find(!strcmp(argv[1], "help") ? argv[2] : argv[1])))
		return MLFY_EXIT_USAGE;
	if (!strcmp(argv[1], "help")) {
		cli_help(cmd, stdout);
		rc = 0;
	} else {
		rc = cli_dispatch(cmd, argc - 1, argv + 1);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mlfy: write error on standard output");
		return MLFY_EXIT_FAIL;
	}
	return rc;
}

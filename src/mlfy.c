/* mlfy.c - entry point: the command table and dispatch (like git.c).
 *
 * The table is generated at build time from src/cli/cmd_*.c (see cli.h);
 * this file only finds the subcommand, handles global --help/--version and
 * makes sure buffered output reached its destination before exiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "mlfy_commands.h"   /* generated: struct mlfy_command mlfy_commands[] */
#include "mlfy_version.h"    /* generated: MLFY_VERSION */

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
	for (i = 0; i < sizeof(mlfy_commands) / sizeof(mlfy_commands[0]); i++)
		fprintf(out, "  %-20s %s\n", mlfy_commands[i].name, mlfy_commands[i].summary);
	fprintf(out,
		"\n"
		"'mlfy <command> --help' describes a command.  'mlfy help <command>' too.\n");
}

static const struct mlfy_command *find(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(mlfy_commands) / sizeof(mlfy_commands[0]); i++)
		if (!strcmp(mlfy_commands[i].name, name))
			return &mlfy_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct mlfy_command *cmd;
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
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		if (!(cmd = find(argv[2]))) {
			fprintf(stderr, "mlfy: '%s' is not an mlfy command. See 'mlfy --help'.\n", argv[2]);
			return MLFY_EXIT_USAGE;
		}
		char *av[] = { argv[2], "--help", NULL };
		return cmd->fn(2, av);
	}
	if (!(cmd = find(argv[1]))) {
		fprintf(stderr, "mlfy: '%s' is not an mlfy command. See 'mlfy --help'.\n", argv[1]);
		return MLFY_EXIT_USAGE;
	}
	rc = cmd->fn(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("mlfy: write error on standard output");
		return MLFY_EXIT_FAIL;
	}
	return rc;
}

/* dispatch.c - runs one command the same way every time (see cli.h): its
 * options, its checks, the project it names opened once, SIGINT turned
 * into a cancel flag, the command, then the clean-up.  The command table
 * itself is in src/mlfy.c. */
#include <signal.h>
#include <string.h>

#include "cli/cli.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

void cli_help(const struct cli_command *cmd, FILE *f)
{
	fputs(cmd->builtin->usage, f);
	if (cmd->builtin->more_help)
		cmd->builtin->more_help(f);
}

/* Opens c->project as the flags say; 0 or an exit status after printing. */
static int open_project(struct cli_ctx *c)
{
	struct mlfy_err err;
	int ro = (c->flags & CLI_READONLY) || c->readonly;

	mlfy_err_clear(&err);
	if (mlfy_store_open(c->project, ro ? MLFY_STORE_READONLY : 0, &c->store, &err))
		return cli_report(c->name, &err);
	return 0;
}

int cli_dispatch(const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_builtin *b = cmd->builtin;
	struct cli_ctx c;
	struct sigaction sa, old_sa;
	int rc, first;

	memset(&c, 0, sizeof(c));
	c.name = cmd->name;
	c.flags = cmd->flags;
	if (b->init)
		b->init();
	rc = cli_parse_options(cmd->name, b->options, argc, argv, &first);
	if (rc < 0) {
		cli_help(cmd, stdout);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	c.argc = argc - first;
	c.argv = argv + first;
	if ((cmd->flags & CLI_PROJECT) && c.argc > 0)
		c.project = c.argv[0];
	if (b->check && (rc = b->check(&c)))
		goto out;
	if ((cmd->flags & CLI_PROJECT) && c.project && (rc = open_project(&c)))
		goto out;
	if (cmd->flags & CLI_CANCELLABLE) {
		/* SA_RESTART: a read that the signal interrupts goes on; the
		 * library looks at the flag between units of work */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_sa);
		c.cancel = &interrupted;
	}
	rc = b->run(&c);
	if (cmd->flags & CLI_CANCELLABLE)
		sigaction(SIGINT, &old_sa, NULL);
out:
	mlfy_store_close(c.store);
	if (b->release)
		b->release();
	return rc;
}

/* dispatch.c - runs one command the same way every time (see cli.h): its
 * options, its checks, the project it names opened once, SIGINT turned
 * into a cancel flag, the command, one row in the project's audit log when
 * the command changed it, then the clean-up.  The command table itself is
 * in src/mlfy.c. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/actor.h"
#include "cli/cli.h"
#include "util/json_text.h"
#include "store/audit.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = sig;   /* non-zero: the library stops between units of work */
}

void cli_help(const struct cli_command *cmd, FILE *f)
{
	fputs(cmd->builtin->usage, f);
	if (cmd->builtin->more_help)
		cmd->builtin->more_help(f);
}

/* 1 when the command opened its project read-only (or not at all). */
static int writes_nothing(const struct cli_ctx *c)
{
	return !c->store || (c->flags & CLI_READONLY) || c->readonly || !strcmp(c->name, "serve");
}

/* Opens c->project as the flags say; 0 or an exit status after printing. */
static int open_project(struct cli_ctx *c)
{
	struct mlfy_err err;
	int ro = (c->flags & CLI_READONLY) || c->readonly;

	mlfy_err_clear(&err);
	if (mlfy_store_open(c->project, ro ? MLFY_STORE_READONLY : 0, &c->store, &err))
		return cli_report(c->name, &err);
	/* from here on the project is named as the store names it: a
	 * postgresql:// URI's password as "***" in everything a command
	 * prints (the store is open; nothing opens the project again) */
	c->project = mlfy_store_path(c->store);
	return 0;
}

/* The audit row of a command that changed its project and succeeded (see
 * docs/cli.md): actor "shell:LOGIN", via "cli", action the command's name
 * (and, for the commands whose first operand is an action, that action:
 * "user invite", "gold add"), params {"argv": [every argument after the
 * command name, as typed]}, result "ok"; args NULL with n > 0 means they
 * could not be kept (out of memory).  A failure to write it is a
 * warning: the command's work is done and its exit status stands. */
static void audit(const struct cli_ctx *c, char **args, int n)
{
	char actor[80], action[128];
	struct mlfy_err err;
	json_t *argv = json_array(), *params = json_object();
	char *text = NULL;
	int i, ok = argv && params && (args || n == 0);

	/* a postgresql:// URI's password never reaches the log (nor the
	 * console's audit view, nor a copy made by `mlfy migrate`) */
	for (i = 0; ok && i < n; i++) {
		char *shown = mlfy_store_is_pg(args[i]) ? mlfy_store_redacted(args[i]) : NULL;
		ok = (shown || !mlfy_store_is_pg(args[i])) &&
		     !json_array_append_new(argv, mlfy_json_text(shown ? shown : args[i]));
		free(shown);
	}
	if (ok && !json_object_set(params, "argv", argv))
		text = json_dumps(params, JSON_COMPACT);
	json_decref(argv);
	json_decref(params);
	if (c->argc > 0 && (!strcmp(c->name, "user") || !strcmp(c->name, "gold")))
		snprintf(action, sizeof(action), "%s %s", c->name, c->argv[0]);
	else
		snprintf(action, sizeof(action), "%s", c->name);
	mlfy_err_clear(&err);
	if (!text)
		mlfy_err_oom(&err);
	else
		mlfy_audit_append(c->store, cli_shell_actor(actor, sizeof(actor)), "cli", action, text, "ok", 1, &err);
	if (err.code)
		cli_warn(c->name, "the command succeeded, but its audit log row was not written: %s", err.msg);
	free(text);
}

int cli_dispatch(const struct cli_command *cmd, int argc, char **argv)
{
	const struct cli_builtin *b = cmd->builtin;
	struct cli_ctx c;
	struct sigaction sa, old_sa[3];
	static const int stop_sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	int k;
	char **args = NULL;
	int rc, first;

	memset(&c, 0, sizeof(c));
	c.name = cmd->name;
	c.flags = cmd->flags;
	/* the arguments as typed, for the audit row: option parsing permutes argv */
	if (argc > 1 && (args = malloc((size_t)(argc - 1) * sizeof(*args))))
		memcpy(args, argv + 1, (size_t)(argc - 1) * sizeof(*args));
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
		/* SIGTERM (systemctl stop, timeout) and SIGHUP (a closed
		 * terminal) stop the command as cleanly as Ctrl-C: no
		 * temporary file left behind */
		for (k = 0; k < 3; k++) {
			sigaction(stop_sigs[k], NULL, &old_sa[k]);
			/* under nohup SIGHUP stays ignored */
			if (stop_sigs[k] != SIGHUP || old_sa[k].sa_handler != SIG_IGN)
				sigaction(stop_sigs[k], &sa, NULL);
		}
		c.cancel = &interrupted;
	}
	rc = b->run(&c);
	if (cmd->flags & CLI_CANCELLABLE) {
		for (k = 0; k < 3; k++)
			sigaction(stop_sigs[k], &old_sa[k], NULL);
		/* 128 + the signal, as a shell reports a process it ended */
		if (rc == MLFY_EXIT_INTR && interrupted && interrupted != SIGINT)
			rc = 128 + interrupted;
	}
	/* serve is not opened here (its console audits its own actions) */
	if (rc == 0 && c.store && !writes_nothing(&c))
		audit(&c, args, argc - 1);
out:
	free(args);
	mlfy_store_close(c.store);
	if (b->release)
		b->release();
	return rc;
}

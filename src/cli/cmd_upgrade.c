/* cmd_upgrade.c - `mlfy upgrade PROJECT`: brings a project written by an
 * older mlfy to this mlfy's schema version (store.h: the forward
 * migrations, all in one transaction), and says what it did. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
	"usage: mlfy upgrade PROJECT\n"
	"\n"
	"Brings PROJECT (a file or a postgresql:// URI) written by an older mlfy to\n"
	"the schema version of this mlfy: every pending forward migration runs, all\n"
	"in one transaction (an interrupted upgrade changes nothing).  Commands that\n"
	"only read ('mlfy check', 'stats', 'export', 'migrate', ...) refuse an older\n"
	"project and name this command; commands that write upgrade it as they\n"
	"open it.  A project already at this version is left as it is; one written\n"
	"by a newer mlfy is refused (upgrade mlfy instead).  Take a backup first\n"
	"('mlfy backup', or pg_dump for PostgreSQL): an older mlfy cannot open the\n"
	"upgraded project.  docs/schema.md lists the versions.\n";

static const struct cli_option options[] = {
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected PROJECT");
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	int v;

	/* read-only first: a current project is not opened for writing at all */
	mlfy_err_clear(&err);
	if (mlfy_store_open(c->argv[0], MLFY_STORE_READONLY, &s, &err) == 0) {
		v = mlfy_store_schema_version(s);
		printf("%s: already at schema version %d: nothing to upgrade\n", mlfy_store_path(s), v);
		mlfy_store_close(s);
		return 0;
	}
	if (err.code != MLFY_ESCHEMA)
		return cli_report(c->name, &err);
	/* older or newer: a read-write open runs the migrations, or refuses a
	 * newer project with its own message */
	mlfy_err_clear(&err);
	if (mlfy_store_open(c->argv[0], 0, &s, &err))
		return cli_report(c->name, &err);
	v = mlfy_store_schema_version(s);
	printf("%s: upgraded to schema version %d\n", mlfy_store_path(s), v);
	mlfy_store_close(s);
	return 0;
}

const struct cli_builtin cmd_upgrade = {
	.summary = "bring a project written by an older mlfy to this schema version",
	.usage = usage, .options = options, .check = check, .run = run,
};

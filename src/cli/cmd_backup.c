/* cmd_backup.c - `mlfy backup PROJECT DEST`: an online copy of a SQLite
 * project while servers keep saving into it (store/backup.h). */
#include <stdio.h>

#include "cli/cli.h"
#include "store/backup.h"
#include "util/progress.h"

static const char usage[] =
	"usage: mlfy backup PROJECT DEST [--step-pages N] [--pause-ms MS] [--quiet]\n"
	"\n"
	"Copies the SQLite project PROJECT into the new file DEST while it stays in\n"
	"use: 'mlfy serve' and other commands go on saving during the copy.  The\n"
	"copy is SQLite's online backup API, N pages per step, from a read snapshot\n"
	"taken when the backup starts: every save acknowledged before then is in\n"
	"DEST, later ones are not.  The pages go to a temporary file in DEST's\n"
	"folder, which is then opened afresh and integrity-checked (PRAGMA\n"
	"integrity_check, application id, schema version), fsync'd and linked to\n"
	"DEST: DEST is either complete and checked, or absent.  DEST must not exist\n"
	"(a backup never replaces a file) and gets mode 0600 (it holds password\n"
	"hashes).  The output gives the pages, bytes and time.\n"
	"\n"
	"A PostgreSQL project (postgresql://...) is backed up with pg_dump instead\n"
	"(docs/deploy.md).  Restore: stop the servers, move DEST to the project's\n"
	"name (removing the project's -wal and -shm files), run 'mlfy check' on\n"
	"it, start them again.\n"
	"\n"
	"Options:\n"
	"  --step-pages N   pages copied per step (default 1024, 4 MiB at 4 KiB\n"
	"                   pages; 1 to 1048576)\n"
	"  --pause-ms MS    sleep between steps, to spare a busy disk (default 0;\n"
	"                   0 to 60000)\n"
	"  -q, --quiet      no progress lines\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0 when DEST was written and checked, 1 otherwise (DEST then\n"
	"does not exist, unless it existed before), 130 when interrupted.\n";

static struct {
	int step_pages, pause_ms, quiet;
} o = { 1024, 0, 0 };

static const struct cli_option options[] = {
	CLI_OPT_INT(0, "step-pages", &o.step_pages, 1, 1048576),
	CLI_OPT_INT(0, "pause-ms", &o.pause_ms, 0, 60000),
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected PROJECT and DEST");
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_backup_opts bo;
	struct mlfy_backup_summary sum;
	struct mlfy_progress prog;
	struct mlfy_err err;

	mlfy_err_clear(&err);
	mlfy_backup_opts_init(&bo);
	bo.step_pages = o.step_pages;
	bo.pause_ms = o.pause_ms;
	bo.cancel = c->cancel;
	bo.progress = cli_progress(&prog, "backup (pages)", o.quiet);
	if (mlfy_backup(c->argv[0], c->argv[1], &bo, &sum, &err))
		return cli_report(c->name, &err);
	printf("%s: backup of %s written and checked: %lld pages of %lld bytes = %lld bytes (%.1f MiB), "
	       "schema version %d\n",
	       c->argv[1], c->argv[0], (long long)sum.pages, (long long)sum.page_size, (long long)sum.bytes,
	       (double)sum.bytes / (1024.0 * 1024.0), sum.schema_version);
	printf("time: %.3f s (copy %.3f s in %lld steps, %lld restarts; integrity check and fsync %.3f s)\n",
	       sum.seconds, sum.copy_seconds, (long long)sum.steps, (long long)sum.restarts,
	       sum.seconds - sum.copy_seconds);
	return 0;
}

const struct cli_builtin cmd_backup = {
	.summary = "copy a SQLite project while it is in use (online backup)",
	.usage = usage, .options = options, .check = check, .run = run,
};

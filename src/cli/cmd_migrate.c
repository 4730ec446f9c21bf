/* cmd_migrate.c - `mlfy migrate SRC DST`: a whole project copied between
 * SQLite and PostgreSQL (either direction) and verified table by table
 * (store/migrate.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "store/migrate.h"
#include "store/store.h"

static const char usage[] =
	"usage: mlfy migrate SRC DST [--quiet]\n"
	"\n"
	"Copies the whole project SRC into the new project DST and verifies the\n"
	"copy.  Each of SRC and DST is a SQLite file or a PostgreSQL URI\n"
	"(postgresql://...): file -> URI, URI -> file, file -> file and URI -> URI\n"
	"all work.  SRC is opened read-only and read in one snapshot (servers may\n"
	"keep saving into it; later saves are not copied); it must be at this\n"
	"mlfy's schema version ('mlfy upgrade SRC' first otherwise).\n"
	"\n"
	"DST must be empty: a file that does not exist, or an existing PostgreSQL\n"
	"database (createdb DB) or schema holding no tables.  Every table is\n"
	"copied in foreign-key order with its ids, then each table's row count and\n"
	"checksum (BLAKE2b over its rows in key order) are computed on SRC and on\n"
	"DST and compared.  All or nothing: on PostgreSQL the schema and every row\n"
	"are one transaction, committed only when the checksums match; a file is\n"
	"written to a temporary file beside DST, committed, verified, fsync'd and\n"
	"only then linked to DST.  An interrupted or failed migration leaves no\n"
	"DST file and an empty database.\n"
	"\n"
	"Progress per table goes to stderr (not with --quiet or MLFY_NO_PROGRESS);\n"
	"stdout gets the table 'table  rows  checksum  ok' and a summary.\n"
	"\n"
	"Options:\n"
	"  -q, --quiet      no progress lines\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status: 0 when DST was written and verified; 1 otherwise (naming the\n"
	"first table that differs, or the error; DST then does not exist or stays\n"
	"empty), 130 when interrupted.\n";

static struct {
	int quiet;
} o;

static const struct cli_option options[] = {
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected SRC and DST");
	return 0;
}

static void on_table(void *ctx, char phase, const char *table, int64_t rows)
{
	(void)ctx;
	if (phase == 'c' && rows >= 0)
		fprintf(stderr, "migrate: copied %-20s %12lld rows\n", table, (long long)rows);
	else if (phase == 'v')
		fprintf(stderr, "migrate: checked %-20s %12lld rows\n", table, (long long)rows);
}

static void print_report(const struct mlfy_migrate_report *r)
{
	size_t i;
	int k;
	printf("%-20s %12s  %-16s  %s\n", "table", "rows", "checksum", "ok");
	for (i = 0; i < r->n; i++) {
		const struct mlfy_migrate_check *c = &r->t[i];
		char hex[17];
		for (k = 0; k < 8; k++)
			snprintf(hex + 2 * k, 3, "%02x", c->src_sum[k]);
		printf("%-20s %12lld  %s  %s", c->table, (long long)c->src_rows, hex, c->ok ? "ok" : "MISMATCH");
		if (!c->ok)
			printf(" (DST: %lld rows)", (long long)c->dst_rows);
		putchar('\n');
	}
}

static int run(struct cli_ctx *c)
{
	struct mlfy_migrate_opts mo = { NULL, NULL, c->cancel };
	struct mlfy_migrate_report *rep = calloc(1, sizeof(*rep));
	struct mlfy_err err;
	const char *np = getenv("MLFY_NO_PROGRESS");
	int rc;

	mlfy_err_clear(&err);
	if (!rep) {
		mlfy_err_oom(&err);
		return cli_report(c->name, &err);
	}
	if (!o.quiet && !(np && *np))
		mo.on_table = on_table;
	rc = mlfy_migrate(c->argv[0], c->argv[1], &mo, rep, &err);
	if (rc && rep->first_bad >= 0)
		print_report(rep);
	if (rc) {
		free(rep);
		return cli_report(c->name, &err);
	}
	print_report(rep);
	{
		char *from = mlfy_store_redacted(c->argv[0]), *to = mlfy_store_redacted(c->argv[1]);
		printf("%s: %lld rows in %zu tables copied from %s and verified in %.3f s (copy %.3f s)\n",
		       to ? to : "DST", (long long)rep->rows, rep->n, from ? from : "SRC", rep->seconds,
		       rep->copy_seconds);
		free(from);
		free(to);
	}
	free(rep);
	return 0;
}

const struct cli_builtin cmd_migrate = {
	.summary = "copy a project between SQLite and PostgreSQL, verified",
	.usage = usage, .options = options, .check = check, .run = run,
};

/* cmd_check.c - `mlfy check PROJECT`: verify a project file (schema version,
 * SQLite integrity check, foreign keys). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char cmd_check_summary[] = "verify a project file's schema and integrity";

static const char usage[] =
	"usage: mlfy check PROJECT\n"
	"\n"
	"Opens PROJECT read-only and verifies it: the schema version is one this\n"
	"mlfy understands, and SQLite's integrity check reports no problem.\n"
	"\n"
	"Exit status: 0 when the project is sound, 1 when a problem was found.\n"
	"\n"
	"Options:\n"
	"  -h, --help   show this help\n";

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_store *s;
	struct mlfy_err err;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		return cli_usage_error("check", "unknown option");
	}
	if (argc - optind != 1)
		return cli_usage_error("check", "expected one PROJECT argument");
	if (!(s = cli_open_project("check", argv[optind], MLFY_STORE_READONLY)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	if (mlfy_store_integrity_check(s, &err)) {
		mlfy_store_close(s);
		return cli_report("check", &err);
	}
	printf("%s: ok (schema version %d)\n", argv[optind], mlfy_store_schema_version(s));
	mlfy_store_close(s);
	return 0;
}

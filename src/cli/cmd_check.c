/* cmd_check.c - `mlfy check PROJECT`: verify a project file (schema version,
 * SQLite integrity check, foreign keys, the review tables' invariants). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/review_stats.h"

const char cmd_check_summary[] = "verify a project file's schema and integrity";

static const char usage[] =
	"usage: mlfy check PROJECT\n"
	"\n"
	"Opens PROJECT read-only and verifies it: the schema version is one this\n"
	"mlfy understands, SQLite's integrity check reports no problem, and the\n"
	"review tables keep their invariants (docs/schema.md): no image is both in\n"
	"the refinement queue and agreed, and every refined final set is the label\n"
	"set of a refinement of that image.  Queued images whose expert's latest\n"
	"refinement is not yet their final set are reported as a note (run\n"
	"'mlfy finalize'); 'mlfy serve' finalises each refinement as it saves it.\n"
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
	struct mlfy_review_check rc;
	struct mlfy_store *s;
	struct mlfy_err err;
	int c, schema;

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
	schema = mlfy_store_schema_version(s);
	if (mlfy_store_integrity_check(s, &err) || mlfy_review_check(s, &rc, &err)) {
		mlfy_store_close(s);
		return cli_report("check", &err);
	}
	mlfy_store_close(s);
	if (rc.queued_and_agreed)
		cli_error("check", "%s: %lld image(s) are both in the refinement queue and agreed", argv[optind],
			  (long long)rc.queued_and_agreed);
	if (rc.refined_without_refinement)
		cli_error("check", "%s: %lld refined final set(s) do not come from a refinement of their image",
			  argv[optind], (long long)rc.refined_without_refinement);
	if (rc.refined_set_differs)
		cli_error("check", "%s: %lld refined final set(s) differ from the refinement they name",
			  argv[optind], (long long)rc.refined_set_differs);
	if (rc.queued_and_agreed || rc.refined_without_refinement || rc.refined_set_differs)
		return MLFY_EXIT_FAIL;
	printf("%s: ok (schema version %d)\n", argv[optind], schema);
	if (rc.refinements_not_final)
		printf("note: %lld queued image(s) have a refinement that is not yet their final set;"
		       " run 'mlfy finalize %s'\n", (long long)rc.refinements_not_final, argv[optind]);
	return 0;
}

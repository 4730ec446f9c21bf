/* cmd_check.c - `mlfy check PROJECT`: verify a project file (schema version,
 * SQLite integrity check, foreign keys, the review tables' invariants). */
#include <stdio.h>

#include "cli/cli.h"
#include "store/progress.h"
#include "store/review_stats.h"
#include "store/verify.h"

static const char usage[] =
	"usage: mlfy check PROJECT\n"
	"\n"
	"Opens PROJECT read-only and verifies it: the schema version is one this\n"
	"mlfy understands, the engine's own check reports no problem (SQLite's\n"
	"integrity check; on PostgreSQL: no unvalidated constraint, invalid index\n"
	"or disabled trigger), and the\n"
	"review tables keep their invariants (docs/schema.md): no image is both in\n"
	"the refinement queue and agreed, and every refined final set is the label\n"
	"set of a refinement of that image; every verification answer is of a\n"
	"rater the question is assigned to, on a page of that rater and label,\n"
	"with no version missing before it; the per-person, per-batch counts of\n"
	"saved images (table progress_counts) equal a recount of the history.\n"
	"Queued images whose expert's latest\n"
	"refinement is not yet their final set are reported as a note (run\n"
	"'mlfy finalize'); 'mlfy serve' finalises each refinement as it saves it.\n"
	"\n"
	"Exit status: 0 when the project is sound, 1 when a problem was found.\n"
	"\n"
	"Options:\n"
	"  -h, --help   show this help\n";

static int check(struct cli_ctx *c)
{
	return c->argc != 1 ? cli_usage_error(c->name, "expected one PROJECT argument") : 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_review_check rc;
	struct mlfy_verify_check_counts vc;
	struct mlfy_err err;
	int64_t bad, progress = 0;
	int schema;

	mlfy_err_clear(&err);
	schema = mlfy_store_schema_version(c->store);
	if (mlfy_store_integrity_check(c->store, &err) || mlfy_review_check(c->store, &rc, &err) ||
	    mlfy_verify_check_store(c->store, &vc, &err) || mlfy_progress_check(c->store, &progress, &err))
		return cli_report(c->name, &err);
	if (vc.unassigned_answers)
		cli_error(c->name, "%s: %lld verification answer(s) by a rater the question is not assigned to",
			  c->project, (long long)vc.unassigned_answers);
	if (vc.page_mismatch)
		cli_error(c->name, "%s: %lld verification answer(s) on a page of another rater or label", c->project,
			  (long long)vc.page_mismatch);
	if (vc.version_gaps)
		cli_error(c->name, "%s: %lld verification answer(s) whose previous version is missing", c->project,
			  (long long)vc.version_gaps);
	if (vc.unknown_classes)
		cli_error(c->name, "%s: %lld verification question(s) about a label that is not a class", c->project,
			  (long long)vc.unknown_classes);
	if (progress)
		cli_error(c->name, "%s: %lld count(s) of saved images per person and batch (progress_counts)"
			  " differ from a recount of the annotations", c->project, (long long)progress);
	bad = vc.unassigned_answers + vc.page_mismatch + vc.version_gaps + vc.unknown_classes + progress;
	if (rc.queued_and_agreed)
		cli_error(c->name, "%s: %lld image(s) are both in the refinement queue and agreed", c->project,
			  (long long)rc.queued_and_agreed);
	if (rc.refined_without_refinement)
		cli_error(c->name, "%s: %lld refined final set(s) do not come from a refinement of their image",
			  c->project, (long long)rc.refined_without_refinement);
	if (rc.refined_set_differs)
		cli_error(c->name, "%s: %lld refined final set(s) differ from the refinement they name",
			  c->project, (long long)rc.refined_set_differs);
	if (rc.queued_and_agreed || rc.refined_without_refinement || rc.refined_set_differs || bad)
		return MLFY_EXIT_FAIL;
	printf("%s: ok (schema version %d)\n", c->project, schema);
	if (rc.refinements_not_final)
		printf("note: %lld queued image(s) have a refinement that is not yet their final set;"
		       " run 'mlfy finalize %s'\n", (long long)rc.refinements_not_final, c->project);
	return 0;
}

const struct cli_builtin cmd_check = {
	.summary = "verify a project's schema and integrity (a file or a postgresql:// URI)",
	.usage = usage, .check = check, .run = run,
};

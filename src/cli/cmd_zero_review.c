/* cmd_zero_review.c - `mlfy zero-review PROJECT IMAGE ...`: record an
 * expert's zero-label review of an image whose final set is empty, or list
 * the images awaiting one (review/review_tx.h, store/zero_label.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/class_label.h"
#include "review/review_tx.h"
#include "store/catalog.h"
#include "store/zero_label.h"

static const char usage[] =
	"usage: mlfy zero-review PROJECT IMAGE --expert NAME --category CATEGORY\n"
	"                        --verdict VERDICT [--comment TEXT]\n"
	"       mlfy zero-review PROJECT --list\n"
	"\n"
	"Images whose final label set is empty (the annotators and the expert\n"
	"found none of the proposals valid) get a zero-label review: why no label\n"
	"applies, and whether the expert agrees with the dataset's original label.\n"
	"The web page records it during refinement; this command records it from\n"
	"the command line.  Reviews are kept as a history; the latest counts.\n"
	"\n"
	"Categories:\n"
	"  no_valid_proposal        the object is clear but none of the proposed\n"
	"                           classes fits\n"
	"  low_resolution           too small or blurry to tell\n"
	"  fine_grained             needs a specialist (breeds, species, models)\n"
	"  unusual_object_or_view   an unusual object, part or viewpoint\n"
	"Verdicts on the original label: agree, disagree, unsure.\n"
	"\n"
	"Options:\n"
	"  -e, --expert NAME     the reviewing expert's account (role expert or admin)\n"
	"  -c, --category C      one of the categories above\n"
	"  -v, --verdict V       agree, disagree or unsure\n"
	"  -m, --comment TEXT    free text\n"
	"  -l, --list            list the images awaiting a zero-label review\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy zero-review val.mlfy ILSVRC2012_val_00000123.JPEG --expert alice \\\n"
	"      --category fine_grained --verdict unsure --comment \"a rare terrier?\"\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is recorded), 2 on a bad\n"
	"command line.\n";

static struct {
	const char *expert, *category, *verdict, *comment;
	int list;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('e', "expert", &o.expert),
	CLI_OPT_STRING('c', "category", &o.category),
	CLI_OPT_STRING('v', "verdict", &o.verdict),
	CLI_OPT_STRING('m', "comment", &o.comment),
	CLI_OPT_FLAG('l', "list", &o.list),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (o.list) {
		c->readonly = 1;
		return c->argc != 1 ? cli_usage_error(c->name, "--list takes one PROJECT argument") : 0;
	}
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected PROJECT and IMAGE arguments");
	if (!o.expert || !o.category || !o.verdict)
		return cli_usage_error(c->name, "--expert, --category and --verdict are required");
	if (mlfy_zero_category_index(o.category) < 0)
		return cli_usage_error(c->name, "unknown category '%s' (no_valid_proposal, low_resolution,"
				       " fine_grained, unusual_object_or_view)", o.category);
	if (mlfy_zero_verdict_index(o.verdict) < 0)
		return cli_usage_error(c->name, "unknown verdict '%s' (agree, disagree, unsure)", o.verdict);
	return 0;
}

/* --list: the images whose empty final set awaits a review */
static int list_pending(struct cli_ctx *c)
{
	struct mlfy_err err;
	int64_t *ids = NULL;
	size_t n = 0, i;

	mlfy_err_clear(&err);
	if (mlfy_review_zero_pending(c->store, &ids, &n, &err))
		return cli_report(c->name, &err);
	printf("%s: %zu images await a zero-label review\n", c->project, n);
	for (i = 0; i < n; i++) {
		struct mlfy_image img;
		char cls[256];
		memset(&img, 0, sizeof(img));
		if (mlfy_catalog_image_by_id(c->store, ids[i], &img, &err)) {
			free(ids);
			return cli_report(c->name, &err);
		}
		printf("  %s  (original label: %s)\n", img.name,
		       img.original_label >= 0 ? mlfy_class_label(c->store, img.original_label, cls, sizeof(cls)) : "none");
		mlfy_image_release(&img);
	}
	free(ids);
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_err err;

	if (o.list)
		return list_pending(c);
	mlfy_err_clear(&err);
	if (mlfy_zero_review_record(c->store, c->argv[1], o.expert, o.category, o.verdict, o.comment, &err))
		return cli_report(c->name, &err);
	printf("%s: zero-label review of %s recorded (%s, original label: %s)\n", c->project, c->argv[1], o.category,
	       o.verdict);
	return 0;
}

const struct cli_builtin cmd_zero_review = {
	.summary = "record or list zero-label reviews (images with no valid label)",
	.usage = usage, .options = options, .check = check, .run = run,
};

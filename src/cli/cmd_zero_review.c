/* cmd_zero_review.c - `mlfy zero-review PROJECT IMAGE ...`: record an
 * expert's zero-label review of an image whose final set is empty, or list
 * the images awaiting one (store/review.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "store/accounts.h"
#include "store/zero_label.h"
#include "store/catalog.h"

const char cmd_zero_review_summary[] = "record or list zero-label reviews (images with no valid label)";

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

static int list_pending(struct mlfy_store *s, const char *project)
{
	struct mlfy_err err;
	int64_t *ids = NULL;
	size_t n = 0, i;

	mlfy_err_clear(&err);
	if (mlfy_review_zero_pending(s, &ids, &n, &err))
		return cli_report("zero-review", &err);
	printf("%s: %zu images await a zero-label review\n", project, n);
	for (i = 0; i < n; i++) {
		struct mlfy_image img;
		char cls[256];
		memset(&img, 0, sizeof(img));
		if (mlfy_catalog_image_by_id(s, ids[i], &img, &err)) {
			free(ids);
			return cli_report("zero-review", &err);
		}
		printf("  %s  (original label: %s)\n", img.name,
		       img.original_label >= 0 ? rcli_class(s, img.original_label, cls, sizeof(cls)) : "none");
		mlfy_image_release(&img);
	}
	free(ids);
	return 0;
}

int cmd_zero_review(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "expert", required_argument, NULL, 'e' },
		{ "category", required_argument, NULL, 'c' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "comment", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *expert = NULL, *category = NULL, *verdict = NULL, *comment = NULL;
	struct mlfy_store *s;
	struct mlfy_user who;
	struct mlfy_err err;
	int64_t image_id;
	int c, list = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:c:v:m:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'e': expert = optarg; break;
		case 'c': category = optarg; break;
		case 'v': verdict = optarg; break;
		case 'm': comment = optarg; break;
		case 'l': list = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("zero-review", "unknown option");
		}
	}
	if (list) {
		if (argc - optind != 1)
			return cli_usage_error("zero-review", "--list takes one PROJECT argument");
		if (!(s = cli_open_project("zero-review", argv[optind], MLFY_STORE_READONLY)))
			return MLFY_EXIT_FAIL;
		rc = list_pending(s, argv[optind]);
		mlfy_store_close(s);
		return rc;
	}
	if (argc - optind != 2)
		return cli_usage_error("zero-review", "expected PROJECT and IMAGE arguments");
	if (!expert || !category || !verdict)
		return cli_usage_error("zero-review", "--expert, --category and --verdict are required");
	if (mlfy_zero_category_index(category) < 0)
		return cli_usage_error("zero-review", "unknown category '%s' (no_valid_proposal, low_resolution,"
				       " fine_grained, unusual_object_or_view)", category);
	if (mlfy_zero_verdict_index(verdict) < 0)
		return cli_usage_error("zero-review", "unknown verdict '%s' (agree, disagree, unsure)", verdict);
	if (!(s = cli_open_project("zero-review", argv[optind], 0)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	memset(&who, 0, sizeof(who));
	if (mlfy_catalog_image_id(s, argv[optind + 1], &image_id, &err) || mlfy_users_get(s, expert, &who, &err) ||
	    mlfy_store_begin(s, &err) ||
	    mlfy_review_zero_add(s, image_id, who.id, category, verdict, comment, NULL, &err) ||
	    mlfy_store_commit(s, &err)) {
		mlfy_store_rollback(s);
		mlfy_user_release(&who);
		mlfy_store_close(s);
		return cli_report("zero-review", &err);
	}
	mlfy_user_release(&who);
	printf("%s: zero-label review of %s recorded (%s, original label: %s)\n", argv[optind], argv[optind + 1],
	       category, verdict);
	mlfy_store_close(s);
	return 0;
}

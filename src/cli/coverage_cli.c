/* coverage_cli.c - the proposal-coverage section of `mlfy stats PROJECT`
 * (see coverage_cli.h). */
#include "cli/coverage_cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "evaluate/coverage.h"
#include "util/numfmt.h"

/* the k shown in the text summary */
static const int shown_k[] = { 1, 2, 3, 5, 8, 10, 15, 20 };

static void row(const struct mlfy_coverage *c, const char *title, int bucket, int full)
{
	size_t i;
	char p[32];
	printf("  %-28s", title);
	for (i = 0; i < sizeof(shown_k) / sizeof(shown_k[0]); i++) {
		int k = shown_k[i];
		if (k > c->k_max)
			break;
		printf(" %8s", mlfy_fmt_pct(p, sizeof(p), full ? mlfy_coverage_full(c, bucket, k)
							     : mlfy_coverage_share(c, bucket, k),
					    1, 1));
	}
	putchar('\n');
}

int cli_print_coverage(const char *cmd, const char *project)
{
	struct mlfy_store *s;
	struct mlfy_coverage *c;
	struct mlfy_err err;
	char *model = NULL, a[32], b[32], p[32];
	size_t i;
	int rc, k;

	if (!(c = malloc(sizeof(*c))))
		return cli_error(cmd, "out of memory");
	if (!(s = cli_open_project(cmd, project, MLFY_STORE_READONLY))) {
		free(c);
		return MLFY_EXIT_FAIL;
	}
	mlfy_err_clear(&err);
	rc = mlfy_coverage_from_project(s, NULL, 20, 3, c, &model, &err);
	mlfy_store_close(s);
	if (rc == MLFY_ENOTFOUND) {   /* no proposal model: nothing to say */
		free(c);
		return 0;
	}
	if (rc) {
		free(c);
		return cli_report(cmd, &err);
	}
	if (!c->n_labels) {
		free(model);
		free(c);
		return 0;
	}
	printf("\nproposal coverage: final labels among the top-k proposals of '%s'\n", model);
	printf("  (%s decided images with proposals, %s final labels",
	       mlfy_fmt_count(a, sizeof(a), c->n_images), mlfy_fmt_count(b, sizeof(b), c->n_labels));
	if (c->n_no_proposals)
		printf("; %s decided images without proposals left out",
		       mlfy_fmt_count(a, sizeof(a), c->n_no_proposals));
	printf(")\n  %-28s", "k =");
	for (i = 0; i < sizeof(shown_k) / sizeof(shown_k[0]) && shown_k[i] <= c->k_max; i++)
		printf(" %8d", shown_k[i]);
	putchar('\n');
	row(c, "all final labels", 0, 0);
	row(c, "  images with 1 label", 1, 0);
	row(c, "  images with 2 labels", 2, 0);
	row(c, "  images with 3 labels", 3, 0);
	row(c, "  images with >3 labels", 4, 0);
	row(c, "images fully covered", 0, 1);
	printf("  outside the top-%d (added through the class search): %s\n", c->k_max,
	       mlfy_fmt_pct(p, sizeof(p), mlfy_coverage_outside(c, 0), 2, 1));
	if ((k = mlfy_coverage_k_for(c, 0.99)))
		printf("  99 %% of the final labels are within the top-%d\n", k);
	free(model);
	free(c);
	return 0;
}

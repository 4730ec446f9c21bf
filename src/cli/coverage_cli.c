/* coverage_cli.c - the proposal-coverage section of `mlfy stats PROJECT`
 * (see coverage_cli.h). */
#include "cli/coverage_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>

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

/* The coverage of the project's active proposal model (top-20, buckets
 * 1, 2, 3, >3) into *out and *model (both to free), or *out = NULL when
 * there is nothing to report.  Returns 0 or an exit status after printing
 * the error. */
static int load(const char *cmd, const char *project, struct mlfy_coverage **out, char **model)
{
	struct mlfy_store *s;
	struct mlfy_coverage *c;
	struct mlfy_err err;
	int rc;

	*out = NULL;
	*model = NULL;
	if (!(c = malloc(sizeof(*c))))
		return cli_error(cmd, "out of memory");
	if (!(s = cli_open_project(cmd, project, MLFY_STORE_READONLY))) {
		free(c);
		return MLFY_EXIT_FAIL;
	}
	mlfy_err_clear(&err);
	rc = mlfy_coverage_from_project(s, NULL, 20, 3, c, model, &err);
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
		free(*model);
		*model = NULL;
		free(c);
		return 0;
	}
	*out = c;
	return 0;
}

/* a share as a percentage, null when undefined */
static json_t *jpct(double share)
{
	return share == share ? json_real(100 * share) : json_null();
}

int cli_coverage_json(const char *cmd, const char *project, json_t **out)
{
	struct mlfy_coverage *c;
	char *model;
	json_t *o, *rows;
	int rc, k;

	*out = NULL;
	if ((rc = load(cmd, project, &c, &model)) || !c)
		return rc;
	o = json_object();
	rows = json_array();
	json_object_set_new(o, "model", json_string(model));
	json_object_set_new(o, "images", json_integer((json_int_t)c->n_images));
	json_object_set_new(o, "images_without_proposals", json_integer((json_int_t)c->n_no_proposals));
	json_object_set_new(o, "labels", json_integer((json_int_t)c->n_labels));
	json_object_set_new(o, "k_max", json_integer(c->k_max));
	for (k = 1; k <= c->k_max; k++)
		json_array_append_new(rows, json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "k", k,
						      "labels", jpct(mlfy_coverage_share(c, 0, k)),
						      "labels_of_1", jpct(mlfy_coverage_share(c, 1, k)),
						      "labels_of_2", jpct(mlfy_coverage_share(c, 2, k)),
						      "labels_of_3", jpct(mlfy_coverage_share(c, 3, k)),
						      "labels_of_more_than_3",
						      jpct(mlfy_coverage_share(c, 4, k)),
						      "images_fully_covered",
						      jpct(mlfy_coverage_full(c, 0, k))));
	json_object_set_new(o, "by_k", rows);
	json_object_set_new(o, "outside_percent", jpct(mlfy_coverage_outside(c, 0)));
	k = mlfy_coverage_k_for(c, 0.99);
	json_object_set_new(o, "k_for_99_percent", k ? json_integer(k) : json_null());
	free(model);
	free(c);
	*out = o;
	return 0;
}

int cli_print_coverage(const char *cmd, const char *project)
{
	struct mlfy_coverage *c;
	char *model, a[32], b[32], p[32];
	size_t i;
	int rc, k;

	if ((rc = load(cmd, project, &c, &model)) || !c)
		return rc;
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

/* timm_cli.c - reading and joining two timm results tables for `mlfy fit`,
 * `mlfy report` and `mlfy select-model`, with the same warnings in each
 * (see timm_cli.h). */
#include "cli/timm_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "evaluate/timm.h"
#include "util/numfmt.h"

int cli_timm_scores(const char *cmd, const char *a_path, const char *b_path, int by_size,
		    int strict, struct mlfy_model_scores *s)
{
	struct mlfy_timm_table a, b;
	struct mlfy_timm_join j;
	struct mlfy_err err;
	char n1[32], n2[32];
	int rc;

	mlfy_err_clear(&err);
	if (mlfy_timm_read(a_path, &a, &err))
		return cli_report(cmd, &err);
	if (mlfy_timm_read(b_path, &b, &err)) {
		mlfy_timm_table_release(&a);
		return cli_report(cmd, &err);
	}
	rc = mlfy_timm_join(&a, &b, by_size > 0 ? MLFY_TIMM_BY_MODEL_SIZE : MLFY_TIMM_BY_MODEL, &j,
			    &err);
	if (rc) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	if (j.only_a)
		cli_warn(cmd, "%s model%s only in %s, left out (first: '%s')",
			 mlfy_fmt_count(n1, sizeof(n1), j.only_a), j.only_a == 1 ? "" : "s", a_path,
			 j.first_only_a);
	if (j.only_b)
		cli_warn(cmd, "%s model%s only in %s, left out (first: '%s')",
			 mlfy_fmt_count(n1, sizeof(n1), j.only_b), j.only_b == 1 ? "" : "s", b_path,
			 j.first_only_b);
	if (j.dup_a || j.dup_b)
		cli_warn(cmd, "models listed at several image sizes: %s extra row%s in %s and %s "
				"in %s; the last row of each model is used%s",
			 mlfy_fmt_count(n1, sizeof(n1), j.dup_a), j.dup_a == 1 ? "" : "s", a_path,
			 mlfy_fmt_count(n2, sizeof(n2), j.dup_b), b_path,
			 by_size < 0 ? "" : " (--by-size keeps all)");
	if (j.size_mismatch)
		cli_warn(cmd, "%zu joined model%s were evaluated at different image sizes in the "
				"two tables",
			 j.size_mismatch, j.size_mismatch == 1 ? "" : "s");
	if (strict && (j.only_a || j.only_b)) {
		rc = cli_error(cmd, "--strict: the tables do not list the same models");
		goto out;
	}
	if (mlfy_model_scores_from_timm(&j, s, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	free(s->source);
	if (asprintf(&s->source, "timm: %s vs %s", b_path, a_path) < 0)
		s->source = NULL;
	rc = s->source ? 0 : cli_error(cmd, "out of memory");
out:
	mlfy_timm_join_release(&j);
	mlfy_timm_table_release(&a);
	mlfy_timm_table_release(&b);
	return rc;
}

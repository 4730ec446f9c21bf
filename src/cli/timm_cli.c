/* timm_cli.c - the warnings of a timm table join, the same in `mlfy fit`,
 * `mlfy report` and `mlfy select-model` (see timm_cli.h). */
#include "cli/timm_cli.h"

#include "cli/cli.h"
#include "evaluate/timm_scores.h"
#include "util/numfmt.h"

int cli_timm_scores(const char *cmd, const char *a_path, const char *b_path, int by_size,
		    int strict, struct mlfy_model_scores *s)
{
	struct mlfy_timm_summary j;
	struct mlfy_err err;
	char n1[32], n2[32];
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_timm_scores(a_path, b_path, by_size > 0 ? MLFY_TIMM_BY_MODEL_SIZE : MLFY_TIMM_BY_MODEL, s, &j,
			     &err)) {
		mlfy_timm_summary_release(&j);
		return cli_report(cmd, &err);
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
		mlfy_model_scores_release(s);
		rc = cli_error(cmd, "--strict: the tables do not list the same models");
	}
	mlfy_timm_summary_release(&j);
	return rc;
}

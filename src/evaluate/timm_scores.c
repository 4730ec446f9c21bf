/* timm_scores.c - scores from two joined timm results tables (see
 * timm_scores.h). */
#include "evaluate/timm_scores.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlfy_timm_summary_release(struct mlfy_timm_summary *sum)
{
	MLFY_FREE_ALL(sum->first_only_a, sum->first_only_b);
	memset(sum, 0, sizeof(*sum));
}

int mlfy_timm_scores(const char *a_path, const char *b_path, int key, struct mlfy_model_scores *s,
		     struct mlfy_timm_summary *sum, struct mlfy_err *err)
{
	struct mlfy_timm_table a, b;
	struct mlfy_timm_join j;
	int rc;

	memset(sum, 0, sizeof(*sum));
	memset(&j, 0, sizeof(j));
	if ((rc = mlfy_timm_read(a_path, &a, err)))
		return rc;
	if ((rc = mlfy_timm_read(b_path, &b, err))) {
		mlfy_timm_table_release(&a);
		return rc;
	}
	if ((rc = mlfy_timm_join(&a, &b, key, &j, err)))
		goto out;
	sum->only_a = j.only_a;
	sum->only_b = j.only_b;
	sum->dup_a = j.dup_a;
	sum->dup_b = j.dup_b;
	sum->size_mismatch = j.size_mismatch;
	if ((j.first_only_a && !(sum->first_only_a = strdup(j.first_only_a))) ||
	    (j.first_only_b && !(sum->first_only_b = strdup(j.first_only_b)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	if ((rc = mlfy_model_scores_from_timm(&j, s, err)))
		goto out;
	free(s->source);
	if (asprintf(&s->source, "timm: %s vs %s", b_path, a_path) < 0) {
		s->source = NULL;
		rc = mlfy_err_oom(err);
	}
out:
	mlfy_timm_join_release(&j);
	mlfy_timm_table_release(&a);
	mlfy_timm_table_release(&b);
	return rc;
}

/* timm_cli.h - two timm results tables read and joined on the model name
 * (evaluate/timm_scores.h) with the same warnings in `mlfy fit`, `mlfy
 * report` and `mlfy select-model`.  Part of src/cli. */
#ifndef MLFY_CLI_TIMM_CLI_H
#define MLFY_CLI_TIMM_CLI_H

#include "evaluate/scores.h"

/* Reads tables a_path (x: top-1) and b_path (y: ReaL), joins them on the
 * model (by_size > 0: on (model, img_size); by_size < 0: on the model, for a
 * command without --by-size, which the warnings then do not suggest) and
 * fills *s (release with mlfy_model_scores_release).  Warns as `mlfy cmd`
 * with counts and a first example about models in one table only (an
 * error when strict), extra rows of models listed at several image sizes,
 * and joined models evaluated at different sizes.  Returns 0, or an exit
 * status after printing the error. */
int cli_timm_scores(const char *cmd, const char *a_path, const char *b_path, int by_size,
		    int strict, struct mlfy_model_scores *s);

#endif

/* dashboard.h - the admin dashboard's numbers (dashboard.c). */
#ifndef MLFY_STORE_DASHBOARD_H
#define MLFY_STORE_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>
#include "store/review_stats.h"
#include "store/store.h"

struct mlfy_dash_row {
	int batch;
	int64_t annotator_id;
	char *annotator;          /* owned */
	int64_t assigned;         /* images in the batch */
	int64_t done;             /* of those, with a saved stage-ii annotation */
	double median_seconds;    /* median time on image over done images (0 when none) */
	double labels_per_image;  /* mean label count over done images (0 when none) */
	int64_t empty;            /* done images saved as "none of these" */
};

struct mlfy_dashboard {
	struct mlfy_dash_row *rows;  /* owned, ordered by (batch, annotator name) */
	size_t n_rows;
	int64_t n_images;            /* images in the project */
	struct mlfy_review_stats review;  /* final labels by stage, the refinement queue
					   * and zero-label reviews (mlfy_review_stats_get) */
};

void mlfy_dashboard_release(struct mlfy_dashboard *d);

/* Per batch x annotator progress of stage ii, plus the review counts of
 * mlfy_review_stats_get (one read snapshot for both). */
int mlfy_dashboard_get(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err);
#endif

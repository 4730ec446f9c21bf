/* aggregations.h - reading the stored aggregation results (table
 * aggregations, written by votes.h's mlfy_aggregations_put) with their
 * questions, for exports (aggregations.c). */
#ifndef MLFY_STORE_AGGREGATIONS_H
#define MLFY_STORE_AGGREGATIONS_H

#include <stdint.h>
#include "store/store.h"

/* One stored result: the question (image name, class index) and the
 * method's posterior P(label applies), decision and threshold. */
struct mlfy_aggregation_row {
	int64_t question_id;
	const char *image;
	int class_idx;
	double posterior;
	int label;
	double threshold;
};

typedef int (*mlfy_aggregation_cb)(const struct mlfy_aggregation_row *r, void *ctx);

/* Calls cb for every stored result of method ("majority" or
 * "dawid-skene") in question-id order (the order of
 * mlfy_vote_set_from_store's questions).  Pointers are borrowed for the
 * call.  A non-zero return from cb stops the walk and is returned.  cb must
 * not write to the store.  Errors: store errors. */
int mlfy_aggregations_foreach(struct mlfy_store *s, const char *method, mlfy_aggregation_cb cb, void *ctx,
			      struct mlfy_err *err);

#endif

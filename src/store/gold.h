/* gold.h - gold images and gold tasks (gold.c): images whose true label
 * set is known (tables gold_images, gold_labels), and where each one sits
 * in an annotator's stage-ii queue (gold_tasks).  A gold task is answered
 * like any other stage-ii task and kept in the annotation history; its
 * answer is scored against the gold set (review/quality.h) and never
 * counts toward the image's agreement or final set: stage iii reads only
 * the answers of the annotators assigned to an image's batch
 * (store/review_input.h), and the refinement view likewise
 * (mlfy_annotations_of_image).  Writes need an open transaction. */
#ifndef MLFY_STORE_GOLD_H
#define MLFY_STORE_GOLD_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Makes image_id a gold image with the set cls[0..n) (class indices,
 * any order, no repeats; n == 0: the empty set), replacing the set of an
 * image that is gold already.  source names where the set came from (a
 * file path, or "final"); annotation_id is the annotation the set was taken
 * from (for "final", the deciding refinement), 0 for none: that one answer
 * is never scored against it (review/quality.h).  *replaced (may be NULL) = 1 when it was gold
 * already.  MLFY_EINVAL: unknown class (naming it), no transaction. */
int mlfy_gold_put(struct mlfy_store *s, int64_t image_id, const int32_t *cls, size_t n, const char *source,
		  int64_t annotation_id, int *replaced, struct mlfy_err *err);

/* Stops image_id being gold: its set goes, and so do the gold tasks not
 * yet answered (*dropped_tasks, may be NULL); answered ones stay, so the
 * answers still never count toward agreement.  MLFY_ENOTFOUND when it is
 * not gold. */
int mlfy_gold_remove(struct mlfy_store *s, int64_t image_id, int64_t *dropped_tasks, struct mlfy_err *err);

struct mlfy_gold {
	int64_t image_id;
	char *name;          /* owned: image name */
	char *source;        /* owned */
	char added_at[32];
	int32_t *labels;     /* owned, ascending; NULL when empty */
	size_t n_labels;
	int64_t tasks;       /* gold tasks placed */
	int64_t answered;    /* of which answered */
};

void mlfy_gold_list_free(struct mlfy_gold *g, size_t n);

/* Every gold image by name into *out (mlfy_gold_list_free). */
int mlfy_gold_list(struct mlfy_store *s, struct mlfy_gold **out, size_t *n, struct mlfy_err *err);

/* The gold set of image_id (ascending, *cls new, free()): 0, or
 * MLFY_ENOTFOUND when the image is not gold. */
int mlfy_gold_set(struct mlfy_store *s, int64_t image_id, int32_t **cls, size_t *n, struct mlfy_err *err);

/* The gold images annotator_id may be given: gold, not in a batch assigned
 * to them, not already one of their gold tasks; ascending ids into *ids
 * (new array, free()). */
int mlfy_gold_candidates(struct mlfy_store *s, int64_t annotator_id, int64_t **ids, size_t *n,
			 struct mlfy_err *err);

/* Places gold image image_id in annotator_id's queue before their own
 * stage-ii image number position (0-based in their batch order), seq
 * ordering gold tasks at one position.  MLFY_ECONFLICT when it is theirs
 * already. */
int mlfy_gold_task_add(struct mlfy_store *s, int64_t annotator_id, int64_t image_id, int64_t position,
		       int64_t seq, struct mlfy_err *err);

/* Number of gold tasks of annotator_id. */
int mlfy_gold_task_count(struct mlfy_store *s, int64_t annotator_id, int64_t *n, struct mlfy_err *err);

/* 1 when (annotator_id, image_id) is a gold task, 0 when not, a negative
 * MLFY_* code on error. */
int mlfy_gold_task_is(struct mlfy_store *s, int64_t annotator_id, int64_t image_id, struct mlfy_err *err);

/* One gold task of a queue, as mlfy_tasks_list merges them. */
struct mlfy_gold_task {
	int64_t image_id;
	int64_t position, seq;
	int done;            /* answered (a stage-ii save by this annotator) */
};

/* annotator_id's gold tasks by (position, seq) into *out (new array,
 * free()). */
int mlfy_gold_tasks_of(struct mlfy_store *s, int64_t annotator_id, struct mlfy_gold_task **out, size_t *n,
		       struct mlfy_err *err);
#endif

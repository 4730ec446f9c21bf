/* taskpage.h - one window of a person's task list with the list's exact
 * counts (taskpage.c): what GET /api/tasks sends, so that what a page load
 * fetches does not grow with the project.  The list and its order are
 * mlfy_tasks_list's (store/taskview.h): stage ii, the images of the
 * assigned batches by batch (within a batch by id, or in a keyed-shuffled
 * order when the person has gold tasks) with the gold tasks placed at their
 * positions; stage iv, the expert's refinement-queue rows by image name.
 * Reads only, in one read snapshot.
 *
 * Cost of one call in stage ii (n = the project's images, w = the window,
 * g = the person's gold tasks, B = their assigned batches, b = one batch's
 * images, d = their stage-ii saves): the window O(w log n) (+ the sort of
 * the batches it touches when the order is shuffled), the total O(B) with
 * every batch size counted once per struct mlfy_batch_sizes until an image
 * is added, the position of an image O(b log n), n_done O(B') from the
 * person's per-batch counts of saved images (table progress_counts, kept
 * by the schema's trigger: store/progress.h; B' = the batches they saved
 * in, gold images' included), and the gold list O(g); "the first open
 * task" (MLFY_TASKS_AT_OPEN) skips the batches whose count equals their
 * size and walks one batch up to its first open image: O(B + b), not the
 * person's saves.  Stage iv reads the whole queue (O(queue)). */
#ifndef MLFY_STORE_TASKPAGE_H
#define MLFY_STORE_TASKPAGE_H

#include <stddef.h>
#include <stdint.h>
#include "store/annotations.h"
#include "store/store.h"

/* Batch sizes counted so far, kept by the caller between calls and valid
 * while no image is added: images are never deleted nor moved to another
 * batch, and a new image raises MAX(images.id) (the stamp), which empties
 * the cache.  Zero-initialise it; one call at a time uses it (the caller
 * locks); free with mlfy_batch_sizes_release. */
struct mlfy_batch_sizes {
	int64_t stamp;        /* MAX(images.id) when the sizes were counted */
	int64_t *batch, *n;   /* owned: batch numbers ascending, their image counts */
	size_t len, cap;
};

void mlfy_batch_sizes_release(struct mlfy_batch_sizes *bs);

/* Where the window goes. */
enum mlfy_task_anchor {
	MLFY_TASKS_AT_OFFSET = 0,   /* arg = the list position of the window's first task */
	MLFY_TASKS_AT_IMAGE = 1,    /* arg = an image id: the window holds it */
	MLFY_TASKS_AT_OPEN = 2      /* the first task without a saved decision (arg unused) */
};

struct mlfy_task_page {
	int64_t total;          /* tasks in the whole list */
	int64_t n_done;         /* of them with a saved decision (stage ii: a save of the person;
				 * stage iv: a final set by refinement) */
	int64_t offset;         /* list position (0-based) of image_ids[0] */
	int64_t position;       /* AT_IMAGE: the image's list position; AT_OPEN: the first open
				 * task's, or -1 when every task is done; AT_OFFSET: -1 */
	int64_t *image_ids;     /* owned: the window, n ids in list order */
	unsigned char *done;    /* owned: done[i] = 1 when image_ids[i] is done */
	size_t n;
};

void mlfy_task_page_release(struct mlfy_task_page *p);

/* The window of at most limit (>= 1) tasks of user_id in stage st: from
 * arg (AT_OFFSET; past the end: an empty window at that offset), or
 * around the anchor (AT_IMAGE, AT_OPEN: a quarter of the window before it,
 * as far as the list allows; AT_OPEN with nothing open: the list's last
 * tasks).  bs may be NULL (every size counted anew).  Errors: MLFY_EINVAL
 * for limit 0 or a negative offset, MLFY_ENOTFOUND when the AT_IMAGE image
 * is not in the list (the message names "around"), MLFY_ESTORE/MLFY_EIO
 * from the store. */
int mlfy_tasks_page(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st, enum mlfy_task_anchor at,
		    int64_t arg, size_t limit, struct mlfy_batch_sizes *bs, struct mlfy_task_page *out,
		    struct mlfy_err *err);

#endif

/* gold.h - the rules of gold images (gold.c): taking the refined images'
 * final sets as gold, and placing gold images in the annotators' stage-ii
 * queues (`mlfy assign --gold-first N --gold-rate P`).  The tables are
 * store/gold.h's; a label file of gold sets is read by ingest/gold_file.h.
 *
 * Placement (the design of Labelbox's "benchmarks" and CVAT's ground-truth
 * jobs): for an annotator with m images of their own in stage ii, N gold
 * images go first, then g = round(m P / (1 - P)) more at positions drawn
 * uniformly (with replacement) among the m gaps after each own image, so
 * that gold tasks make up about a share P of what follows the first N.
 * Gold images are drawn without replacement in a random order; never one
 * of the annotator's own batches, never one they already have.  The
 * draws use GSL's MT19937 seeded with seed + annotator id, so a run is
 * reproducible.  An annotator who already has gold tasks is left as they
 * are (a re-run after adding people only places gold for the new ones). */
#ifndef MLFY_REVIEW_GOLD_H
#define MLFY_REVIEW_GOLD_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store/assign.h"
#include "store/gold.h"
#include "store/store.h"

/* Every image decided by refinement (final stage "refined") becomes gold
 * with its final set (source "final"), except images that are gold
 * already: their set (say, from a curated file) is kept.  *added / *kept
 * count them.  One transaction. */
int mlfy_gold_from_final(struct mlfy_store *s, int64_t *added, int64_t *kept, struct mlfy_err *err);

/* Stops the images named names[0..n) (image names) being gold, in one
 * transaction: all or nothing (a name given twice counts once).  *removed
 * counts the images, *dropped
 * counts the unanswered gold tasks
 * that went (store/gold.h mlfy_gold_remove).  MLFY_ENOTFOUND naming an
 * unknown image or one that is not gold. */
int mlfy_gold_remove_names(struct mlfy_store *s, const char *const *names, size_t n, int64_t *removed,
			   int64_t *dropped, struct mlfy_err *err);

struct mlfy_gold_placed {
	char *annotator;     /* owned */
	int64_t own;         /* own stage-ii images */
	int64_t placed;      /* gold tasks placed by this run */
	int64_t had;         /* gold tasks they had before (then placed is 0) */
	int64_t wanted;      /* N + g; placed < wanted when gold images ran out */
};

void mlfy_gold_placed_free(struct mlfy_gold_placed *p, size_t n);

/* The gold images g[0..n) (store/gold.h mlfy_gold_list) as the JSON of
 * `mlfy gold list --json` and of the console: {"gold_images": n, "gold":
 * [{"image", "labels": [class indices], "source", "added_at", "tasks",
 * "answered"}]}.  A new reference, NULL when out of memory. */
json_t *mlfy_gold_list_json(const struct mlfy_gold *g, size_t n);

struct mlfy_gold_opts {
	int per_image;       /* > 0: first give every batch to per_image annotators
			      * (store/assign.h) in the same transaction; 0: leave the batches */
	int first;           /* N >= 0 */
	double rate;         /* P in [0, 1) */
	uint64_t seed;
	int dry_run;         /* 1: do everything, report it, then roll back: nothing is written
			      * (the preview of the console and of `mlfy assign --dry-run`) */
};

/* Places gold tasks as above for every annotator with stage-ii images (the
 * named ones names[0..n) when n > 0), after the batch assignment of
 * opts->per_image, all in one transaction: nothing is written on any error
 * (nor with opts->dry_run, whose reports say what a run would do).
 * *rep (may be NULL) receives the batch assignment's report when
 * per_image > 0 (mlfy_assign_report_release); one row per annotator into
 * *out (mlfy_gold_placed_free).  Errors: MLFY_EINVAL for first < 0, rate
 * outside [0, 1), a project without gold images, or an annotator for whom
 * fewer gold images than wanted are outside their own batches (naming
 * them and the counts); those of mlfy_assign_batches_tx; MLFY_ENOTFOUND for
 * an unknown name. */
int mlfy_gold_assign(struct mlfy_store *s, const struct mlfy_gold_opts *opts, const char *const *names, size_t n,
		     struct mlfy_assign_report *rep, struct mlfy_gold_placed **out, size_t *n_out,
		     struct mlfy_err *err);
#endif

/* review.h - typed access for stages (iii) and (iv) and the vote data
 * (SQLite backend in review.c): the stage-ii annotations as the analysis
 * reads them, the refinement queue and its experts, finalisation of refined
 * images, zero-label reviews, raw votes (questions/votes tables) and
 * aggregation results, review counts for `mlfy stats`, and a streaming
 * export cursor.
 *
 * Writes need an open transaction (mlfy_store_begin) and return MLFY_EINVAL
 * otherwise.  Callback iterations borrow every pointer they pass for the
 * duration of the call only.  Structs filled by getters own their strings;
 * release them with the matching *_release (which accept zeroed structs).
 *
 * Tables: refinement_queue, final_status, final_labels, zero_label_reviews,
 * questions, votes, aggregations (src/store/schema.c, docs/review.md).
 */
#ifndef MLFY_STORE_REVIEW_H
#define MLFY_STORE_REVIEW_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* ---- stage-ii annotations as stage iii reads them -------------------------- */

/* One assigned annotator of an image and their current stage-ii answer. */
struct mlfy_review_annotation {
	int64_t annotator_id;
	const char *annotator;     /* account name */
	int64_t annotation_id;     /* current stage-ii version; 0 = not annotated yet */
	int64_t model_id;          /* whose proposals were shown; 0 = unknown */
	const int32_t *labels;     /* chosen classes, strictly ascending */
	size_t n_labels;
	const int32_t *shown;      /* classes proposed by model_id for the image,
				      strictly ascending (what the page showed) */
	size_t n_shown;
	const char *comment;       /* "" when none */
	double seconds;            /* time on image */
};

/* One image with everything the analysis needs. */
struct mlfy_review_image {
	int64_t id;
	const char *name;
	int batch;
	int original_label;        /* class index or -1 */
	const char *final_stage;   /* current final_status.stage, NULL when undecided */
	int queued;                /* 1 when in the refinement queue */
	int refine_saved;          /* 1 when some expert saved a stage-iv annotation */
	const struct mlfy_review_annotation *ann;  /* the annotators assigned to the
						      image's batch, by name */
	size_t n_ann;              /* 0: the batch is not assigned to anyone */
};

typedef int (*mlfy_review_image_cb)(const struct mlfy_review_image *img, void *ctx);

/* Calls cb for every image of the project in name order.  A non-zero return
 * from cb stops the walk and is returned.  A few indexed lookups per (image,
 * annotator).  Inside the caller's transaction cb may write (the walk pages
 * by image name); outside one the walk runs in a read transaction (one
 * consistent snapshot), and cb must then not write. */
int mlfy_review_foreach_image(struct mlfy_store *s, mlfy_review_image_cb cb, void *ctx,
			      struct mlfy_err *err);

/* ---- final labels as stage iii/iv write them ------------------------------ */

/* *differs = 1 when mlfy_review_final_update with these arguments would write
 * (no decision yet, or another stage, annotation or set), else 0.  Reads
 * only: works on a read-only store (what `mlfy analyze --dry-run` uses). */
int mlfy_review_final_differs(struct mlfy_store *s, int64_t image_id, int stage,
			      const int *labels, size_t n, int64_t annotation_id, int *differs,
			      struct mlfy_err *err);

/* Like mlfy_final_put (store/final_labels.h: stage is an enum
 * mlfy_final_stage, labels any order, repeats ignored) but leaves an
 * identical decision (same stage, set and annotation) untouched, so its
 * decided_at is kept and re-running an analysis changes nothing.  *changed
 * (may be NULL) is 1 when something was written.  Errors as mlfy_final_put.
 * Needs a transaction. */
int mlfy_review_final_update(struct mlfy_store *s, int64_t image_id, int stage,
			     const int *labels, size_t n, int64_t annotation_id, int *changed,
			     struct mlfy_err *err);

/* ---- refinement queue ----------------------------------------------------- */

/* Puts image_id into the refinement queue, or updates the rule and reason of
 * its row (keeping the expert it is assigned to).  Needs a transaction. */
int mlfy_review_queue_put(struct mlfy_store *s, int64_t image_id, const char *rule,
			  const char *reason, struct mlfy_err *err);

/* Takes image_id out of the queue (no error when absent).  Needs a
 * transaction. */
int mlfy_review_queue_remove(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err);

struct mlfy_queue_entry {
	int64_t image_id;
	char *image;            /* image name */
	char *rule;             /* the rule that queued it ("paper") */
	char *reason;           /* why ("sets_differ", ...) */
	int64_t expert_id;      /* 0 = not assigned yet */
	char *expert;           /* NULL when not assigned */
	int refined;            /* 1 when its final stage is "refined" */
};

/* Frees the strings of one entry and zeroes it. */
void mlfy_queue_entry_release(struct mlfy_queue_entry *e);
/* Releases n entries and frees the array.  Accepts NULL. */
void mlfy_queue_entries_free(struct mlfy_queue_entry *e, size_t n);

/* Queue rows in image-name order: all of them (expert_id == 0), one
 * expert's (expert_id > 0), or the unassigned ones (expert_id == -1).
 * *out is a new array (mlfy_queue_entries_free). */
int mlfy_review_queue_list(struct mlfy_store *s, int64_t expert_id,
			   struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err);

/* One row into *out (mlfy_queue_entry_release); MLFY_ENOTFOUND when image_id
 * is not queued. */
int mlfy_review_queue_get(struct mlfy_store *s, int64_t image_id, struct mlfy_queue_entry *out,
			  struct mlfy_err *err);

struct mlfy_expert_load {
	int64_t expert_id;
	char *name;
	int64_t assigned;   /* queue rows assigned to this expert after the run */
	int64_t added;      /* of which this run assigned */
	int64_t refined;    /* of which already refined (final stage "refined") */
};

void mlfy_expert_loads_free(struct mlfy_expert_load *l, size_t n);

/* Splits the unassigned queue rows among the experts named in names[0..n)
 * (borrowed; enabled accounts with role expert or admin): rows in image-name
 * order each go to the expert with the fewest assigned rows so far (ties:
 * the order of names), so loads end within one row of each other when
 * starting even.  Rows already assigned are never moved, so re-running after
 * the queue grows only adds.  *out (may be NULL) receives one entry per
 * named expert, in the order given (mlfy_expert_loads_free).  Errors:
 * MLFY_ENOTFOUND (unknown name), MLFY_EINVAL (no names, a duplicate, a
 * disabled account or one with role annotator).  Needs a transaction. */
int mlfy_review_queue_assign(struct mlfy_store *s, const char *const *names, size_t n,
			     struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err);

/* ---- stage iv: finalising refinements -------------------------------------- */

/* Makes the expert's refined set the final label set of image_id (stage
 * "refined", annotation_id = the refinement): the current stage-iv
 * annotation of the expert the image is assigned to, or, when it is not
 * assigned, the most recently saved refinement of anyone.  The serve helper
 * calls this right after an expert's save.  *changed (may be NULL) is 1
 * when the final set or its deciding annotation changed.  An empty refined
 * set is a valid decision: the image then awaits a zero-label review.
 * Errors: MLFY_ENOTFOUND (image not in the refinement queue, or no
 * refinement saved yet).  Needs a transaction. */
int mlfy_review_finalize(struct mlfy_store *s, int64_t image_id, int *changed,
			 struct mlfy_err *err);

/* Finalises every queued image with a saved refinement whose final labels
 * are missing or older than its current refinement.  *n_done receives how
 * many changed, *n_waiting (may be NULL) how many queued images have no
 * refinement yet.  Needs a transaction. */
int mlfy_review_finalize_all(struct mlfy_store *s, int64_t *n_done, int64_t *n_waiting,
			     struct mlfy_err *err);

/* ---- zero-label review ------------------------------------------------------ */

/* The recorded categories (issue 4; Multilabelfy's zero-label analysis). */
#define MLFY_ZERO_CATEGORIES { "no_valid_proposal", "low_resolution", "fine_grained", \
			       "unusual_object_or_view" }
#define MLFY_ZERO_N_CATEGORIES 4
/* Verdicts on the original (dataset) label. */
#define MLFY_ZERO_VERDICTS { "agree", "disagree", "unsure" }
#define MLFY_ZERO_N_VERDICTS 3

/* Index of a category / verdict name, or -1 when unknown. */
int mlfy_zero_category_index(const char *category);
int mlfy_zero_verdict_index(const char *verdict);

/* Name (as stored, "no_valid_proposal") and human-readable label ("no valid
 * proposal") of category / verdict i in [0, MLFY_ZERO_N_CATEGORIES) /
 * [0, MLFY_ZERO_N_VERDICTS); static strings, "?" out of range.  The one
 * place these words are defined: the CLI, the report and the web page (via
 * GET /api/vocabulary) all read them from here. */
const char *mlfy_zero_category_name(int i);
const char *mlfy_zero_category_label(int i);
const char *mlfy_zero_verdict_name(int i);
const char *mlfy_zero_verdict_label(int i);

/* Appends a zero-label review of image_id by expert_id (reviews are a
 * history: the latest one counts).  The image's final label set must be
 * decided and empty (MLFY_EINVAL otherwise, telling what to do); the account
 * must be an enabled expert or admin (MLFY_EPERM); category/verdict must be
 * known names (MLFY_EINVAL listing the valid ones).  comment may be NULL.
 * *id (may be NULL) receives the review's id.  Needs a transaction. */
int mlfy_review_zero_add(struct mlfy_store *s, int64_t image_id, int64_t expert_id,
			 const char *category, const char *verdict, const char *comment,
			 int64_t *id, struct mlfy_err *err);

struct mlfy_zero_review {
	int64_t id;
	int64_t image_id;
	char *expert;
	char *category;
	char *verdict;
	char *comment;
	char created_at[32];
};

void mlfy_zero_review_release(struct mlfy_zero_review *z);

/* The latest zero-label review of image_id; MLFY_ENOTFOUND when none. */
int mlfy_review_zero_get(struct mlfy_store *s, int64_t image_id, struct mlfy_zero_review *out,
			 struct mlfy_err *err);

/* Images whose final set is decided and empty and that have no zero-label
 * review yet, in name order: *ids a new array (free()). */
int mlfy_review_zero_pending(struct mlfy_store *s, int64_t **ids, size_t *n, struct mlfy_err *err);

/* ---- counts for `mlfy stats` -------------------------------------------- */

struct mlfy_review_stats {
	int64_t images;              /* images in the project */
	int64_t undecided;           /* without a final decision */
	int64_t agreed, refined, aggregated, imported;   /* by final stage */
	int64_t queued;              /* refinement-queue rows */
	int64_t queue_assigned;      /* of which assigned to an expert */
	int64_t queue_refined;       /* of which finalised (final stage "refined") */
	int64_t zero_label;          /* decided with an empty set */
	int64_t zero_reviewed;       /* of which with a zero-label review */
	int64_t by_category[MLFY_ZERO_N_CATEGORIES];  /* latest review per image */
	int64_t by_verdict[MLFY_ZERO_N_VERDICTS];
	int64_t questions, votes;    /* raw vote data */
};

int mlfy_review_stats_get(struct mlfy_store *s, struct mlfy_review_stats *out,
			  struct mlfy_err *err);

/* ---- invariants (for `mlfy check`) ---------------------------------------- */

/* Violations of the review tables' invariants (docs/schema.md, "review"),
 * as counts of images; all 0 in a sound project. */
struct mlfy_review_check {
	int64_t queued_and_agreed;          /* in the refinement queue and final stage "agreed" */
	int64_t refined_without_refinement; /* final stage "refined" whose annotation_id is not a
					     * stage-iv annotation of the image */
	int64_t refined_set_differs;        /* final stage "refined" whose set is not its
					     * refinement's label set */
	/* not a violation: queued images whose assigned expert's current
	 * refinement is not (yet) the final set, e.g. refinements written by
	 * other means than `mlfy serve`; `mlfy finalize` makes it so */
	int64_t refinements_not_final;
};

/* Counts the violations above into *out (read-only; a few indexed scans of
 * final_status and refinement_queue).  0, or a store error. */
int mlfy_review_check(struct mlfy_store *s, struct mlfy_review_check *out, struct mlfy_err *err);

/* ---- raw votes ------------------------------------------------------------ */

/* Deletes every vote of source (questions left without votes are removed
 * too).  *n (may be NULL) receives the number of votes deleted.  Needs a
 * transaction. */
int mlfy_votes_delete_source(struct mlfy_store *s, const char *source, int64_t *n,
			     struct mlfy_err *err);

/* Finds or creates the question (image name, class index); *id receives it.
 * Needs a transaction. */
int mlfy_votes_question(struct mlfy_store *s, const char *image, int class_idx, int64_t *id,
			struct mlfy_err *err);

/* Stores rater's answer (0 no, 1 maybe, 2 yes) to question_id from source,
 * replacing an earlier answer of the same rater and source.  Needs a
 * transaction. */
int mlfy_votes_put(struct mlfy_store *s, int64_t question_id, const char *rater, int answer,
		   const char *source, struct mlfy_err *err);

struct mlfy_vote_row {
	int64_t question_id;
	const char *image;
	int class_idx;
	const char *rater;
	int answer;
	const char *source;
};

typedef int (*mlfy_vote_cb)(const struct mlfy_vote_row *v, void *ctx);

/* Calls cb for every vote (of source, or of all sources when source is
 * NULL) ordered by question id, rater, then source.  A non-zero return from
 * cb stops the walk and is returned.  cb must not write to the store. */
int mlfy_votes_foreach(struct mlfy_store *s, const char *source, mlfy_vote_cb cb, void *ctx,
		       struct mlfy_err *err);

/* Number of votes (of source, or all when NULL) and distinct questions with
 * such votes. */
int mlfy_votes_count(struct mlfy_store *s, const char *source, int64_t *n_votes,
		     int64_t *n_questions, struct mlfy_err *err);

/* ---- aggregation results --------------------------------------------------- */

/* Deletes the stored results of method ("majority" or "dawid-skene").
 * Needs a transaction. */
int mlfy_aggregations_clear(struct mlfy_store *s, const char *method, struct mlfy_err *err);

/* Stores the result of method for question_id: posterior in [0, 1], label
 * 0/1, the threshold that gave it.  Needs a transaction. */
int mlfy_aggregations_put(struct mlfy_store *s, int64_t question_id, const char *method,
			  double posterior, int label, double threshold, struct mlfy_err *err);

/* Image id of an image name; MLFY_ENOTFOUND when the project has no such
 * image. */
int mlfy_review_image_id(struct mlfy_store *s, const char *name, int64_t *id,
			 struct mlfy_err *err);

/* ---- export cursor -------------------------------------------------------- */

/* One image as exported: its final decision and, on request, provenance. */
struct mlfy_export_row {
	int64_t image_id;
	const char *name;
	const char *path;
	int original_label;        /* -1 when none */
	int batch;
	const char *stage;         /* final stage, NULL when undecided */
	const int32_t *labels;     /* final set, ascending (n_labels 0 when undecided) */
	size_t n_labels;
	int64_t annotation_id;     /* deciding annotation (refinements), 0 = none */
	const char *comment;       /* comment of the deciding annotation, "" */
	const char *decided_at;    /* "" when undecided */
};

struct mlfy_export_cursor;

/* Opens a cursor over every image in name order (one SQL statement stepped
 * row by row: constant memory).  Outside a transaction the cursor holds a
 * read transaction until mlfy_export_close, so an export is one consistent
 * snapshot even while `mlfy serve` writes.  Close it with mlfy_export_close. */
int mlfy_export_open(struct mlfy_store *s, struct mlfy_export_cursor **out,
		     struct mlfy_err *err);

/* Fills *row with the next image (valid until the next call or close).
 * Returns 1 for a row, 0 at the end, or a negative MLFY_E* code. */
int mlfy_export_next(struct mlfy_export_cursor *c, struct mlfy_export_row *row,
		     struct mlfy_err *err);

void mlfy_export_close(struct mlfy_export_cursor *c);

/* The full history of one image for provenance exports. */
struct mlfy_prov_annotation {
	char *annotator;
	char *role;              /* "annotator", "expert", "admin" */
	char *stage;             /* "annotate" or "refine" */
	int64_t version;         /* current version (history rows: n_versions) */
	int64_t n_versions;
	int32_t *labels;
	size_t n_labels;
	char **sources;          /* per label: "proposal", "search", "prefill" */
	char *comment;
	double seconds;
	char created_at[32];
};

struct mlfy_provenance {
	struct mlfy_prov_annotation *ann;   /* current versions, stage ii first, by name */
	size_t n_ann;
	char *queue_rule, *queue_reason, *queue_expert;   /* NULL when not queued */
	struct mlfy_zero_review zero;       /* id 0 when none */
};

void mlfy_provenance_release(struct mlfy_provenance *p);

int mlfy_review_provenance(struct mlfy_store *s, int64_t image_id, struct mlfy_provenance *out,
			   struct mlfy_err *err);

/* Provenance of every image in a walk in image-name order (the order of
 * mlfy_export_next): three SQL cursors (current annotations with their
 * labels, refinement queue rows, latest zero-label reviews), each stepped
 * once over the whole project and merged by image, instead of a handful of
 * queries per image.  Memory does not grow with the project (one image's
 * rows at a time).  Open it after mlfy_export_open (so it reads the export's
 * snapshot) and close it before mlfy_export_close. */
struct mlfy_provenance_cursor;

int mlfy_provenance_cursor_open(struct mlfy_store *s, struct mlfy_provenance_cursor **out,
				struct mlfy_err *err);

/* Fills *out (as mlfy_review_provenance would; release it with
 * mlfy_provenance_release) for image_id, named name, which must come after
 * the previous call's image in name order; rows of images skipped in between
 * are passed over.  0 or a negative MLFY_E* code. */
int mlfy_provenance_cursor_get(struct mlfy_provenance_cursor *c, int64_t image_id, const char *name,
			       struct mlfy_provenance *out, struct mlfy_err *err);

/* Accepts NULL. */
void mlfy_provenance_cursor_close(struct mlfy_provenance_cursor *c);

#endif

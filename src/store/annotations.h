/* annotations.h - the append-only annotation history of stages ii and iv
 * (annotations.c): one row per saved version of (image, person, stage) with
 * its label set, comment and time on image; nothing is ever overwritten.
 *
 * The save as a whole (which fields are valid, and that an expert's save is
 * the image's final set) is src/review/save.h's: it calls
 * mlfy_annotations_append inside its transaction.  Structs filled by getters
 * own their memory; release them with the matching release / free function
 * (which accept zeroed structs / NULL).
 */
#ifndef MLFY_STORE_ANNOTATIONS_H
#define MLFY_STORE_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

enum mlfy_stage {
	MLFY_STAGE_ANNOTATE = 0,   /* stage ii */
	MLFY_STAGE_REFINE = 1      /* stage iv */
};
const char *mlfy_stage_name(enum mlfy_stage st);   /* "annotate" / "refine" */
int mlfy_stage_parse(const char *s, enum mlfy_stage *st, struct mlfy_err *err);

enum mlfy_label_source {
	MLFY_SOURCE_PROPOSAL = 0,   /* ticked among the shown proposals */
	MLFY_SOURCE_SEARCH = 1,     /* added through the class search (outside the proposals) */
	MLFY_SOURCE_PREFILL = 2     /* kept from the pre-checked stage-ii union (refinement) */
};
#define MLFY_N_SOURCES 3
/* "proposal" / "search" / "prefill" (static; "?" out of range). */
const char *mlfy_source_name(enum mlfy_label_source src);
/* Human-readable: "model proposal" / "class search" / "pre-checked (stage ii)". */
const char *mlfy_source_label(enum mlfy_label_source src);
int mlfy_source_parse(const char *s, enum mlfy_label_source *src, struct mlfy_err *err);

struct mlfy_label_choice {
	int class_idx;
	enum mlfy_label_source source;
};

/* Longest comment, in UTF-8 code points (what the page's box counts). */
#define MLFY_COMMENT_MAX 4000

struct mlfy_annotation_save {
	int64_t image_id;
	int64_t annotator_id;
	enum mlfy_stage stage;
	int64_t base_version;     /* the version the client last saw; 0 = none yet */
	const struct mlfy_label_choice *labels;  /* borrowed; may be NULL when n_labels == 0 */
	size_t n_labels;          /* 0 = "none of these", an explicit empty set */
	const char *comment;      /* borrowed, may be NULL = ""; UTF-8, at most 4000 characters
				   * (code points, as the page's box counts them) */
	double seconds;           /* cumulative time on the image, >= 0, < 1e7 */
	/* the caller's own view of the time the person can have spent since
	 * the current version: > 0 caps the stored seconds at the current
	 * version's seconds + elapsed_max (mlfy serve: the time since it
	 * served the task to this session, or since this session's last save
	 * of it); 0 or less: no cap (the client's value is stored) */
	double elapsed_max;
	/* refinement only, and only for an empty set: the zero-label review
	 * (both NULL = none), names from MLFY_ZERO_CATEGORIES and
	 * MLFY_ZERO_VERDICTS (store/zero_label.h) */
	const char *zl_category;
	const char *zl_verdict;
	/* stage ii only: 0 = a sure answer, else 1 + the index of the reason
	 * of an "unsure" answer (store/flags.h MLFY_UNSURE_REASONS) */
	int unsure;
	/* problem tags of the image, bit i = tag i of MLFY_TAGS (store/flags.h) */
	unsigned tags;
};

/* Appends one version to the annotation history of (image, annotator,
 * stage), inside the caller's transaction (MLFY_EINVAL without one).
 * Checks, in this order: base_version is the current version (else
 * MLFY_ECONFLICT: a stale save from a second tab); every label is a known
 * class (MLFY_EINVAL "labels: no class with index N").  Whether the
 * annotator may label the image is the caller's check (mlfy_tasks_check,
 * store/taskview.h; mlfy_annotations_save makes it).  Records the active proposal model
 * (what the page showed).  The fields themselves (lengths, ranges,
 * duplicates, names) must have passed mlfy_annotation_check
 * (review/save.h), the one place that decides whether a save is valid.
 * *version receives the new version (base_version + 1), *annotation_id
 * (may be NULL) the new row's id.  Cost: a few index lookups, independent
 * of the number of saved annotations. */
int mlfy_annotations_append(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			    int64_t *version, int64_t *annotation_id, struct mlfy_err *err);

/* The union of the current stage-ii label sets of image_id, strictly
 * ascending, into *out (a new array, free(); NULL when empty).  Answers
 * to gold tasks (store/gold.h) are not among them. */
int mlfy_annotations_stage2_union(struct mlfy_store *s, int64_t image_id, int32_t **out, size_t *n,
				  struct mlfy_err *err);

/* The class indices of annotation annotation_id, strictly ascending, into
 * the caller's growing buffer *v of capacity *cap (util/vec.h; may be NULL
 * with *cap 0): *n is set to their number.  The buffer is kept for reuse
 * across calls; free(*v) when done, also after an error. */
int mlfy_annotation_label_ids(struct mlfy_store *s, int64_t annotation_id, int32_t **v, size_t *n,
			      size_t *cap, struct mlfy_err *err);

struct mlfy_annotation {
	int64_t id;
	int64_t image_id;
	int64_t annotator_id;
	char *annotator;          /* name (owned) */
	enum mlfy_stage stage;
	int64_t version;
	char *comment;            /* owned, "" when none */
	double seconds;
	char created_at[32];
	struct mlfy_label_choice *labels;   /* owned, ordered by class index */
	size_t n_labels;
	int unsure;               /* 0, or 1 + the unsure reason's index (store/flags.h) */
	unsigned tags;            /* problem tags, bit i = tag i (store/flags.h) */
};

void mlfy_annotation_release(struct mlfy_annotation *a);
void mlfy_annotations_free(struct mlfy_annotation *a, size_t n);

/* The current (latest) version of (image, annotator, stage) into *out;
 * MLFY_ENOTFOUND when never saved. */
int mlfy_annotations_current(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			     enum mlfy_stage stage, struct mlfy_annotation *out,
			     struct mlfy_err *err);

/* The current versions of every annotator for (image, stage), ordered by
 * annotator name: *out a new array (mlfy_annotations_free). */
int mlfy_annotations_of_image(struct mlfy_store *s, int64_t image_id, enum mlfy_stage stage,
			      struct mlfy_annotation **out, size_t *n, struct mlfy_err *err);

/* The most recently saved annotation of image_id in stage st by anyone
 * (the highest id) into *out with its labels; MLFY_ENOTFOUND when none. */
int mlfy_annotations_latest(struct mlfy_store *s, int64_t image_id, enum mlfy_stage st,
			    struct mlfy_annotation *out, struct mlfy_err *err);

/* Number of saved versions (history rows) of (image, annotator, stage). */
int mlfy_annotations_n_versions(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
				enum mlfy_stage stage, int64_t *n, struct mlfy_err *err);
#endif

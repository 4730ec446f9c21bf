/* provenance.h - the export cursor and provenance (provenance.c): every
 * image in name order with its final decision, and on request who labelled
 * it how (current annotations, history counts, refinement-queue row, latest
 * zero-label review).  Reads only. */
#ifndef MLFY_STORE_PROVENANCE_H
#define MLFY_STORE_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "store/zero_label.h"

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
	int n_unsure;              /* current stage-ii answers that are "unsure" */
	unsigned tags;             /* problem tags of the current answers, together (store/flags.h) */
	const char *arm;           /* the anchoring experiment's arm, "shown" / "blind", NULL when not drawn */
	int planted;               /* its planted (known-wrong, never final) label, -1 when none */
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
	int unsure;              /* 0, or 1 + the unsure reason (store/flags.h) */
	unsigned tags;           /* problem tags, bit i = tag i (store/flags.h) */
	int gold_task;           /* stage ii: the answer to a gold task (store/gold.h) */
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

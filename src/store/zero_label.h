/* zero_label.h - zero-label reviews (zero_label.c): for an image whose final
 * set is empty, an expert records why no label is valid (category) and
 * whether the dataset's original label is right (verdict).  Reviews are a
 * history: the latest one counts.  Writes need an open transaction. */
#ifndef MLFY_STORE_ZERO_LABEL_H
#define MLFY_STORE_ZERO_LABEL_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

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
#endif

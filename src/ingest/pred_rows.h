/* pred_rows.h - what the readers of prediction files fill (pred_rows.c;
 * internal to src/ingest): the project's images and the name resolver over
 * them, and the rows to store (top-k classes with their raw values and,
 * for dense rows, the log-sum-exp), with the checks that tell logits from
 * probabilities. */
#ifndef MLFY_INGEST_PRED_ROWS_H
#define MLFY_INGEST_PRED_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/error.h"
#include "util/names.h"

#define PROB_SUM_TOL 1e-3     /* |sum - 1| for rows that count as probabilities */
#define PROB_RANGE_TOL 1e-6   /* slack on [0, 1] for stored float rounding */
#define PRED_ROW_SKIPPED 1   /* pred_resolve_row: an unknown image's row, to skip */

struct pred_img {
	char *name;
	char *path;
	int64_t id;
	int orig;
};


/* The project's images and the name index over them (util/names.h). */
struct pred_resolver {
	size_t n, cap;
	struct pred_img *img;   /* in name order (the catalog walk's order) */
	char **names, **paths; /* [n] views of img[].name / img[].path for the index */
	struct mlfy_names *ix;
	unsigned char *used;   /* an image already has a row */
	int skip_unknown;      /* opt->skip_unknown */
	size_t n_skipped;      /* rows skipped: unknown images */
};


struct pred_rows {
	size_t n, cap;
	size_t k;              /* slots per row */
	size_t *img;           /* resolver index */
	int *cnt;              /* entries used per row (<= k) */
	int *cls;              /* n * k */
	double *val;           /* n * k: raw values (probabilities, or logits of dense rows) */
	double *lse;           /* per row: log-sum-exp of a dense row, NAN otherwise */
};


/* Input checks over dense rows, for the auto decision and forced probs. */
struct pred_dense_stats {
	int all_prob;          /* every dense row so far: min >= 0 and |sum - 1| <= tol */
	size_t first_not_prob; /* first dense row that is not (for messages) */
	size_t n_dense;
	size_t first_neg;      /* first row with a negative value (SIZE_MAX: none) */
	size_t first_over;     /* first row with a value > 1 */
};


/* Loads the project's images (name order) and the name index over them
 * into *r (zeroed here; pred_resolver_free it, also after an error). */
int pred_resolver_load(struct mlfy_store *s, struct pred_resolver *r, struct mlfy_err *err);
void pred_resolver_free(struct pred_resolver *r);

/* Resolves name for row `where` of file and marks the image used: 0 and
 * *out (the image's index in r), PRED_ROW_SKIPPED (counted) for an unknown
 * image with skip_unknown, or MLFY_EINVAL naming the file and position
 * (unknown, ambiguous, or an image given twice). */
int pred_resolve_row(struct pred_resolver *r, const char *file, const char *where, const char *name, size_t *out,
		     struct mlfy_err *err);

/* Room for one more row in w (0 or MLFY_ENOMEM). */
int pred_rows_grow(struct pred_rows *w, struct mlfy_err *err);
void pred_rows_free(struct pred_rows *w);

/* Adds a dense row (n_cls finite values, as float xf or double xd: one of
 * them non-NULL) for image img: its top-k, log-sum-exp and the
 * logits/probabilities statistics in ds. */
int pred_add_dense_row(struct pred_rows *w, struct pred_dense_stats *ds, size_t img, const float *xf,
		       const double *xd, size_t n_cls, struct mlfy_err *err);

#endif

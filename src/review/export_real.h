/* export_real.h - the ReaL interchange exports of `mlfy export`
 * (export_real.c), pulled piece by piece like the other formats (export.h
 * dispatches to it):
 *
 *   real-votes   the project's raw votes of every source
 *                (mlfy_vote_set_from_store(s, NULL, ...)) in ReaL's
 *                raters.npz layout: tensor <f8 R x N x 3 one-hot
 *                (no, maybe, yes; all zero = not answered), info <U N x 2
 *                (image name, class index as text), ids <i8 R, and names
 *                <U R (the raters' names, which ReaL's files lack).  Raters
 *                in name order, questions in question-id order.  ids: a
 *                rater whose name is a canonical non-negative decimal
 *                integer ("0", "17"; no sign, no leading zero) keeps it as
 *                its id; any other rater gets M + i, M the largest such
 *                numeric id (0 when none) and i its 1-based position in the
 *                rater order, so ids stay unique.
 *   real-scores  the stored posteriors of one method (table aggregations)
 *                in the layout of ReaL's scores_split_a.npz: tensor <f8 N
 *                (P(label applies)), info <U N x 2 as above, questions in
 *                question-id order.
 *
 * Members are deflated (level 6, as numpy.savez_compressed) and written
 * through a fixed buffer (util/npz_write.h); the tensor is produced in
 * slices, so memory is the sparse vote set (real-votes) or constant
 * (real-scores: three passes over the results in one read snapshot). */
#ifndef MLFY_REVIEW_EXPORT_REAL_H
#define MLFY_REVIEW_EXPORT_REAL_H

#include <stdint.h>
#include <stdio.h>
#include "store/store.h"

struct mlfy_real_export;

/* Opens an export of the votes (scores = 0) or of method's stored
 * posteriors (scores = 1; method "majority" or "dawid-skene", NULL for
 * "dawid-skene").  Loads the vote set (real-votes) or counts the results
 * (real-scores).  Errors: MLFY_ENOTFOUND (no votes; no stored results of
 * method, with a hint to run `mlfy aggregate`), MLFY_EINVAL (bad method),
 * store errors, MLFY_ENOMEM. */
int mlfy_real_export_open(struct mlfy_store *s, int scores, const char *method, struct mlfy_real_export **out,
			  struct mlfy_err *err);

/* Writes the next piece of the archive to out: 1 when one was written, 0
 * when the archive is complete.  Errors: MLFY_EIO ("write: ..."), MLFY_EINVAL
 * (a name that does not fit the format, the results changed between
 * passes), store errors. */
int mlfy_real_export_next(struct mlfy_real_export *x, FILE *out, struct mlfy_err *err);

/* Questions, raters (0 for real-scores) and votes (real-votes) or
 * positive decisions (real-scores) in the export. */
void mlfy_real_export_counts(const struct mlfy_real_export *x, int64_t *questions, int64_t *raters,
			     int64_t *votes);

/* Frees x (ends its read snapshot).  Accepts NULL. */
void mlfy_real_export_close(struct mlfy_real_export *x);

#endif

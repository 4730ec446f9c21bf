/* reopen.h - reopening decided images (reopen.c), `mlfy reopen`.
 *
 * Once `mlfy analyze` has taken an image (a final decision, or a row of the
 * refinement queue) its stage-ii sets are what the decision rests on, and
 * stage-ii saves are refused (review/save.h: MLFY_ECLOSED).  A coordinator
 * who wants them changed reopens the image: its decision (final_status and
 * final_labels, the refinement-queue row, the decision basis) is removed in
 * one transaction and recorded in the append-only audit table reopenings
 * (store/decisions.h) with who, when, why and what was removed.  The image
 * is then open for stage-ii saves, and the next `mlfy analyze` decides it
 * anew.  The annotation history itself is never touched.
 */
#ifndef MLFY_REVIEW_REOPEN_H
#define MLFY_REVIEW_REOPEN_H

#include <stddef.h>
#include <stdint.h>
#include "store/decisions.h"
#include "store/store.h"

/* Reopens the images named names[0..n) (borrowed) in one transaction of its
 * own (call it outside one).  by (who, e.g. the coordinator's login name)
 * and reason (may be NULL) go to the audit.  *out (may be NULL) receives one
 * mlfy_reopening per image, in the order given (mlfy_reopenings_free).
 * Errors, each naming the image, and then nothing changes: MLFY_ENOTFOUND
 * (no such image), MLFY_EINVAL (no names; the image is open already: no
 * decision and not queued; a name given twice), store errors. */
int mlfy_reopen_images(struct mlfy_store *s, const char *const *names, size_t n, const char *by,
		       const char *reason, struct mlfy_reopening **out, size_t *n_out, struct mlfy_err *err);

#endif

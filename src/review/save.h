/* save.h - one annotation save, stages ii and iv (save.c): the one place
 * that decides whether a save is valid, and the save itself as one
 * transaction.  The web server's handler and every other caller only map
 * their input to struct mlfy_annotation_save (store/annotations.h) and pass
 * on this file's answer, whose message names the bad field
 * ("labels[2].source: ...", "comment: ...", "zero_label.verdict: ...").
 */
#ifndef MLFY_REVIEW_SAVE_H
#define MLFY_REVIEW_SAVE_H

#include <stdint.h>
#include "store/annotations.h"
#include "store/store.h"

/* Most labels one save may carry (a set has at most one per class of the
 * project; this bound stops absurd requests before any lookup). */
#define MLFY_LABELS_MAX 100000

/* Checks the fields of a save without the store, in this order, and
 * returns 0 or MLFY_EINVAL with a message naming the first bad field:
 * stage is annotate or refine; base_version >= 0; labels present when
 * n_labels > 0, at most MLFY_LABELS_MAX, each class index >= 0 and each
 * source a known one ("prefill" only in refinement), no class twice;
 * comment (may be NULL) at most MLFY_COMMENT_MAX characters (UTF-8 code
 * points); seconds finite and in [0, 1e7); elapsed_max not NaN; a
 * zero-label review only in refinement, only for an empty set, with both a
 * known category and a known verdict (store/zero_label.h).  What needs the
 * store (the image, the person's right to it, whether the image is still
 * open, the sources against what was shown, the version, the classes, the
 * comment a changed refinement needs) is checked by mlfy_annotations_save
 * inside its transaction. */
int mlfy_annotation_check(const struct mlfy_annotation_save *in, struct mlfy_err *err);

/* Saves one annotation in one transaction (call it outside one; the `mlfy`
 * commands and tests do):
 * mlfy_annotation_check; the comment is trimmed (white space at either end,
 * ASCII and Unicode spaces, is dropped: the trimmed text is what is checked
 * and stored, so a comment of spaces is no comment); the image exists and
 * the person may label it in this stage (mlfy_tasks_check: MLFY_ENOTFOUND /
 * MLFY_EPERM; stage ii needs an assignment of the image's batch, stage iv a
 * refinement-queue row for this expert); a stage-ii save needs the image
 * open: MLFY_ECLOSED once stage iii has taken it (a final_status row or a
 * refinement-queue row; `mlfy reopen` opens it again, review/reopen.h);
 * each label's source must match what the page was shown (MLFY_EINVAL
 * "labels[i].source: ..."): "proposal" only for a class among the image's
 * shown proposals (the active model's top MLFY_TASK_TOP_K), "prefill" only
 * for a class of the stage-ii union the refinement view pre-checks, other
 * classes are "search"; seconds is clamped to the current version's seconds
 * + elapsed_max when elapsed_max > 0 (the caller's own clock: a client
 * cannot claim more time than has passed); then mlfy_annotations_append
 * (base_version is current, the classes exist: MLFY_ECONFLICT /
 * MLFY_EINVAL); and for a refinement (stage iv):
 *  - a refined set that differs from the union of the stage-ii sets needs a
 *    comment (MLFY_EINVAL "comment: required ..."),
 *  - the save becomes the image's final set (mlfy_review_finalize, final
 *    stage "refined", annotation = this save: the paper's stage iv; its
 *    decision basis the stage-ii sets and this save),
 *  - a zero-label review given with an empty set is appended with the
 *    save's comment (mlfy_review_zero_add).
 * So the final labels always match the expert's latest save, and a failure
 * of any part writes nothing.  *version receives the new version
 * (base_version + 1).  Cost: a few index lookups, independent of the number
 * of saved annotations. */
int mlfy_annotations_save(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			  int64_t *version, struct mlfy_err *err);

/* The same save, rule for rule, inside the caller's open write transaction
 * (mlfy_annotations_save is this between begin and commit): for callers
 * that commit several saves at once (the web server's group commit,
 * store/savepoint.h), each in a savepoint of its own.  On failure the
 * save's writes may be partly done: the caller rolls back (to the
 * savepoint, or the whole transaction).  Errors: those of
 * mlfy_annotations_save, and MLFY_EINVAL when no transaction is open.
 * *version is only meaningful once the caller's commit succeeded. */
int mlfy_annotations_save_in_tx(struct mlfy_store *s, const struct mlfy_annotation_save *in, int64_t *version,
				struct mlfy_err *err);

#endif

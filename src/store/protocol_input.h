/* protocol_input.h - the project as the comparison of the two protocols
 * reads it (protocol_input.c): for every image that has verification
 * answers (ReaL's yes/maybe/no grid, review/verify.h), what the paper's
 * protocol (stage ii checkboxes, stages iii-iv) and the verification
 * protocol each made of it, what they cost in people's time, and the
 * image's gold set.  Reads only; owns no table.  review/protocols.h turns
 * the rows into figures. */
#ifndef MLFY_STORE_PROTOCOL_INPUT_H
#define MLFY_STORE_PROTOCOL_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* One image.  Every pointer is borrowed for the duration of the callback. */
struct mlfy_protocol_row {
	int64_t image_id;
	const char *image;            /* image name */
	/* the paper's protocol */
	int paper_decided;            /* final stage "agreed" or "refined" */
	const int32_t *paper;         /* the final set when paper_decided, ascending */
	size_t n_paper;
	double paper_seconds;         /* sum over the current stage-ii annotations of their
				       * focused seconds (each annotation's time is cumulative
				       * over its versions) */
	int64_t paper_people;         /* stage-ii annotations of the image (one per annotator) */
	/* the verification protocol */
	int64_t verify_questions;     /* verification questions of the image */
	int64_t verify_aggregated;    /* of which with a stored result of the method */
	const int32_t *verify;        /* the classes whose result is label = 1, ascending */
	size_t n_verify;
	double verify_seconds;        /* every verification answer on the image (all versions)
				       * costs its page's seconds / the page's answers */
	int64_t verify_people;        /* raters who answered a question of the image */
	/* gold */
	int is_gold;
	const int32_t *gold;          /* the gold set when is_gold, ascending */
	size_t n_gold;
};

typedef int (*mlfy_protocol_row_cb)(const struct mlfy_protocol_row *r, void *ctx);

/* Calls cb for every image of the project with at least one verification
 * answer, in image-id order, inside one read transaction; method names the
 * aggregation results ("majority" or "dawid-skene", aggregations table)
 * that make the verification protocol's sets.  A non-zero return of cb
 * stops the walk and is returned.  Errors: the store's, MLFY_ENOMEM. */
int mlfy_protocol_foreach(struct mlfy_store *s, const char *method, mlfy_protocol_row_cb cb, void *ctx,
			  struct mlfy_err *err);

/* *n receives the number of verification questions with a stored result
 * of method (0 when `mlfy aggregate` has not run with it).  Errors: the
 * store's. */
int mlfy_protocol_aggregated(struct mlfy_store *s, const char *method, int64_t *n, struct mlfy_err *err);

#endif

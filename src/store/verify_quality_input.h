/* verify_quality_input.h - the verification protocol's answers as the
 * per-rater figures of `mlfy quality` read them (verify_quality_input.c):
 * the raters of the grid (accounts with verification assignments or
 * answers) and every verification answer, with its time, whether it is the
 * rater's current answer, the question's stored aggregation result and,
 * on gold images, whether the question's label is in the gold set.
 * Reads only; owns no table.  review/verify_quality.h turns the rows into
 * figures. */
#ifndef MLFY_STORE_VERIFY_QUALITY_INPUT_H
#define MLFY_STORE_VERIFY_QUALITY_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* A rater of the grid.  name is borrowed for the duration of the callback. */
struct mlfy_vq_rater_row {
	int64_t id;                   /* annotators.id */
	const char *name;             /* account name */
	int64_t assigned;             /* verification questions assigned to them (verify_assignments) */
};

/* One verification answer (a row of verify_answers, any version). */
struct mlfy_vq_answer_row {
	int64_t rater_id;             /* annotators.id */
	int64_t question_id;
	int answer;                   /* 0 no, 1 maybe, 2 yes (review/verify.h MLFY_VERIFY_*) */
	int bulk;                     /* given by the "no for the rest" key */
	int current;                  /* the latest version of (question, rater) */
	double seconds;               /* its page's seconds / the page's answers (every version on
				       * the page counts), as store/protocol_input.h shares time */
	int aggregated;               /* the stored result (label 0/1) of the method; -1 none */
	int is_gold;                  /* the question's image is a gold image */
	int in_gold;                  /* is_gold and the question's label is in the gold set */
};

typedef int (*mlfy_vq_rater_cb)(const struct mlfy_vq_rater_row *r, void *ctx);
typedef int (*mlfy_vq_answer_cb)(const struct mlfy_vq_answer_row *a, void *ctx);

/* In one read snapshot: calls rater_cb for every account with a
 * verification assignment or answer, by name; then answer_cb for every
 * verification answer (all versions), by rater id, question id, version.
 * method names the aggregation results ("majority" or "dawid-skene",
 * aggregations table) reported in `aggregated`; NULL reports none (-1
 * everywhere).  A non-zero return of a callback stops the walk and is
 * returned.  Errors: the store's. */
int mlfy_vq_foreach(struct mlfy_store *s, const char *method, mlfy_vq_rater_cb rater_cb,
		    mlfy_vq_answer_cb answer_cb, void *ctx, struct mlfy_err *err);

#endif

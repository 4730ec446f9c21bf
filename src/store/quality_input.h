/* quality_input.h - the project as `mlfy quality` reads it
 * (quality_input.c): every current annotation of stages ii and iv with
 * what it is scored against.  Reads only; owns no table.  The callback
 * borrows every pointer for the duration of the call only. */
#ifndef MLFY_STORE_QUALITY_INPUT_H
#define MLFY_STORE_QUALITY_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct mlfy_quality_row {
	int64_t annotation_id, image_id, annotator_id;
	const char *annotator;        /* account name */
	const char *role;             /* "annotator", "expert", "admin" */
	int stage;                    /* enum mlfy_stage (store/annotations.h) */
	const int32_t *labels;        /* the chosen set, ascending */
	size_t n_labels;
	size_t n_search;              /* of which found by the search (source "search") */
	const int32_t *shown;         /* the proposals shown (model of the save), ascending */
	size_t n_shown;
	int top1;                     /* the shown model's top-1 class, -1 when unknown */
	double seconds;               /* focused time on the image */
	const char *created_at;       /* time of this (current) version, ISO-8601 UTC */
	const char *first_at;         /* time of the first version */
	int unsure;                   /* 0, or 1 + the unsure reason (store/flags.h) */
	unsigned tags;                /* problem tags (store/flags.h) */
	int gold_task;                /* stage ii: the answer to a gold task of theirs */
	int own;                      /* stage ii: the image's batch is assigned to them */
	const int32_t *gold;          /* the image's gold set when gold (else NULL, n_gold 0) */
	size_t n_gold;
	int is_gold;
	int64_t gold_annotation;      /* the annotation the gold set was taken from (`mlfy gold add
				       * --from-final`: the deciding refinement), 0 none */
	const int32_t *final;         /* the image's final set when decided */
	size_t n_final;
	int decided;
	const char *final_stage;      /* "agreed", "refined", ... when decided, else NULL */
	int64_t final_annotation;     /* the annotation the final set came from, 0 none */
	/* stage iv: the anchoring arm (store/arms.h) and the stage-ii union the
	 * expert was (shown) or would have been (blind) shown */
	int arm;                      /* enum mlfy_arm */
	int planted;                  /* -1 none */
	const int32_t *union2;
	size_t n_union2;
};

typedef int (*mlfy_quality_row_cb)(const struct mlfy_quality_row *r, void *ctx);

/* Calls cb for every current annotation (latest version of each image,
 * person, stage) of stages ii and iv, by annotator name, stage, image id,
 * in one read snapshot.  A non-zero return from cb stops the walk and is
 * returned. */
int mlfy_quality_foreach(struct mlfy_store *s, mlfy_quality_row_cb cb, void *ctx, struct mlfy_err *err);
#endif

/* taskview.h - what a person sees and may open (taskview.c): task lists,
 * access checks, the page's task view, class lookups and search, and the
 * files behind images and exemplars.  Reads only.  Structs filled by getters
 * own their memory; release them with the matching release / free function.
 */
#ifndef MLFY_STORE_TASKVIEW_H
#define MLFY_STORE_TASKVIEW_H

#include <stddef.h>
#include <stdint.h>
#include "store/annotations.h"
#include "store/proposals.h"
#include "store/store.h"

struct mlfy_task_list {
	int64_t *image_ids;     /* owned; stage ii: assigned batches' images by (batch, id);
				 * stage iv: the expert's refinement-queue rows in image-name
				 * order (mlfy_review_queue_list) */
	unsigned char *done;    /* owned; done[i] = 1 when image_ids[i] is done: stage ii, the
				 * user saved an annotation; stage iv, its final set is a
				 * refinement (final stage "refined") */
	size_t n;
	size_t n_done;
};

void mlfy_task_list_release(struct mlfy_task_list *t);

/* The images user_id is to label in stage st, in a stable order. */
int mlfy_tasks_list(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st,
		    struct mlfy_task_list *out, struct mlfy_err *err);

/* 0 when user_id may label image_id in stage st; MLFY_ENOTFOUND when the
 * image does not exist, MLFY_EPERM when it is not theirs. */
int mlfy_tasks_check(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st,
		     int64_t image_id, struct mlfy_err *err);

/* 0 when user_id may view image_id in any stage (assigned batch or queued to
 * them); MLFY_ENOTFOUND / MLFY_EPERM as above. */
int mlfy_tasks_can_view(struct mlfy_store *s, int64_t user_id, int64_t image_id,
			struct mlfy_err *err);

/* ---- the page's task view ------------------------------------------------- */

struct mlfy_view_class {
	int idx;
	char *ext_id, *name, *synonyms, *gloss;   /* owned */
	int n_exemplars;
};

struct mlfy_view_proposal {
	int rank;          /* 0 = top-1 */
	int class_idx;
	double score;      /* softmax probability */
};

/* Proposals shown per image in stages ii and iv (the paper: the top-20, in
 * four groups of MLFY_TASK_GROUP). */
#define MLFY_TASK_TOP_K MLFY_SHOWN_MAX   /* store/proposals.h: 20 */
#define MLFY_TASK_GROUP 5

struct mlfy_task_view {
	int64_t image_id;
	char *name;              /* owned: image name */
	int width, height, batch;
	int original_label;      /* class index or -1 */
	char sha256[65];
	struct mlfy_view_proposal *proposals;  /* owned, by rank; of the active model */
	size_t n_proposals;
};

void mlfy_task_view_release(struct mlfy_task_view *v);

/* The image and its top-k (at most k) proposals of the active proposal model
 * (meta "proposal_model", else the latest model) into *out.
 * MLFY_ENOTFOUND when the image does not exist. */
int mlfy_task_view_get(struct mlfy_store *s, int64_t image_id, size_t k,
		       struct mlfy_task_view *out, struct mlfy_err *err);

void mlfy_view_classes_free(struct mlfy_view_class *c, size_t n);

/* Classes idx[0..n) (any order, duplicates allowed) into *out, a new array
 * of the distinct known ones ordered by index (mlfy_view_classes_free). */
int mlfy_view_classes(struct mlfy_store *s, const int *idx, size_t n,
		      struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err);

/* Class search for the page's "add a label" box: classes whose name,
 * synonyms or external id contain q (ASCII case-insensitive; a decimal q
 * also matches that index), at most limit (capped at 200), best first:
 * the index q, then a name or synonym equal to q, then q as whole words of
 * the name or synonyms ("cat" finds "tabby cat" before "catamaran";
 * commas and hyphens count as spaces), then names starting with q, then
 * words starting with q, then any substring; ties by shorter name, then
 * index.  q longer than 200 bytes: MLFY_EINVAL. */
int mlfy_view_search_classes(struct mlfy_store *s, const char *q, size_t limit,
			     struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err);

/* Image file of image_id: *path (new string, free()) and sha256 (65 bytes). */
int mlfy_view_image_file(struct mlfy_store *s, int64_t image_id, char **path,
			 char sha256[65], struct mlfy_err *err);
/* Exemplar file of (class, rank) likewise, as user_id may see it: when
 * user_id > 0 an exemplar whose content (SHA-256) is an image of that
 * person's tasks (an assigned batch's image or a refinement-queue row of
 * theirs) is MLFY_ENOTFOUND, as if it did not exist: exemplars may be
 * project photos, and the exemplar's class is that image's original label,
 * which annotators must not learn.  user_id 0: no such restriction. */
int mlfy_view_exemplar_file(struct mlfy_store *s, int class_idx, int rank, int64_t user_id, char **path,
			    char sha256[65], struct mlfy_err *err);

/* The ranks of class_idx's exemplars to show beside image_id, ascending,
 * into *ranks (a new array, free(); NULL when none): every exemplar except
 * those whose content is image_id's own and, when user_id > 0, those whose
 * content is an image of user_id's tasks (as mlfy_view_exemplar_file). */
int mlfy_view_exemplar_ranks(struct mlfy_store *s, int class_idx, int64_t image_id, int64_t user_id,
			     int32_t **ranks, size_t *n, struct mlfy_err *err);

/* One exemplar to show: its class and rank. */
struct mlfy_exemplar_rank {
	int32_t class_idx;
	int32_t rank;
};

/* mlfy_view_exemplar_ranks for n_classes classes at once, in ONE query (a
 * task view shows some 20 classes: one statement instead of 20, which on
 * PostgreSQL is one round trip instead of 20).  *out: a new array (free();
 * NULL when none) of *n (class, rank) pairs ordered by class, then rank;
 * classes without an exemplar to show have no pair.  Same exclusions as
 * mlfy_view_exemplar_ranks, which calls this. */
int mlfy_view_exemplar_ranks_of(struct mlfy_store *s, const int *classes, size_t n_classes, int64_t image_id,
				int64_t user_id, struct mlfy_exemplar_rank **out, size_t *n, struct mlfy_err *err);
#endif

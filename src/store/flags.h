/* flags.h - what a save says about the image besides its labels
 * (flags.c): an "unsure" answer with its reason, and problem tags
 * (table annotation_flags; append-only like the save they belong to).
 * The coded lists are defined here once: the CLI, the exports, the report
 * and the web page (GET /api/vocabulary) read them from here.
 * Sources of the codes: ReaL's raters could answer "maybe" (Beyer et al.
 * 2020, arXiv:2006.07159); the problem tags follow the categories of
 * Luccioni & Rolnick (2022), "Bugs in the data: how ImageNet misrepresents
 * biodiversity", and Vasudevan et al. (2022), "When does dough become a
 * bagel? Analyzing the remaining mistakes on ImageNet" (multiple objects,
 * blur, artificial images, out-of-vocabulary objects, overlapping
 * classes). */
#ifndef MLFY_STORE_FLAGS_H
#define MLFY_STORE_FLAGS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Reasons of an unsure answer. */
#define MLFY_UNSURE_REASONS { "cannot_tell_apart", "too_small_or_blurred", "image_broken", "other" }
#define MLFY_N_UNSURE 4
/* Problem tags any image may carry. */
#define MLFY_TAGS { "multiple_objects", "low_resolution_or_blur", "artificial", "text_or_watermark", \
		    "near_duplicate", "outside_label_space", "ambiguous_classes" }
#define MLFY_N_TAGS 7

/* Index of a reason / tag code, -1 when unknown (NULL included). */
int mlfy_unsure_index(const char *code);
int mlfy_tag_index(const char *code);
/* Code ("cannot_tell_apart") and human-readable label ("cannot tell the
 * objects apart") of reason / tag i; static strings, "?" out of range. */
const char *mlfy_unsure_name(int i);
const char *mlfy_unsure_label(int i);
const char *mlfy_tag_name(int i);
const char *mlfy_tag_label(int i);

/* Records the flags of annotation annotation_id: unsure (a reason index,
 * -1 = not unsure) and tags (bit i = tag i).  Inside the caller's
 * transaction (MLFY_EINVAL without one); nothing is written when there is
 * no flag.  MLFY_EINVAL for an index out of range. */
int mlfy_flags_append(struct mlfy_store *s, int64_t annotation_id, int unsure, unsigned tags,
		      struct mlfy_err *err);

/* The flags of annotation annotation_id into *unsure (-1 = none) and *tags. */
int mlfy_flags_get(struct mlfy_store *s, int64_t annotation_id, int *unsure, unsigned *tags,
		   struct mlfy_err *err);

/* Tags as text: the codes of the set bits joined by sep into buf (cap
 * bytes, always NUL-terminated; "" when none).  Returns buf. */
char *mlfy_tags_join(unsigned tags, const char *sep, char *buf, size_t cap);
#endif

/* class_label.h - how reports name a class of the project: "idx name". */
#ifndef MLFY_REVIEW_CLASS_LABEL_H
#define MLFY_REVIEW_CLASS_LABEL_H

#include <stddef.h>
#include "store/store.h"

/* Writes "idx name" of class idx (just "idx" when the project has no such
 * class or the lookup fails) into buf[0..n) and returns buf. */
const char *mlfy_class_label(struct mlfy_store *s, int idx, char *buf, size_t n);

#endif

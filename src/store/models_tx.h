/* models_tx.h - choosing the active proposal model as one transaction, for
 * callers that run no transaction of their own (`mlfy select-model
 * --activate`).  Call it outside a transaction. */
#ifndef MLFY_STORE_MODELS_TX_H
#define MLFY_STORE_MODELS_TX_H

#include <stddef.h>
#include "store/proposals.h"

/* Makes the first of names[0..n) (borrowed, best first) that is a model of
 * the project its active proposal model, in one transaction; *chosen
 * receives its index.  Errors: MLFY_ENOTFOUND when none of them is a model
 * of the project (nothing changes), store errors. */
int mlfy_models_activate_first(struct mlfy_store *s, const char *const *names, size_t n,
			       size_t *chosen, struct mlfy_err *err);

#endif

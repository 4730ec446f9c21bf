/* audit.h - the audit log of a project (audit.c, table audit_log): one row
 * per administrative action, from the coordinator's console or the shell,
 * with who, how, what, its parameters and its outcome.  The table is
 * append-only (triggers refuse UPDATE and DELETE), so a row once written
 * stays as written.  Never put a password or a token into a row.
 */
#ifndef MLFY_STORE_AUDIT_H
#define MLFY_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Appends one row stamped with the current UTC time (mlfy_store_now:
 * "YYYY-MM-DDTHH:MM:SSZ", whole seconds).  All strings are borrowed:
 *   actor        who: an admin's account name, or "shell:LOGIN" (1..200 bytes)
 *   via          "console" or "cli"
 *   action       what, 1..100 bytes: e.g. "user.invite" (console), "user invite" (cli)
 *   params_json  the parameters as the text of one JSON object (at most
 *                64 KiB), NULL for "{}"
 *   result       the outcome: JSON, or an error message; NULL for ""
 *   ok           1 when the action succeeded, 0 when it failed
 * Runs inside the caller's transaction when one is open on s (the row then
 * commits or rolls back with the action), else in a transaction of its own.
 * Errors: MLFY_EINVAL naming the bad argument (nothing written),
 * MLFY_ESTORE/MLFY_EIO. */
int mlfy_audit_append(struct mlfy_store *s, const char *actor, const char *via, const char *action,
		      const char *params_json, const char *result, int ok, struct mlfy_err *err);

/* One row of the log.  The strings are owned by the entry. */
struct mlfy_audit_entry {
	int64_t id;          /* increasing in the order rows were written */
	char at[32];         /* ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	char *actor, *via, *action;
	char *params;        /* JSON object text */
	char *result;
	int ok;              /* 1 succeeded, 0 failed */
};

/* Frees what e owns and zeroes it.  Accepts NULL and zeroed entries. */
void mlfy_audit_entry_release(struct mlfy_audit_entry *e);
/* Releases n entries and frees the array.  Accepts NULL. */
void mlfy_audit_entries_free(struct mlfy_audit_entry *e, size_t n);

/* The rows newest first (by id): at most limit (>= 1) of them, those with
 * id < before_id when before_id > 0 (for paging: pass the last id of the
 * previous page), and with action NULL every action, else only rows whose
 * action equals it or, when it ends in '.', starts with it ("user." finds
 * "user.invite" and "user.role").  *out is a new array of *n entries
 * (mlfy_audit_entries_free; NULL when none).  Errors: MLFY_EINVAL (limit 0,
 * before_id < 0, an empty action), MLFY_ESTORE.  Read-only. */
int mlfy_audit_list(struct mlfy_store *s, int64_t before_id, size_t limit, const char *action,
		    struct mlfy_audit_entry **out, size_t *n, struct mlfy_err *err);

#endif

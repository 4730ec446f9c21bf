/* audit.c - the audit log (table audit_log, append-only): appending a row,
 * in the caller's transaction or one of its own, and listing rows newest
 * first with paging and an action filter (audit.h). */
#include "store/audit.h"
#include "store/engine.h"
#include "util/vec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARAMS_MAX (64 * 1024)

/* 0 when text is one JSON object, MLFY_EINVAL otherwise. */
static int check_params(const char *text, struct mlfy_err *err)
{
	json_error_t jerr;
	json_t *v;
	int is_object;

	if (strlen(text) > PARAMS_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "audit params: longer than %d bytes", PARAMS_MAX);
	if (!(v = json_loads(text, JSON_DECODE_ANY, &jerr)))
		return mlfy_err_set(err, MLFY_EINVAL, "audit params: not JSON (%s at character %d)", jerr.text,
				    jerr.position);
	is_object = json_is_object(v);
	json_decref(v);
	return is_object ? 0 : mlfy_err_set(err, MLFY_EINVAL, "audit params: not a JSON object");
}

static int check_args(const char *actor, const char *via, const char *action, const char *params,
		      struct mlfy_err *err)
{
	size_t na = actor ? strlen(actor) : 0, nc = action ? strlen(action) : 0;
	if (na < 1 || na > 200)
		return mlfy_err_set(err, MLFY_EINVAL, "audit actor must be 1 to 200 bytes");
	if (!via || (strcmp(via, "console") && strcmp(via, "cli")))
		return mlfy_err_set(err, MLFY_EINVAL, "audit via '%s': expected console or cli", via ? via : "");
	if (nc < 1 || nc > 100)
		return mlfy_err_set(err, MLFY_EINVAL, "audit action must be 1 to 100 bytes");
	return params ? check_params(params, err) : 0;
}

static int insert(struct mlfy_store *s, const char *actor, const char *via, const char *action,
		  const char *params, const char *result, int ok, struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO audit_log(at, actor, via, action, params, result, ok)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	char now[32];
	struct store_stmt *st;

	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_text(st, 1, now);
	stmt_bind_text(st, 2, actor);
	stmt_bind_text(st, 3, via);
	stmt_bind_text(st, 4, action);
	stmt_bind_text(st, 5, params ? params : "{}");
	stmt_bind_text(st, 6, result ? result : "");
	stmt_bind_int(st, 7, ok ? 1 : 0);
	return store_step_done(s, st, "append to the audit log", err);
}

int mlfy_audit_append(struct mlfy_store *s, const char *actor, const char *via, const char *action,
		      const char *params_json, const char *result, int ok, struct mlfy_err *err)
{
	int rc;

	if ((rc = check_args(actor, via, action, params_json, err)))
		return rc;
	if (mlfy_store_in_transaction(s))
		return insert(s, actor, via, action, params_json, result, ok, err);
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = insert(s, actor, via, action, params_json, result, ok, err)) || (rc = mlfy_store_commit(s, err))) {
		mlfy_store_rollback(s);
		return rc;
	}
	return 0;
}

void mlfy_audit_entry_release(struct mlfy_audit_entry *e)
{
	if (!e)
		return;
	MLFY_FREE_ALL(e->actor, e->via, e->action, e->params, e->result);
	memset(e, 0, sizeof(*e));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_audit_entries_free, struct mlfy_audit_entry, mlfy_audit_entry_release)

static int entry_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_audit_entry *e = elem;
	const char *at = stmt_text(st, 1);
	(void)ctx;
	e->id = stmt_int64(st, 0);
	snprintf(e->at, sizeof(e->at), "%s", at ? at : "");
	if (!(e->actor = stmt_dup(st, 2)) || !(e->via = stmt_dup(st, 3)) || !(e->action = stmt_dup(st, 4)) ||
	    !(e->params = stmt_dup(st, 5)) || !(e->result = stmt_dup(st, 6)))
		return mlfy_err_oom(err);
	e->ok = stmt_int(st, 7);
	return 0;
}

int mlfy_audit_list(struct mlfy_store *s, int64_t before_id, size_t limit, const char *action,
		    struct mlfy_audit_entry **out, size_t *n, struct mlfy_err *err)
{
	/* ?3 NULL: every action; ?4 = 1: ?3 is a prefix (it ends in '.') */
	static const char sql[] =
		"SELECT id, at, actor, via, action, params, result, ok FROM audit_log"
		" WHERE (?1 <= 0 OR id < ?1)"
		"   AND (CAST(?3 AS TEXT) IS NULL OR action = ?3 OR (?4 = 1 AND substr(action, 1, length(?3)) = ?3))"
		" ORDER BY id DESC LIMIT ?2";
	struct store_stmt *st;
	size_t len = action ? strlen(action) : 0;

	*out = NULL;
	*n = 0;
	if (limit < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "audit list: limit must be at least 1");
	if (before_id < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "audit list: before id %lld must not be negative",
				    (long long)before_id);
	if (action && len == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "audit list: empty action");
	STMT(st, sql);
	stmt_bind_int64(st, 1, before_id);
	stmt_bind_int64(st, 2, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	stmt_bind_text(st, 3, action);
	stmt_bind_int(st, 4, len > 0 && action[len - 1] == '.');
	return STORE_LIST(s, st, *out, n, entry_row, NULL, mlfy_audit_entry_release_any, "list the audit log", err);
}

/* queue.c - the refinement queue of stage iv (table refinement_queue):
 * which images need an expert and why, and the split of its rows among
 * experts (queue.h).  Owns the SQL of refinement_queue; reads images,
 * accounts and final_status. */
#include "store/queue.h"
#include "store/accounts.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_QUEUE_PUT[] =
	"INSERT INTO refinement_queue(image_id, rule, reason, queued_at) VALUES (?1, ?2, ?3, ?4)"
	" ON CONFLICT(image_id) DO UPDATE SET rule = excluded.rule, reason = excluded.reason"
	" WHERE refinement_queue.rule <> excluded.rule OR refinement_queue.reason <> excluded.reason";

static const char SQL_QUEUE_DEL[] = "DELETE FROM refinement_queue WHERE image_id = ?1";

int mlfy_review_queue_put(struct mlfy_store *s, int64_t image_id, const char *rule,
			  const char *reason, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "refinement queue")))
		return rc;
	if (!(st = store_stmt(s, SQL_QUEUE_PUT, err)))
		return err->code;
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, rule);
	stmt_bind_text(st, 3, reason);
	stmt_bind_text(st, 4, now);
	if ((rc = store_step_done(s, st, "queue image", err)))
		return mlfy_err_prefix(err, "image %lld", (long long)image_id);
	return 0;
}

int mlfy_review_queue_remove(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "refinement queue")))
		return rc;
	if (!(st = store_stmt(s, SQL_QUEUE_DEL, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	return store_step_done(s, st, "unqueue image", err);
}

void mlfy_queue_entry_release(struct mlfy_queue_entry *e)
{
	if (!e)
		return;
	MLFY_FREE_ALL(e->image, e->rule, e->reason, e->expert);
	memset(e, 0, sizeof(*e));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_queue_entries_free, struct mlfy_queue_entry, mlfy_queue_entry_release)

static const char SQL_QUEUE_LIST[] =
	"SELECT q.image_id, i.name, q.rule, q.reason, COALESCE(q.expert_id, 0), a.name,"
	" CASE WHEN f.stage = 'refined' THEN 1 ELSE 0 END"
	" FROM refinement_queue q JOIN images i ON i.id = q.image_id"
	" LEFT JOIN annotators a ON a.id = q.expert_id"
	" LEFT JOIN final_status f ON f.image_id = q.image_id"
	" WHERE (?1 = 0 OR (?1 = -1 AND q.expert_id IS NULL) OR q.expert_id = ?1)"
	"   AND (?2 = 0 OR q.image_id = ?2)"
	" ORDER BY i.name";

static int queue_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_queue_entry *e = elem;
	(void)ctx;
	e->image_id = stmt_int64(st, 0);
	e->expert_id = stmt_int64(st, 4);
	e->refined = stmt_int(st, 6);
	if (!(e->image = stmt_dup(st, 1)) || !(e->rule = stmt_dup(st, 2)) || !(e->reason = stmt_dup(st, 3)) ||
	    (!stmt_is_null(st, 5) && !(e->expert = stmt_dup(st, 5))))
		return mlfy_err_oom(err);
	return 0;
}

static int queue_query(struct mlfy_store *s, int64_t expert_id, int64_t image_id,
		       struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, SQL_QUEUE_LIST);
	stmt_bind_int64(st, 1, expert_id);
	stmt_bind_int64(st, 2, image_id);
	return STORE_LIST(s, st, *out, n, queue_row, NULL, mlfy_queue_entry_release_any, "read refinement queue", err);
}

int mlfy_review_queue_list(struct mlfy_store *s, int64_t expert_id,
			   struct mlfy_queue_entry **out, size_t *n, struct mlfy_err *err)
{
	return queue_query(s, expert_id, 0, out, n, err);
}

/* One image's row: a lookup by the key (SQL_QUEUE_LIST's "?2 = 0 OR
 * q.image_id = ?2" cannot use it -- the plan is made before the value is
 * known -- and walked every image in name order: O(images) per save,
 * which every stage-ii save pays through review/save.c). */
static const char SQL_QUEUE_GET[] =
	"SELECT q.image_id, i.name, q.rule, q.reason, COALESCE(q.expert_id, 0), a.name,"
	" CASE WHEN f.stage = 'refined' THEN 1 ELSE 0 END"
	" FROM refinement_queue q JOIN images i ON i.id = q.image_id"
	" LEFT JOIN annotators a ON a.id = q.expert_id"
	" LEFT JOIN final_status f ON f.image_id = q.image_id"
	" WHERE q.image_id = ?1";

int mlfy_review_queue_get(struct mlfy_store *s, int64_t image_id, struct mlfy_queue_entry *out,
			  struct mlfy_err *err)
{
	struct mlfy_queue_entry *v = NULL;
	struct store_stmt *st;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (image_id <= 0)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not in the refinement queue",
				    (long long)image_id);
	if (!(st = store_stmt(s, SQL_QUEUE_GET, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	if ((rc = STORE_LIST(s, st, v, &n, queue_row, NULL, mlfy_queue_entry_release_any, "read refinement queue",
			     err)))
		return rc;
	if (n == 0) {
		free(v);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not in the refinement queue",
				    (long long)image_id);
	}
	*out = v[0];
	free(v);
	return 0;
}

static void load_release_any(void *elem)
{
	free(((struct mlfy_expert_load *)elem)->name);
}

void mlfy_expert_loads_free(struct mlfy_expert_load *l, size_t n)
{
	mlfy_array_free(l, n, sizeof(*l), load_release_any);
}

static const char SQL_QUEUE_LOAD[] =
	"SELECT COUNT(*) FROM refinement_queue WHERE expert_id = ?1";

static const char SQL_QUEUE_REFINED[] =
	"SELECT COUNT(*) FROM refinement_queue q JOIN final_status f ON f.image_id = q.image_id"
	" WHERE q.expert_id = ?1 AND f.stage = 'refined'";

static const char SQL_QUEUE_UNASSIGNED[] =
	"SELECT q.image_id FROM refinement_queue q JOIN images i ON i.id = q.image_id"
	" WHERE q.expert_id IS NULL ORDER BY i.name";

static const char SQL_QUEUE_SET_EXPERT[] =
	"UPDATE refinement_queue SET expert_id = ?2, assigned_at = ?3 WHERE image_id = ?1";

int mlfy_review_queue_assign(struct mlfy_store *s, const char *const *names, size_t n,
			     struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err)
{
	struct mlfy_expert_load *load = NULL;
	int64_t *todo = NULL;
	size_t n_todo = 0, i, j;
	struct store_stmt *st;
	char now[32];
	int rc;

	if (out)
		*out = NULL;
	if (n_out)
		*n_out = 0;
	if ((rc = store_require_tx(s, err, "assign refinement")))
		return rc;
	if (n == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "no experts given");
	if (!(load = calloc(n, sizeof(*load))))
		return mlfy_err_oom(err);
	for (i = 0; i < n; i++) {
		struct mlfy_user u;
		for (j = 0; j < i; j++)
			if (!strcmp(names[i], names[j])) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "expert '%s' is listed twice", names[i]);
				goto out;
			}
		if (!(load[i].name = strdup(names[i]))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		rc = mlfy_users_get(s, names[i], &u, err);
		if (rc == MLFY_ENOTFOUND)
			rc = mlfy_err_set(err, MLFY_ENOTFOUND, "no account named '%s' (add it with 'mlfy user add')",
					  names[i]);
		if (rc)
			goto out;
		load[i].expert_id = u.id;
		if (u.role != MLFY_ROLE_EXPERT && u.role != MLFY_ROLE_ADMIN)
			rc = mlfy_err_set(err, MLFY_EINVAL, "'%s' has role %s; refinement needs an expert or admin",
					  names[i], mlfy_role_name(u.role));
		else if (u.disabled)
			rc = mlfy_err_set(err, MLFY_EINVAL, "account '%s' is disabled", names[i]);
		mlfy_user_release(&u);
		if (rc)
			goto out;
		if (!(st = store_stmt(s, SQL_QUEUE_LOAD, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, load[i].expert_id);
		if ((rc = store_query_i64(s, st, 0, &load[i].assigned, "count queue", err)))
			goto out;
	}
	if (!(st = store_stmt(s, SQL_QUEUE_UNASSIGNED, err))) {
		rc = err->code;
		goto out;
	}
	if ((rc = store_rows_i64(s, st, &todo, &n_todo, "read refinement queue", err)))
		goto out;
	mlfy_store_now(now);
	for (i = 0; i < n_todo; i++) {
		size_t best = 0;
		for (j = 1; j < n; j++)
			if (load[j].assigned < load[best].assigned)
				best = j;
		if (!(st = store_stmt(s, SQL_QUEUE_SET_EXPERT, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, todo[i]);
		stmt_bind_int64(st, 2, load[best].expert_id);
		stmt_bind_text(st, 3, now);
		if ((rc = store_step_done(s, st, "assign expert", err)))
			goto out;
		load[best].assigned++;
		load[best].added++;
	}
	for (i = 0; i < n; i++) {
		if (!(st = store_stmt(s, SQL_QUEUE_REFINED, err))) {
			rc = err->code;
			goto out;
		}
		stmt_bind_int64(st, 1, load[i].expert_id);
		if ((rc = store_query_i64(s, st, 0, &load[i].refined, "count refined", err)))
			goto out;
	}
	rc = 0;
	if (out) {
		*out = load;
		load = NULL;
	}
	if (n_out)
		*n_out = n;
out:
	mlfy_expert_loads_free(load, n);
	free(todo);
	return rc;
}

/* assign.c - stage-ii assignments (table assignments): which annotators
 * label which image batches, and the balanced "least loaded first" rule
 * that fills the missing slots (assign.h).  Owns the SQL of assignments;
 * reads images and accounts. */
#include "store/assign.h"
#include "store/accounts.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlfy_assign_report_release(struct mlfy_assign_report *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_load; i++)
		free(r->load[i].annotator);
	free(r->load);
	memset(r, 0, sizeof(*r));
}

struct batch_info {
	int batch;
	int64_t images;
	int n_have;     /* annotators on it (any account) */
};

/* Row (id, name) of a candidate. */
static int load_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_assign_load *l = elem;
	(void)ctx;
	l->annotator_id = stmt_int64(st, 0);
	return (l->annotator = stmt_dup(st, 1)) ? 0 : mlfy_err_oom(err);
}

static void load_release(void *elem)
{
	free(((struct mlfy_assign_load *)elem)->annotator);
}

/* Row (batch, images) of a batch. */
static int batch_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct batch_info *b = elem;
	(void)ctx;
	(void)err;
	b->batch = stmt_int(st, 0);
	b->images = stmt_int64(st, 1);
	return 0;
}

static int assign_work(struct mlfy_store *s, int per_image, const char *const *names, size_t n,
		       struct mlfy_assign_report *rep, struct mlfy_err *err)
{
	static const char sql_all[] =
		"SELECT id, name FROM annotators WHERE role = 'annotator' AND disabled = 0 ORDER BY name";
	static const char sql_batches[] = "SELECT batch, COUNT(*) FROM images GROUP BY batch ORDER BY batch";
	static const char sql_have[] = "SELECT batch, annotator_id FROM assignments ORDER BY batch";
	static const char sql_gold[] =
		"SELECT DISTINCT i.batch, g.annotator_id FROM gold_tasks g JOIN images i ON i.id = g.image_id";
	static const char sql_ins[] =
		"INSERT INTO assignments(batch, annotator_id, assigned_at) VALUES (?1, ?2, ?3)";
	struct batch_info *b = NULL;
	struct mlfy_assign_load *L = NULL;
	unsigned char *on = NULL;   /* on[bi * nl + li]: candidate li has batch bi */
	size_t nb = 0, nl = 0, i, j;
	struct store_stmt *st;
	char now[32];
	int rc = 0;

	/* candidates */
	if (n == 0) {
		STMT(st, sql_all);
		if ((rc = STORE_ROWS(s, st, L, &nl, load_row, NULL, load_release, "list annotators", err)))
			goto out;
	} else {
		if (!(L = calloc(n, sizeof(*L)))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct mlfy_user u;
			for (j = 0; j < i; j++)
				if (!strcmp(names[i], names[j])) {
					rc = mlfy_err_set(err, MLFY_EINVAL, "annotator '%s' named twice", names[i]);
					goto out;
				}
			if ((rc = mlfy_users_get(s, names[i], &u, err)))
				goto out;
			if (u.disabled) {
				rc = mlfy_err_set(err, MLFY_ENOTFOUND, "user '%s' is disabled", names[i]);
				mlfy_user_release(&u);
				goto out;
			}
			L[nl].annotator_id = u.id;
			L[nl++].annotator = u.name;   /* steals the name */
		}
		/* report order: by name */
		for (i = 1; i < nl; i++)
			for (j = i; j > 0 && strcmp(L[j - 1].annotator, L[j].annotator) > 0; j--) {  /* NOLINT(clang-analyzer-core.NonNullParamChecker): mlfy_users_get filled every name */
				struct mlfy_assign_load t = L[j];
				L[j] = L[j - 1];
				L[j - 1] = t;
			}
	}
	if (per_image < 1 || (size_t)per_image > nl) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "--per-image %d needs at least that many annotators; %zu available", per_image, nl);
		goto out;
	}

	/* batches */
	if (!(st = store_stmt(s, sql_batches, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	if ((rc = STORE_ROWS(s, st, b, &nb, batch_row, NULL, NULL, "list batches", err)))
		goto out;
	if (nb && !(on = calloc(nb * nl, 1))) {
		rc = mlfy_err_oom(err);
		goto out;
	}

	/* existing assignments */
	if (!(st = store_stmt(s, sql_have, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int batch = stmt_int(st, 0);
		int64_t who = stmt_int64(st, 1);
		size_t lo = 0, hi = nb;
		while (lo < hi) {       /* batches are sorted */
			size_t mid = (lo + hi) / 2;
			if (b[mid].batch < batch)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == nb || b[lo].batch != batch)
			continue;       /* a batch with no images left */
		b[lo].n_have++;
		for (j = 0; j < nl; j++)
			if (L[j].annotator_id == who) {
				on[lo * nl + j] = 1;
				L[j].batches++;
				L[j].images += b[lo].images;
			}
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "list assignments");
		goto out;
	}
	rc = 0;

	/* a batch holding one of a candidate's gold tasks is never theirs: the
	 * gold answer and their own answer would be the same history */
	if (!(st = store_stmt(s, sql_gold, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int batch = stmt_int(st, 0);
		int64_t who = stmt_int64(st, 1);
		for (i = 0; i < nb; i++)
			for (j = 0; b[i].batch == batch && j < nl; j++)
				if (L[j].annotator_id == who && !on[i * nl + j])
					on[i * nl + j] = 2;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "list gold tasks");
		goto out;
	}
	rc = 0;

	/* fill the missing slots, least loaded first */
	mlfy_store_now(now);
	for (i = 0; i < nb; i++) {
		while (b[i].n_have < per_image) {
			size_t best = nl;
			for (j = 0; j < nl; j++) {
				if (on[i * nl + j])
					continue;
				if (best == nl || L[j].images < L[best].images ||
				    (L[j].images == L[best].images && L[j].batches < L[best].batches))
					best = j;
			}
			if (best == nl)
				break;
			if (!(st = store_stmt(s, sql_ins, err))) {
				rc = err ? err->code : MLFY_ESTORE;
				goto out;
			}
			stmt_bind_int(st, 1, b[i].batch);
			stmt_bind_int64(st, 2, L[best].annotator_id);
			stmt_bind_text(st, 3, now);
			rc = stmt_step(st);
			stmt_reset(st);
			if (rc != STORE_DONE) {
				rc = store_fail(s, err, "add assignment");
				goto out;
			}
			rc = 0;
			on[i * nl + best] = 1;
			L[best].batches++;
			L[best].images += b[i].images;
			L[best].added++;
			b[i].n_have++;
			rep->added++;
		}
		if (b[i].n_have >= per_image)
			rep->complete++;
	}
	rep->n_batches = (int)nb;
	rep->load = L;
	rep->n_load = nl;
	L = NULL;
	nl = 0;
out:
	for (i = 0; i < nl; i++)
		free(L[i].annotator);
	MLFY_FREE_ALL(L, b, on);
	return rc;
}

int mlfy_assign_batches_tx(struct mlfy_store *s, int per_image, const char *const *names,
			   size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err)
{
	int rc;
	memset(rep, 0, sizeof(*rep));
	if ((rc = store_require_tx(s, err, "assignments")))
		return rc;
	if ((rc = assign_work(s, per_image, names, n, rep, err)))
		mlfy_assign_report_release(rep);
	return rc;
}

int mlfy_assign_batches(struct mlfy_store *s, int per_image, const char *const *names,
			size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err)
{
	int rc;
	memset(rep, 0, sizeof(*rep));
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = assign_work(s, per_image, names, n, rep, err))) {
		mlfy_store_rollback(s);
		mlfy_assign_report_release(rep);
		return rc;
	}
	if ((rc = mlfy_store_commit(s, err)))
		mlfy_assign_report_release(rep);
	return rc;
}

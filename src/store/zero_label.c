/* zero_label.c - zero-label reviews (table zero_label_reviews): an expert's
 * category and verdict for an image whose final set is empty, kept as a
 * history; the categories' and verdicts' names and labels (the one place
 * they are defined); the images still awaiting a review (zero_label.h). */
#include "store/zero_label.h"
#include "store/accounts.h"
#include "store/engine.h"
#include "util/vocab.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const zero_categories[] = MLFY_ZERO_CATEGORIES;

static const char *const zero_verdicts[] = MLFY_ZERO_VERDICTS;

static const char *const zero_category_labels[MLFY_ZERO_N_CATEGORIES] = {
	"no valid proposal", "low resolution", "fine-grained, needs an expert", "unusual object or viewpoint"
};

static const char *const zero_verdict_labels[MLFY_ZERO_N_VERDICTS] = { "correct (agree)", "wrong (disagree)",
									"unsure" };

const char *mlfy_zero_category_name(int i)
{
	return mlfy_name_of(zero_categories, MLFY_ZERO_N_CATEGORIES, i, "?");
}

const char *mlfy_zero_category_label(int i)
{
	return mlfy_name_of(zero_category_labels, MLFY_ZERO_N_CATEGORIES, i, "?");
}

const char *mlfy_zero_verdict_name(int i)
{
	return mlfy_name_of(zero_verdicts, MLFY_ZERO_N_VERDICTS, i, "?");
}

const char *mlfy_zero_verdict_label(int i)
{
	return mlfy_name_of(zero_verdict_labels, MLFY_ZERO_N_VERDICTS, i, "?");
}

int mlfy_zero_category_index(const char *category)
{
	return mlfy_name_index(zero_categories, MLFY_ZERO_N_CATEGORIES, category);
}

int mlfy_zero_verdict_index(const char *verdict)
{
	return mlfy_name_index(zero_verdicts, MLFY_ZERO_N_VERDICTS, verdict);
}

static const char SQL_IMAGE_FINAL[] =
	"SELECT i.name, f.stage, (SELECT COUNT(*) FROM final_labels l WHERE l.image_id = i.id)"
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id WHERE i.id = ?1";

static const char SQL_ZERO_ADD[] =
	"INSERT INTO zero_label_reviews(image_id, expert_id, category, verdict, comment, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

int mlfy_review_zero_add(struct mlfy_store *s, int64_t image_id, int64_t expert_id,
			 const char *category, const char *verdict, const char *comment,
			 int64_t *id, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "zero-label review")))
		return rc;
	if (mlfy_zero_category_index(category) < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "unknown zero-label category '%s' (expected %s, %s, %s or %s)",
				    category ? category : "", zero_categories[0], zero_categories[1],
				    zero_categories[2], zero_categories[3]);
	if (mlfy_zero_verdict_index(verdict) < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "unknown verdict '%s' (expected agree, disagree or unsure)",
				    verdict ? verdict : "");
	if (!(st = store_stmt(s, SQL_IMAGE_FINAL, err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_DONE) {
		stmt_reset(st);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
	}
	if (rc != STORE_ROW) {
		rc = store_fail(s, err, "read image");
		stmt_reset(st);
		return rc;
	}
	if (stmt_is_null(st, 1)) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "image '%s' has no final labels yet; a zero-label review is for images whose"
				  " final set is empty (finalize its refinement first)",
				  stmt_text(st, 0));
		stmt_reset(st);
		return rc;
	}
	if (stmt_int64(st, 2) > 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "image '%s' has %lld final label(s); a zero-label review is for images whose"
				  " final set is empty", stmt_text(st, 0),
				  (long long)stmt_int64(st, 2));
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	{
		struct mlfy_user u;
		if ((rc = mlfy_users_get_id(s, expert_id, &u, err)))
			return rc;
		if ((u.role != MLFY_ROLE_EXPERT && u.role != MLFY_ROLE_ADMIN) || u.disabled)
			rc = mlfy_err_set(err, MLFY_EPERM, "'%s' may not record zero-label reviews (needs an enabled"
					  " expert or admin account)", u.name);
		mlfy_user_release(&u);
		if (rc)
			return rc;
	}
	if (!(st = store_stmt(s, SQL_ZERO_ADD, err)))
		return err->code;
	mlfy_store_now(now);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, expert_id);
	stmt_bind_text(st, 3, category);
	stmt_bind_text(st, 4, verdict);
	stmt_bind_text(st, 5, comment ? comment : "");
	stmt_bind_text(st, 6, now);
	if ((rc = store_step_done(s, st, "write zero-label review", err)))
		return rc;
	if (id)
		*id = store_last_id(s);
	return 0;
}

void mlfy_zero_review_release(struct mlfy_zero_review *z)
{
	if (!z)
		return;
	MLFY_FREE_ALL(z->expert, z->category, z->verdict, z->comment);
	memset(z, 0, sizeof(*z));
}

static const char SQL_ZERO_GET[] =
	"SELECT z.id, a.name, z.category, z.verdict, z.comment, z.created_at"
	" FROM zero_label_reviews z JOIN annotators a ON a.id = z.expert_id"
	" WHERE z.image_id = ?1 ORDER BY z.id DESC LIMIT 1";

int mlfy_review_zero_get(struct mlfy_store *s, int64_t image_id, struct mlfy_zero_review *out,
			 struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_ZERO_GET, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_DONE) {
		stmt_reset(st);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld has no zero-label review", (long long)image_id);
	}
	if (rc != STORE_ROW) {
		rc = store_fail(s, err, "read zero-label review");
		stmt_reset(st);
		return rc;
	}
	out->id = stmt_int64(st, 0);
	out->image_id = image_id;
	out->expert = stmt_dup(st, 1);
	out->category = stmt_dup(st, 2);
	out->verdict = stmt_dup(st, 3);
	out->comment = stmt_dup(st, 4);
	snprintf(out->created_at, sizeof(out->created_at), "%s", stmt_text(st, 5));
	stmt_reset(st);
	if (!out->expert || !out->category || !out->verdict || !out->comment) {
		mlfy_zero_review_release(out);
		return mlfy_err_oom(err);
	}
	return 0;
}

static const char SQL_ZERO_PENDING[] =
	"SELECT f.image_id FROM final_status f JOIN images i ON i.id = f.image_id"
	" WHERE NOT EXISTS (SELECT 1 FROM final_labels l WHERE l.image_id = f.image_id)"
	"   AND NOT EXISTS (SELECT 1 FROM zero_label_reviews z WHERE z.image_id = f.image_id)"
	" ORDER BY i.name";

int mlfy_review_zero_pending(struct mlfy_store *s, int64_t **ids, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;

	*ids = NULL;
	*n = 0;
	STMT(st, SQL_ZERO_PENDING);
	return store_list_i64(s, st, ids, n, "read zero-label images", err);
}

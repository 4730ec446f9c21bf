/* review_tx.c - stage iv steps as one transaction each (see review_tx.h). */
#include "review/review_tx.h"

#include <string.h>

#include "review/refine.h"
#include "store/accounts.h"
#include "store/catalog.h"
#include "store/zero_label.h"

/* Commits when rc is 0, else rolls back; returns the result. */
static int finish(struct mlfy_store *s, int rc, struct mlfy_err *err)
{
	if (!rc && !(rc = mlfy_store_commit(s, err)))
		return 0;
	mlfy_store_rollback(s);
	return rc;
}

int mlfy_finalize_images(struct mlfy_store *s, const char *const *names, size_t n, int64_t *n_done,
			 int64_t *n_waiting, struct mlfy_err *err)
{
	size_t i;
	int rc;

	*n_done = 0;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (n == 0)
		return finish(s, mlfy_review_finalize_all(s, n_done, n_waiting, err), err);
	for (i = 0; i < n; i++) {
		int64_t id;
		int changed = 0;
		if ((rc = mlfy_catalog_image_id(s, names[i], &id, err)) ||
		    (rc = mlfy_review_finalize(s, id, &changed, err))) {
			mlfy_err_prefix(err, "%s", names[i]);
			break;
		}
		*n_done += changed;
	}
	return finish(s, rc, err);
}

int mlfy_queue_assign_experts(struct mlfy_store *s, const char *const *names, size_t n,
			      struct mlfy_expert_load **out, size_t *n_out, struct mlfy_err *err)
{
	int rc;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	return finish(s, mlfy_review_queue_assign(s, names, n, out, n_out, err), err);
}

int mlfy_zero_review_record(struct mlfy_store *s, const char *image, const char *expert,
			    const char *category, const char *verdict, const char *comment,
			    struct mlfy_err *err)
{
	struct mlfy_user who;
	int64_t image_id;
	int rc;

	memset(&who, 0, sizeof(who));
	if ((rc = mlfy_catalog_image_id(s, image, &image_id, err)) ||
	    (rc = mlfy_users_get(s, expert, &who, err)))
		goto out;
	if ((rc = mlfy_store_begin(s, err)))
		goto out;
	rc = finish(s, mlfy_review_zero_add(s, image_id, who.id, category, verdict, comment, NULL, err), err);
out:
	mlfy_user_release(&who);
	return rc;
}

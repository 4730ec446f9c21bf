/* reopen.c - reopening decided images (reopen.h): the decision removed
 * and audited in one transaction. */
#include "review/reopen.h"

#include <inttypes.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/queue.h"
#include "util/vec.h"

/* The n numbers of v (int or int64 through get) space-separated into a
 * new string *out. */
static int join(size_t n, int64_t (*get)(const void *, size_t), const void *v, char **out,
		struct mlfy_err *err)
{
	size_t i, k = 0, cap = 21 * n + 1;
	char *t = malloc(cap);

	if (!t)
		return mlfy_err_oom(err);
	t[0] = '\0';
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(t + k, cap - k, i ? " %" PRId64 : "%" PRId64, get(v, i));
	*out = t;
	return 0;
}

static int64_t get_int(const void *v, size_t i)
{
	return ((const int *)v)[i];
}

static int64_t get_i64(const void *v, size_t i)
{
	return ((const int64_t *)v)[i];
}

/* Fills *r with image_id's decision (which must exist), then removes it. */
static int reopen_one(struct mlfy_store *s, int64_t image_id, struct mlfy_reopening *r, struct mlfy_err *err)
{
	struct mlfy_queue_entry q;
	struct mlfy_final f;
	int64_t *basis = NULL;
	size_t n_basis = 0;
	int rc, decided, queued;

	memset(&f, 0, sizeof(f));
	memset(&q, 0, sizeof(q));
	r->image_id = image_id;
	rc = mlfy_final_get(s, image_id, &f, err);
	if (rc && rc != MLFY_ENOTFOUND)
		return rc;
	decided = !rc;
	rc = mlfy_review_queue_get(s, image_id, &q, err);
	if (rc && rc != MLFY_ENOTFOUND)
		goto out;
	queued = !rc;
	rc = 0;
	if (!decided && !queued) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "not decided and not queued for refinement: it is open already");
		goto out;
	}
	if ((rc = mlfy_decision_basis_get(s, image_id, &basis, &n_basis, err)) ||
	    (rc = join(n_basis, get_i64, basis, &r->basis, err)) ||
	    (rc = join(decided ? f.n : 0, get_int, f.classes, &r->labels, err)))
		goto out;
	if (!(r->stage = strdup(decided ? mlfy_final_stage_name(f.stage) : "queued")) ||
	    (decided && !(r->decided_at = strdup(f.decided_at)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	if (queued) {
		size_t len = strlen(q.rule) + strlen(q.reason) + 2;
		if (!(r->queue_reason = malloc(len))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		snprintf(r->queue_reason, len, "%s:%s", q.rule, q.reason);
	}
	r->annotation_id = decided ? f.annotation_id : 0;
	if ((rc = mlfy_reopening_add(s, r, &r->id, err)) || (rc = mlfy_final_delete(s, image_id, err)) ||
	    (rc = mlfy_review_queue_remove(s, image_id, err)))
		goto out;
	mlfy_store_now(r->at);
out:
	free(basis);
	mlfy_final_release(&f);
	mlfy_queue_entry_release(&q);
	return rc;
}

/* The image named name, or "#ID" as the pages and the server's messages
 * number images ("image 8 is closed"; QA). */
static int image_of(struct mlfy_store *s, const char *name, int64_t *id, struct mlfy_err *err)
{
	struct mlfy_image img;
	char *end;
	long long v;
	int rc;

	if (name[0] != '#' || name[1] < '0' || name[1] > '9')
		return mlfy_catalog_image_id(s, name, id, err);
	errno = 0;
	v = strtoll(name + 1, &end, 10);
	if (errno || *end || v < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "not an image id (expected #N)");
	if ((rc = mlfy_catalog_image_by_id(s, v, &img, err)))
		return rc == MLFY_ENOTFOUND ? mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", v) : rc;
	mlfy_image_release(&img);
	*id = v;
	return 0;
}

int mlfy_reopen_images(struct mlfy_store *s, const char *const *names, size_t n, const char *by,
		       const char *reason, struct mlfy_reopening **out, size_t *n_out, struct mlfy_err *err)
{
	struct mlfy_reopening *r;
	size_t i, j;
	int rc = 0;

	if (out) {
		*out = NULL;
		*n_out = 0;
	}
	if (!n)
		return mlfy_err_set(err, MLFY_EINVAL, "reopen: no image named");
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return mlfy_err_set(err, MLFY_EINVAL, "%s: given twice", names[i]);
	if (!(r = calloc(n, sizeof(*r))))
		return mlfy_err_oom(err);
	if ((rc = mlfy_store_begin(s, err))) {
		free(r);
		return rc;
	}
	for (i = 0; i < n && !rc; i++) {
		int64_t id;
		if (!(r[i].by = strdup(by ? by : "")) || !(r[i].reason = strdup(reason ? reason : "")))
			rc = mlfy_err_oom(err);
		else if ((rc = image_of(s, names[i], &id, err)) || (rc = reopen_one(s, id, &r[i], err)))
			mlfy_err_prefix(err, "%s", names[i]);
	}
	if (rc || (rc = mlfy_store_commit(s, err)))
		mlfy_store_rollback(s);
	if (rc || !out) {
		mlfy_reopenings_free(r, n);
		return rc;
	}
	*out = r;
	*n_out = n;
	return 0;
}

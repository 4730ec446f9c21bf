/* dashboard.c - the admin dashboard's numbers: stage-ii progress per batch x
 * annotator (done, median time on image, labels per image, empty sets) with
 * the review counts of review_stats.h, in one read snapshot (dashboard.h).
 * Reads only. */
#define _POSIX_C_SOURCE 200809L
#include "store/dashboard.h"
#include "store/engine.h"

#include <stdlib.h>
#include <string.h>

void mlfy_dashboard_release(struct mlfy_dashboard *d)
{
	size_t i;
	if (!d)
		return;
	for (i = 0; i < d->n_rows; i++)
		free(d->rows[i].annotator);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

static int dash_row_stats(struct mlfy_store *s, struct mlfy_dash_row *r, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT n.seconds, (SELECT COUNT(*) FROM annotation_labels l WHERE l.annotation_id = n.id)"
		" FROM annotations n JOIN images i ON i.id = n.image_id"
		" WHERE n.annotator_id = ?1 AND n.stage = 'annotate' AND i.batch = ?2"
		"   AND n.version = (SELECT MAX(b.version) FROM annotations b WHERE b.image_id = n.image_id"
		"     AND b.annotator_id = n.annotator_id AND b.stage = 'annotate')"
		" ORDER BY n.seconds";
	double *sec = NULL;
	size_t cap = 0;
	int64_t labels = 0;
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, r->annotator_id);
	stmt_bind_int(st, 2, r->batch);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int nl = stmt_int(st, 1);
		if ((size_t)r->done == cap) {
			double *nv;
			cap = cap ? 2 * cap : 64;
			if (!(nv = realloc(sec, cap * sizeof(double)))) {
				stmt_reset(st);
				free(sec);
				return store_oom(err);
			}
			sec = nv;
		}
		sec[r->done++] = stmt_double(st, 0);  /* NOLINT(clang-analyzer-core.NullDereference): sec was grown when done reached cap */
		labels += nl;
		r->empty += nl == 0;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		free(sec);
		return store_fail(s, err, "dashboard");
	}
	if (r->done) {
		/* rows come sorted by seconds: the median is the middle one or the
		 * mean of the two middle ones */
		size_t m = (size_t)r->done / 2;
		r->median_seconds = r->done % 2 ? sec[m] : (sec[m - 1] + sec[m]) / 2;  /* NOLINT(clang-analyzer-core.NullDereference): sec holds r->done values (grown with done) */
		r->labels_per_image = (double)labels / (double)r->done;
	}
	free(sec);
	return 0;
}

/* Fills out (zeroed by the caller); the caller releases it on error. */
static int dashboard_work(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err)
{
	static const char sql_rows[] =
		"SELECT a.batch, a.annotator_id, u.name, (SELECT COUNT(*) FROM images i WHERE i.batch = a.batch)"
		" FROM assignments a JOIN annotators u ON u.id = a.annotator_id ORDER BY a.batch, u.name";
	struct store_stmt *st;
	size_t cap = 0, i;
	int rc;

	STMT(st, sql_rows);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_dash_row *r;
		if (out->n_rows == cap) {
			cap = cap ? 2 * cap : 32;
			if (!(r = realloc(out->rows, cap * sizeof(*r)))) {
				stmt_reset(st);
				return store_oom(err);
			}
			out->rows = r;
		}
		r = &out->rows[out->n_rows];
		memset(r, 0, sizeof(*r));
		r->batch = stmt_int(st, 0);
		r->annotator_id = stmt_int64(st, 1);
		r->annotator = stmt_dup(st, 2);
		r->assigned = stmt_int64(st, 3);
		out->n_rows++;
		if (!r->annotator) {
			stmt_reset(st);
			return store_oom(err);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "dashboard");
	for (i = 0; i < out->n_rows; i++)
		if ((rc = dash_row_stats(s, &out->rows[i], err)))
			return rc;
	if ((rc = mlfy_review_stats_get(s, &out->review, err)))
		return rc;
	out->n_images = out->review.images;
	return 0;
}

int mlfy_dashboard_get(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err)
{
	int rc, began;

	memset(out, 0, sizeof(*out));
	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	rc = dashboard_work(s, out, err);
	store_read_end(s, began);
	if (rc)
		mlfy_dashboard_release(out);
	return rc;
}

/* dashboard.c - the admin dashboard's numbers: stage-ii progress per batch x
 * annotator (done, median time on image, labels per image, empty sets) with
 * the review counts of review_stats.h, in one read snapshot (dashboard.h).
 * Reads only. */
#include "store/dashboard.h"
#include "store/engine.h"
#include "util/vec.h"

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
	int64_t labels = 0;  /* sec grows with r->done (MLFY_GROW) */
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, r->annotator_id);
	stmt_bind_int(st, 2, r->batch);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int nl = stmt_int(st, 1);
		if (MLFY_GROW(sec, cap, (size_t)r->done + 1)) {
			stmt_reset(st);
			free(sec);
			return mlfy_err_oom(err);
		}
		sec[r->done++] = stmt_double(st, 0);  /* NOLINT(clang-analyzer-core.NullDereference): sec was grown to hold done + 1 */
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

/* Row (batch, annotator id, name, images in the batch). */
static int dash_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_dash_row *r = elem;
	(void)ctx;
	r->batch = stmt_int(st, 0);
	r->annotator_id = stmt_int64(st, 1);
	r->assigned = stmt_int64(st, 3);
	return (r->annotator = stmt_dup(st, 2)) ? 0 : mlfy_err_oom(err);
}

static void dash_row_release(void *elem)
{
	free(((struct mlfy_dash_row *)elem)->annotator);
}

/* Fills out (zeroed by the caller); the caller releases it on error. */
static int dashboard_work(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err)
{
	static const char sql_rows[] =
		"SELECT a.batch, a.annotator_id, u.name, (SELECT COUNT(*) FROM images i WHERE i.batch = a.batch)"
		" FROM assignments a JOIN annotators u ON u.id = a.annotator_id ORDER BY a.batch, u.name";
	struct store_stmt *st;
	size_t i;
	int rc;

	STMT(st, sql_rows);
	if ((rc = STORE_ROWS(s, st, out->rows, &out->n_rows, dash_row, NULL, dash_row_release, "dashboard", err)))
		return rc;
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

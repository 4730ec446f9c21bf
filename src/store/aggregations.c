/* aggregations.c - reads table aggregations joined with its questions
 * (aggregations.h). */
#include "store/aggregations.h"
#include "store/engine.h"

static const char SQL_AGG_ALL[] =
	"SELECT a.question_id, q.image_name, q.class_idx, a.posterior, a.label, a.threshold"
	" FROM aggregations a JOIN questions q ON q.id = a.question_id"
	" WHERE a.method = ?1 ORDER BY a.question_id";

int mlfy_aggregations_foreach(struct mlfy_store *s, const char *method, mlfy_aggregation_cb cb, void *ctx,
			      struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_AGG_ALL, err);
	int rc;

	if (!st)
		return err->code;
	stmt_bind_text(st, 1, method);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_aggregation_row r;
		r.question_id = stmt_int64(st, 0);
		r.image = stmt_text(st, 1);
		r.class_idx = stmt_int(st, 2);
		r.posterior = stmt_double(st, 3);
		r.label = stmt_int(st, 4);
		r.threshold = stmt_double(st, 5);
		if ((rc = cb(&r, ctx))) {
			stmt_reset(st);
			return rc;
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read aggregations");
	return 0;
}

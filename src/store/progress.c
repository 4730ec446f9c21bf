/* progress.c - table progress_counts (progress.h): its check against a
 * recount of the history.  The table is written only by the schema's
 * trigger on annotations and read by store/taskpage.c. */
#include "store/progress.h"
#include "store/engine.h"

/* the recount, grouped as the table is keyed */
#define RECOUNT                                                                                    \
	"SELECT a.annotator_id AS annotator_id, a.stage AS stage, i.batch AS batch,"                 \
	" COUNT(DISTINCT a.image_id) AS n"                                                           \
	" FROM annotations a JOIN images i ON i.id = a.image_id GROUP BY a.annotator_id, a.stage, i.batch"
#define STORED "SELECT annotator_id, stage, batch, n FROM progress_counts"

static const char SQL_CHECK[] =
	"SELECT COUNT(*) FROM ("
	" SELECT annotator_id, stage, batch FROM (" RECOUNT " EXCEPT " STORED ") d1"
	" UNION SELECT annotator_id, stage, batch FROM (" STORED " EXCEPT " RECOUNT ") d2) d";

int mlfy_progress_check(struct mlfy_store *s, int64_t *mismatches, struct mlfy_err *err)
{
	struct store_stmt *st;
	*mismatches = 0;
	STMT(st, SQL_CHECK);
	return store_query_i64(s, st, 0, mismatches, "check progress counts", err);
}

/* arms.c - the anchoring experiment's arm of each refinement task (table
 * refinement_arms; arms.h). */
#include "store/arms.h"
#include "store/engine.h"

#include <string.h>

static const char SQL_ARM_PUT[] =
	"INSERT INTO refinement_arms(image_id, arm, planted_class, seed, assigned_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(image_id) DO NOTHING";
static const char SQL_ARM_GET[] = "SELECT arm, planted_class FROM refinement_arms WHERE image_id = ?1";

const char *mlfy_arm_name(enum mlfy_arm a)
{
	return a == MLFY_ARM_BLIND ? "blind" : "shown";
}

int mlfy_arm_put(struct mlfy_store *s, int64_t image_id, enum mlfy_arm arm, int planted, int64_t seed,
		 int *kept, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "refinement arm")))
		return rc;
	mlfy_store_now(now);
	STMT(st, SQL_ARM_PUT);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, mlfy_arm_name(arm));
	if (planted >= 0)
		stmt_bind_int(st, 3, planted);
	else
		stmt_bind_null(st, 3);
	stmt_bind_int64(st, 4, seed);
	stmt_bind_text(st, 5, now);
	if ((rc = store_step_done(s, st, "record refinement arm", err)))
		return rc;
	if (kept)
		*kept = store_changes(s) == 0;
	return 0;
}

int mlfy_arm_get(struct mlfy_store *s, int64_t image_id, struct mlfy_arm_row *out, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	out->arm = MLFY_ARM_SHOWN;
	out->planted = -1;
	STMT(st, SQL_ARM_GET);
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		const char *a = stmt_text(st, 0);
		out->arm = a && !strcmp(a, "blind") ? MLFY_ARM_BLIND : MLFY_ARM_SHOWN;
		out->planted = stmt_is_null(st, 1) ? -1 : stmt_int(st, 1);
		rc = STORE_DONE;
	}
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "read refinement arm");
}

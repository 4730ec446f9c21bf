/* live_watch.c - the change sequence followed across processes
 * (live_watch.h): LISTEN/NOTIFY on PostgreSQL (pg_listen.h), PRAGMA
 * data_version on SQLite. */
#include "store/live_watch.h"

#include <stdlib.h>
#include <time.h>

#include "store/engine.h"
#include "store/live_input.h"
#include "store/pg_listen.h"

struct mlfy_live_watch {
	struct mlfy_store *s;
	int64_t seq;            /* the highest final_changes.seq as last read */
	int64_t version;        /* SQLite: data_version as last read */
	int64_t waited_ms;      /* PostgreSQL: time waited since the last read */
};

static int data_version(struct mlfy_store *s, int64_t *v, struct mlfy_err *err)
{
	return store_scalar(s, "PRAGMA data_version", v, "read the data version", err);
}

int mlfy_live_watch_open(const char *project, struct mlfy_live_watch **out, struct mlfy_err *err)
{
	struct mlfy_live_watch *w;
	int rc;

	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))))
		return mlfy_err_oom(err);
	if ((rc = mlfy_store_open(project, 0, &w->s, err)))
		goto fail;
	if (store_dialect(w->s) == STORE_PG)
		rc = store_pg_listen(w->s, "mlfy_changes", err);
	else
		rc = data_version(w->s, &w->version, err);
	/* after LISTEN: a change committed from here on is notified */
	if (rc || (rc = mlfy_live_max_seq(w->s, &w->seq, err)))
		goto fail;
	*out = w;
	return 0;
fail:
	mlfy_live_watch_close(w);
	return rc;
}

int mlfy_live_watch_wait(struct mlfy_live_watch *w, int timeout_ms, int64_t *seq, struct mlfy_err *err)
{
	int changed = 0, rc;

	if (store_dialect(w->s) == STORE_PG) {
		if ((rc = store_pg_listen_wait(w->s, timeout_ms, &changed, err)))
			return rc;
		w->waited_ms += timeout_ms;
		if (changed && (rc = store_pg_listen(w->s, "mlfy_changes", err)))   /* LISTEN again: idempotent */
			return rc;
		if (w->waited_ms >= LIVE_WATCH_RECHECK_MS)
			changed = 1;
	} else {
		struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
		int64_t v = 0;
		nanosleep(&ts, NULL);
		if ((rc = data_version(w->s, &v, err)))
			return rc;
		changed = v != w->version;
		w->version = v;
	}
	if (changed) {
		if ((rc = mlfy_live_max_seq(w->s, &w->seq, err)))
			return rc;
		w->waited_ms = 0;
	}
	*seq = w->seq;
	return 0;
}

void mlfy_live_watch_close(struct mlfy_live_watch *w)
{
	if (!w)
		return;
	mlfy_store_close(w->s);
	free(w);
}

/* pg_listen.c - LISTEN and waiting for notifications on a PostgreSQL
 * handle (pg_listen.h): poll() on the connection's socket, then libpq's
 * PQconsumeInput / PQnotifies. */
#include "store/pg_listen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include "store/pg_int.h"

int pg_listen(struct mlfy_store *s, const char *channel, struct mlfy_err *err)
{
	struct pg_store *p = PG(s);
	char sql[128];
	PGresult *res;
	int rc;

	if ((rc = pg_ready(p, err)))
		return rc;
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_note(p, res);
		PQclear(res);
		return s->ops->fail(s, err, "listen for changes");
	}
	PQclear(res);
	pg_ok(p);
	p->listen_gen = p->generation;
	return 0;
}

int pg_listen_wait(struct mlfy_store *s, int timeout_ms, int *notified, struct mlfy_err *err)
{
	struct pg_store *p = PG(s);
	PGnotify *n;
	struct pollfd pfd;
	int sock, pass;

	*notified = 0;
	if (p->listen_gen != p->generation) {
		*notified = 1;   /* reconnected: LISTEN again, read again */
		return 0;
	}
	for (pass = 0; pass < 2; pass++) {
		if (!PQconsumeInput(p->conn) || PQstatus(p->conn) != CONNECTION_OK) {
			pg_note(p, NULL);
			return mlfy_err_set(err, MLFY_EIO, "%s: waiting for changes: %s", s->display, p->errmsg);
		}
		while ((n = PQnotifies(p->conn))) {
			*notified = 1;
			PQfreemem(n);
		}
		if (*notified || pass)
			return 0;
		if ((sock = PQsocket(p->conn)) < 0)
			return mlfy_err_set(err, MLFY_EIO, "%s: waiting for changes: no connection", s->display);
		pfd.fd = sock;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
			return mlfy_err_set(err, MLFY_EIO, "%s: waiting for changes: poll failed", s->display);
	}
	return 0;
}

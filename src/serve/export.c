/* export.c - GET /api/export/<format>: the `mlfy export` formats streamed to
 * an admin's browser as a download.
 *
 * The export (review/export.h) is pulled piece by piece from a
 * libmicrohttpd callback response as the socket drains, so memory stays
 * constant whatever the project's size (one image's piece plus a 64 KiB
 * chunk) and the worker thread serves its other connections between
 * chunks.  Each download opens a read-only store connection of its own: the
 * export holds a read transaction (one consistent snapshot) for its whole
 * duration, which must not sit on the worker thread's shared connection
 * where saves begin write transactions.  In WAL mode readers never block
 * writers, so saves go on while a download runs. */
/* fopencookie needs _GNU_SOURCE, which the build defines for the library */
#include "serve/export.h"
#include "serve/http.h"
#include "review/export.h"
#include "util/file.h"
#include "util/pguri.h"

#include "util/vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)

struct download {
	struct mlfy_server *srv;
	struct mlfy_store *store;          /* own read-only connection */
	struct mlfy_export_stream *es;
	FILE *f;                           /* writes append to buf (fopencookie) */
	char *buf;
	size_t len, off, cap;
	int done;                          /* the export has written its last piece */
	int oom;                           /* a write to buf ran out of memory */
	uint64_t *bytes;                   /* the request's byte count (access log) */
	char what[64];                     /* "export csv", for error messages */
};

static ssize_t buf_write(void *cookie, const char *data, size_t n)
{
	struct download *d = cookie;
	if (MLFY_GROW(d->buf, d->cap, d->len + n)) {
		d->oom = 1;
		errno = ENOMEM;
		return -1;
	}
	memcpy(d->buf + d->len, data, n);
	d->len += n;
	return (ssize_t)n;
}

static void download_free(void *cls)
{
	struct download *d = cls;
	if (!d)
		return;
	if (d->f)
		fclose(d->f);
	mlfy_export_stream_close(d->es);
	mlfy_store_close(d->store);
	MLFY_FREE_ALL(d->buf, d);
}

/* Refills buf (emptied first) with the next pieces until it holds at least
 * CHUNK bytes or the export ends.  0, or a negative code with err set. */
static int download_fill(struct download *d, struct mlfy_err *err)
{
	int rc;
	d->len = d->off = 0;
	while (!d->done && d->len < CHUNK) {
		rc = mlfy_export_stream_next(d->es, d->f, err);
		if (fflush(d->f) != 0 || d->oom)
			return mlfy_err_oom(err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			d->done = 1;
	}
	return 0;
}

static ssize_t download_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct download *d = cls;
	struct mlfy_err err;
	size_t n;

	(void)pos;
	if (d->off == d->len) {
		if (d->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		mlfy_err_clear(&err);
		if (download_fill(d, &err)) {
			/* the status line has gone out: all that is left is to cut the
			 * transfer short, which a client sees as an incomplete download */
			srv_log_error(d->srv, "%s: %s", d->what, err.msg);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (d->len == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = d->len - d->off < max ? d->len - d->off : max;
	memcpy(out, d->buf + d->off, n);
	d->off += n;
	/* a content reader is never called after the request's completion
	 * notice, where the request (and this counter) is freed */
	*d->bytes += n;
	return (ssize_t)n;
}

static const char *content_type(enum mlfy_export_format f)
{
	switch (f) {
	case MLFY_EXPORT_CSV: return "text/csv; charset=utf-8; header=present";
	case MLFY_EXPORT_JSONL: return "application/jsonl; charset=utf-8";
	case MLFY_EXPORT_REAL_VOTES:
	case MLFY_EXPORT_REAL_SCORES: return "application/zip";   /* .npz: a zip of .npy members */
	default: return "application/json; charset=utf-8";
	}
}

/* The download's file name: the project file's name without its directory
 * and ".mlfy" (a PostgreSQL project: the database name), then "-<format>.<ext>", with anything outside [A-Za-z0-9._-]
 * replaced by '_' so that it is a safe quoted-string in the header. */
static void file_name(const char *project, enum mlfy_export_format f, char *out, size_t n)
{
	char db[128];
	/* a PostgreSQL URI: its database name (the URI's last part may hold a
	 * password=) */
	const char *base = mlfy_store_is_pg(project) && mlfy_pguri_dbname(project, db, sizeof(db)) == 0
				   ? db : mlfy_path_base(project);
	size_t len = strlen(base), i;
	if (len > 5 && !strcmp(base + len - 5, ".mlfy"))
		len -= 5;
	if (len > 100)
		len = 100;
	snprintf(out, n, "%.*s-%s.%s", (int)len, base, mlfy_export_format_name(f), mlfy_export_format_ext(f));
	for (i = 0; out[i]; i++) {
		unsigned char c = (unsigned char)out[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			out[i] = '_';
	}
}

enum MHD_Result h_export(struct req *r, const char *rest)
{
	struct mlfy_server *srv = r->srv;
	enum mlfy_export_format f;
	struct MHD_Response *resp;
	struct download *d;
	struct mlfy_err err;
	cookie_io_functions_t io = { NULL, buf_write, NULL, NULL };
	char name[160], disp[200];
	int rc;

	mlfy_err_clear(&err);
	if (!*rest || strchr(rest, '/') || mlfy_export_format_parse(rest, &f, &err))
		return reply_error(r, 404, "no such export: expected /api/export/<format> with format real,"
				   " multilabelfy, csv, jsonl, labelstudio, real-votes or real-scores");
	if (!(d = calloc(1, sizeof(*d))))
		return reply_error(r, 500, "out of memory");
	d->srv = srv;
	d->bytes = &r->bytes;
	snprintf(d->what, sizeof(d->what), "export %s", mlfy_export_format_name(f));
	if ((rc = mlfy_store_open(srv->project, MLFY_STORE_READONLY, &d->store, &err))) {
		download_free(d);
		return reply_server_err(r, &err);   /* the project file is the server's */
	}
	if ((rc = mlfy_export_stream_open(d->store, f, srv->cfg.export_image_root, &d->es, &err))) {
		download_free(d);
		return reply_err(r, &err);
	}
	if (!(d->f = fopencookie(d, "w", io))) {
		download_free(d);
		return reply_error(r, 500, "out of memory");
	}
	/* the first chunk before the status line: an error this early still
	 * gets a proper error reply */
	if ((rc = download_fill(d, &err))) {
		download_free(d);
		return reply_err(r, &err);
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CHUNK, download_read, d, download_free);
	if (!resp) {
		download_free(d);
		return MHD_NO;
	}
	file_name(srv->project, f, name, sizeof(name));
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	MHD_add_response_header(resp, "Content-Type", content_type(f));
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* reply() records size 0; download_read adds what is actually sent */
	return reply(r, 200, resp, 0);
}

/* reports.c - the admin console's reports (reports.h): `mlfy report
 * PROJECT` generated on demand into <cache>/reports/<id>/, the list of
 * them, and their files.
 *
 * A report is written into a hidden temporary directory and renamed into
 * place when complete, so a listed report is always whole; the generation
 * reads the project through a read-only store connection of its own, in
 * one read snapshot (report/project_report.h), so annotators' saves go on
 * meanwhile and do not tear it.  One generation at a time: a mutex in this
 * process and an flock(2) on <reports>/.lock for other servers sharing the
 * cache directory; a second request meanwhile gets 409.  Files are served
 * only by a checked name (a report id, then a file name of known type
 * without a path or a leading dot), opened without following a symbolic
 * link and served only when a regular file.  The report's pages use inline
 * styles (index.html's <style>, cairo's SVG style attributes): they get a
 * policy of their own that allows exactly that, and nothing else. */
#include "serve/reports.h"
#include "serve/http.h"
#include "report/plot.h"
#include "report/project_report.h"
#include "store/audit.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One generation at a time in this process (the flock below covers other
 * processes; an flock is per open file, so it would cover threads too, but
 * the mutex answers without a system call and without the directory). */
static pthread_mutex_t gen_mu = PTHREAD_MUTEX_INITIALIZER;

/* The policy of a report's pages: their own inline styles and the figures
 * beside them; no script, no other origin, no frame, no form. */
#define REPORT_CSP                                                                                 \
	"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none';" \
	" base-uri 'none'; form-action 'none'"

#define ID_MAX 24      /* "YYYYMMDDTHHMMSSZ-NNNN" and its NUL */
#define NAME_MAX_LEN 128

/* ---- names ------------------------------------------------------------------------ */

/* 1 when s[0..n) is a report id: YYYYMMDDTHHMMSSZ, then optionally -N
 * (N in 2..9999 without a leading zero; "-1" is never made but harmless). */
static int id_ok(const char *s, size_t n)
{
	size_t i;
	if (n < 16 || n > 21)
		return 0;
	for (i = 0; i < 16; i++) {
		char c = s[i];
		if (i == 8 ? c != 'T' : i == 15 ? c != 'Z' : !(c >= '0' && c <= '9'))
			return 0;
	}
	if (n == 16)
		return 1;
	if (s[16] != '-' || n < 18 || s[17] < '1' || s[17] > '9')
		return 0;
	for (i = 18; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static const struct file_type {
	const char *ext, *type;
	int own_csp;        /* a page that needs REPORT_CSP */
	int attachment;     /* downloaded rather than shown */
} file_types[] = {
	{ ".html", "text/html; charset=utf-8", 1, 0 },
	{ ".svg", "image/svg+xml", 1, 0 },
	{ ".png", "image/png", 0, 0 },
	{ ".pdf", "application/pdf", 0, 1 },
	{ ".csv", "text/csv; charset=utf-8; header=present", 0, 1 },
	{ ".json", "application/json", 0, 0 },
};

/* The type of a report file's name: letters, digits, '.', '_', '-' (no
 * path, no leading dot), a known extension after at least one character;
 * NULL for any other name. */
static const struct file_type *file_type_of(const char *name)
{
	size_t n = strlen(name), i;
	if (!n || n > NAME_MAX_LEN || name[0] == '.')
		return NULL;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return NULL;
	}
	for (i = 0; i < sizeof(file_types) / sizeof(file_types[0]); i++) {
		size_t e = strlen(file_types[i].ext);
		if (n > e && !strcmp(name + n - e, file_types[i].ext))
			return &file_types[i];
	}
	return NULL;
}

/* "YYYY-MM-DDTHH:MM:SSZ" of an id (id_ok) into out. */
static void id_time(const char *id, char out[32])
{
	snprintf(out, 32, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", id, id + 4, id + 6, id + 9, id + 11, id + 13);
}

/* ---- the directory -------------------------------------------------------------------- */

/* <cache>/reports into buf; created (0700) when create is set.  0, or
 * MLFY_EIO naming it. */
static int reports_dir(struct mlfy_server *srv, char *buf, size_t n, int create, struct mlfy_err *err)
{
	if ((size_t)snprintf(buf, n, "%s/reports", srv->cache_dir) >= n)
		return mlfy_err_set(err, MLFY_EIO, "%s: cache path too long", srv->cache_dir);
	if (create && mkdir(buf, 0700) != 0 && errno != EEXIST)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create the reports directory: %s", buf,
				    strerror(errno));
	return 0;
}

/* Removes directory path with the files in it (a report is flat). */
static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(path);
}

/* Removes the temporary directories left by a generation that died (the
 * caller holds the lock: none is in use). */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, ".tmp-", 5) && (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
								  sizeof(path))
			remove_dir(path);
	closedir(d);
}

/* The regular files of report directory dfd (consumed): their names sorted
 * into *names (when not NULL; a new array), their count and total size.
 * Returns -1 when the directory cannot be read. */
static int report_files(int dfd, json_t *names, int64_t *n, int64_t *bytes)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;
	if (!d) {
		close(dfd);
		return -1;
	}
	*n = *bytes = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		(*n)++;
		*bytes += st.st_size;
		if (names)
			json_array_append_new(names, json_string(e->d_name));
	}
	closedir(d);
	return 0;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* names sorted (jansson keeps arrays in insertion order). */
static json_t *sorted(json_t *names)
{
	size_t n = json_array_size(names), i;
	json_t **v, *out;
	if (!n)
		return names;
	if (!(v = calloc(n, sizeof(json_t *))))
		return names;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(names, i));
	qsort(v, n, sizeof(json_t *), cmp_json_str);
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	json_decref(names);
	return out;
}

/* ---- POST /api/admin/reports ------------------------------------------------------------ */

static const char *const format_names[] = { "svg", "png", "pdf" };   /* MLFY_FIG_SVG << i */

/* The formats of the request body: the default (svg, png) without one. */
static int parse_body(struct req *r, int *formats, enum MHD_Result *ret)
{
	json_t *b, *v, *f;
	const char *key;
	size_t i, k;

	*formats = MLFY_FIG_SVG | MLFY_FIG_PNG;
	if (!r->body || !r->len)
		return 0;
	if (!(b = body_json(r, ret)))
		return -1;
	json_object_foreach(b, key, v) {
		if (strcmp(key, "formats")) {
			*ret = reply_error(r, 400, "unknown field '%s' (expected \"formats\")", key);
			json_decref(b);
			return -1;
		}
	}
	if ((f = json_object_get(b, "formats"))) {
		*formats = 0;
		if (!json_is_array(f) || !json_array_size(f))
			goto bad;
		json_array_foreach(f, i, v) {
			for (k = 0; k < 3; k++)
				if (json_is_string(v) && !strcmp(json_string_value(v), format_names[k]))
					break;
			if (k == 3)
				goto bad;
			*formats |= MLFY_FIG_SVG << k;
		}
	}
	json_decref(b);
	return 0;
bad:
	json_decref(b);
	*ret = reply_error(r, 400, "formats: expected a non-empty array of \"svg\", \"png\", \"pdf\"");
	return -1;
}

/* The lock of the reports directory dir: a locked file descriptor, or -1
 * with *busy set when another process holds it (else err filled). */
static int lock_dir(const char *dir, int *busy, struct mlfy_err *err)
{
	char path[4096];
	int fd;

	*busy = 0;
	snprintf(path, sizeof(path), "%s/.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			*busy = 1;
		else
			mlfy_err_set(err, MLFY_EIO, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Moves the finished temporary directory tmp to dir/<id>, id made from t
 * (a counter added when taken), into id. */
static int publish(const char *dir, const char *tmp, time_t t, char id[ID_MAX], struct mlfy_err *err)
{
	char base[20], path[4096];
	struct tm tm;
	int k;

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y%m%dT%H%M%SZ", &tm);
	for (k = 1; k < 10000; k++) {
		struct stat st;
		if (k == 1)
			snprintf(id, ID_MAX, "%s", base);
		else
			snprintf(id, ID_MAX, "%s-%d", base, k);
		snprintf(path, sizeof(path), "%s/%s", dir, id);
		if (lstat(path, &st) == 0)
			continue;
		if (rename(tmp, path) == 0)
			return 0;
		if (errno != EEXIST && errno != ENOTEMPTY)
			break;
	}
	return mlfy_err_set(err, MLFY_EIO, "%s: cannot move the report into place: %s", path, strerror(errno));
}

/* The audit row of one generation (a failure to write it is logged: the
 * report is there either way). */
static void audit(struct req *r, int formats, const char *result, int ok)
{
	json_t *p = json_object(), *f = json_array();
	char *params;
	struct mlfy_err err;
	size_t k;

	for (k = 0; k < 3; k++)
		if (formats & (MLFY_FIG_SVG << k))
			json_array_append_new(f, json_string(format_names[k]));
	json_object_set_new(p, "formats", f);
	params = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	mlfy_err_clear(&err);
	pthread_mutex_lock(&r->srv->write_mu);
	if (!params || mlfy_audit_append(r->store, r->sess.user.name, "console", "report", params, result, ok, &err))
		srv_log_error(r->srv, "audit of a report: %s", params ? err.msg : "out of memory");
	pthread_mutex_unlock(&r->srv->write_mu);
	free(params);
}

/* Generates the report into a temporary directory under dir and publishes
 * it; fills id, *files and *w.  The caller holds the locks. */
static int generate(struct mlfy_server *srv, const char *dir, int formats, time_t t, char id[ID_MAX],
		    json_t **files, struct mlfy_report_warnings *w, struct mlfy_err *err)
{
	struct mlfy_project_report_opts o;
	struct mlfy_store *s = NULL;
	char tmp[4096], path[4096];
	int64_t n, bytes;
	int rc, dfd;

	remove_stale(dir);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= sizeof(tmp) || !mkdtemp(tmp))
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create a temporary directory: %s", dir, strerror(errno));
	mlfy_project_report_opts_init(&o);
	o.formats = formats;
	if (!(rc = mlfy_store_open(srv->project, MLFY_STORE_READONLY, &s, err))) {
		rc = mlfy_report_project(s, tmp, &o, w, err);
		mlfy_store_close(s);
	} else if (http_status_of(rc) != 500) {
		/* the project file is the server's: never the client's fault */
		err->code = rc = MLFY_EIO;
	}
	if (!rc)
		rc = publish(dir, tmp, t, id, err);
	if (rc) {
		remove_dir(tmp);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	*files = json_array();
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    report_files(dfd, *files, &n, &bytes) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot read the report: %s", path, strerror(errno));
	*files = sorted(*files);
	return 0;
}

enum MHD_Result h_report_generate(struct req *r, const char *rest)
{
	struct mlfy_report_warnings w = { 0 };
	struct mlfy_err err;
	enum MHD_Result ret;
	json_t *files = NULL, *warnings, *o;
	char dir[4096], id[ID_MAX], when[32], url[96];
	char *result = NULL;
	int formats, lock, busy, rc;
	size_t i;
	time_t t;

	(void)rest;
	mlfy_err_clear(&err);
	if (parse_body(r, &formats, &ret))
		return ret;
	if (pthread_mutex_trylock(&gen_mu) != 0)
		return reply_error(r, 409, "a report is being generated; try again when it is done");
	if ((rc = reports_dir(r->srv, dir, sizeof(dir), 1, &err)) || (lock = lock_dir(dir, &busy, &err)) < 0) {
		pthread_mutex_unlock(&gen_mu);
		if (!rc && busy)
			return reply_error(r, 409, "a report is being generated (by another server on this cache); "
					   "try again when it is done");
		return reply_server_err(r, &err);
	}
	t = time(NULL);
	rc = generate(r->srv, dir, formats, t, id, &files, &w, &err);
	close(lock);   /* releases the flock */
	pthread_mutex_unlock(&gen_mu);
	if (rc) {
		audit(r, formats, err.msg, 0);
		json_decref(files);
		mlfy_report_warnings_release(&w);
		return reply_err(r, &err);
	}
	if (asprintf(&result, "{\"id\":\"%s\",\"files\":%zu,\"warnings\":%zu}", id, json_array_size(files), w.n) < 0)
		result = NULL;
	audit(r, formats, result, 1);
	free(result);
	warnings = json_array();
	for (i = 0; i < w.n; i++)
		json_array_append_new(warnings, json_string(w.msg[i]));
	mlfy_report_warnings_release(&w);
	id_time(id, when);
	snprintf(url, sizeof(url), "/api/admin/reports/%s/index.html", id);
	o = json_pack("{sssssssoso}", "id", id, "url", url, "generated_at", when, "warnings", warnings, "files", files);
	if (!o)
		return reply_error(r, 500, "internal error: cannot encode the reply");
	return reply_json(r, 200, o);
}

/* ---- GET /api/admin/reports ------------------------------------------------------------- */

struct listed {
	char id[ID_MAX];
	int64_t n, bytes;
};

/* Newest first: by the time, then by the counter. */
static int cmp_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int c = strncmp(y->id, x->id, 16);
	long kx = x->id[16] ? strtol(x->id + 17, NULL, 10) : 1, ky = y->id[16] ? strtol(y->id + 17, NULL, 10) : 1;
	return c ? c : (ky > kx) - (ky < kx);
}

enum MHD_Result h_report_list(struct req *r, const char *rest)
{
	struct listed *v = NULL;
	size_t n = 0, cap = 0, i;
	struct mlfy_err err;
	struct dirent *e;
	struct stat st;
	char dir[4096];
	json_t *arr;
	DIR *d;

	(void)rest;
	mlfy_err_clear(&err);
	if (reports_dir(r->srv, dir, sizeof(dir), 0, &err))
		return reply_server_err(r, &err);
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			int dfd;
			if (!id_ok(e->d_name, strlen(e->d_name)) ||
			    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
				continue;
			if (MLFY_GROW(v, cap, n + 1)) {
				closedir(d);
				free(v);
				return reply_error(r, 500, "out of memory");
			}
			snprintf(v[n].id, sizeof(v[n].id), "%s", e->d_name);
			dfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dfd >= 0 && report_files(dfd, NULL, &v[n].n, &v[n].bytes) == 0)
				n++;
		}
		closedir(d);
	} else if (errno != ENOENT) {
		mlfy_err_set(&err, MLFY_EIO, "%s: %s", dir, strerror(errno));
		return reply_server_err(r, &err);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_listed);
	arr = json_array();
	for (i = 0; i < n; i++) {
		char when[32], url[96];
		id_time(v[i].id, when);
		snprintf(url, sizeof(url), "/api/admin/reports/%s/index.html", v[i].id);
		json_array_append_new(arr, json_pack("{sssssssIsI}", "id", v[i].id, "generated_at", when, "url", url,
						     "files", (json_int_t)v[i].n, "bytes", (json_int_t)v[i].bytes));
	}
	free(v);
	return reply_json(r, 200, json_pack("{so}", "reports", arr));
}

/* ---- GET /api/admin/reports/<id>/<file> --------------------------------------------------- */

enum MHD_Result h_report_file(struct req *r, const char *rest)
{
	const char *slash = strchr(rest, '/');
	const struct file_type *ft;
	struct MHD_Response *resp;
	struct mlfy_err err;
	struct stat st;
	char dir[4096], path[4096], disp[200];
	int dfd, fd;

	mlfy_err_clear(&err);
	if (!slash || !id_ok(rest, (size_t)(slash - rest)) || !(ft = file_type_of(slash + 1)))
		return reply_error(r, 404, "no such report file");
	if (reports_dir(r->srv, dir, sizeof(dir), 0, &err))
		return reply_server_err(r, &err);
	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(slash - rest), rest);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return reply_error(r, 404, "no such report file");
	/* O_NONBLOCK: a FIFO put there must not hold the worker thread */
	fd = openat(dfd, slash + 1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (fd < 0)
		return reply_error(r, 404, "no such report file");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return reply_error(r, 404, "no such report file");
	}
	if (!(resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd))) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ft->type);
	MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	if (ft->own_csp)
		MHD_add_response_header(resp, "Content-Security-Policy", REPORT_CSP);
	if (ft->attachment) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", slash + 1);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	return reply(r, 200, resp, (uint64_t)st.st_size);
}

/* migrate.c - `mlfy migrate SRC DST` (migrate.h): the list of the schema's
 * tables in foreign-key order, the copy of every row from one project to
 * an empty one (either engine), and the per-table row counts and checksums
 * that verify it; all or nothing (one PostgreSQL transaction; a temporary
 * SQLite file linked into place once verified). */
#include "store/migrate.h"
#include "store/engine.h"
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the tables: the one list (tests/store/test_migrate.c holds it against the live schemas) ---- */

static const struct mlfy_migrate_table tables[] = {
	{ "meta", "key, value", "tt", "key", 0 },
	{ "classes", "idx, ext_id, name, synonyms, gloss", "itttt", "idx", 0 },
	{ "images", "id, name, path, original_label, batch, sha256, width, height, bytes, added_at", "ittiitiiit",
	  "id", 0 },
	{ "exemplars", "class_idx, rank, path, sha256, width, height", "iittii", "class_idx, rank", 0 },
	{ "models", "id, name, source, kind, top1, real_accuracy, created_at", "itttrrt", "id", 0 },
	{ "proposals", "image_id, model_id, rank, class_idx, score", "iiiir", "image_id, model_id, rank", 0 },
	{ "annotators", "id, name, role, pw_hash, disabled, created_at", "itttit", "id", 0 },
	{ "assignments", "batch, annotator_id, assigned_at", "iit", "batch, annotator_id", 0 },
	{ "annotations", "id, image_id, annotator_id, stage, version, model_id, comment, seconds, created_at",
	  "iiitiitrt", "id", 0 },
	{ "annotation_labels", "annotation_id, class_idx, source", "iit", "annotation_id, class_idx", 0 },
	/* derived: filled by a trigger on annotations; SRC's rows copied as they are */
	{ "progress_counts", "annotator_id, stage, batch, n", "itii", "annotator_id, stage, batch", 1 },
	{ "refinement_queue", "image_id, rule, reason, expert_id, queued_at, assigned_at", "ittitt", "image_id", 0 },
	{ "final_status", "image_id, stage, annotation_id, decided_at", "itit", "image_id", 0 },
	{ "final_labels", "image_id, class_idx", "ii", "image_id, class_idx", 0 },
	{ "zero_label_reviews", "id, image_id, expert_id, category, verdict, comment, created_at", "iiitttt", "id", 0 },
	{ "questions", "id, image_name, class_idx", "iti", "id", 0 },
	{ "votes", "question_id, rater, source, answer", "itti", "question_id, rater, source", 0 },
	{ "sessions", "token_hash, annotator_id, csrf, created_at, last_seen", "titii", "token_hash", 0 },
	{ "aggregations", "question_id, method, posterior, label, threshold, computed_at", "itrirt",
	  "question_id, method", 0 },
	{ "decision_basis", "image_id, annotation_id", "ii", "image_id, annotation_id", 0 },
	{ "reopenings",
	  "id, image_id, reopened_by, reason, reopened_at, stage, labels, annotation_id, decided_at, queue_reason, "
	  "basis",
	  "iitttttittt", "id", 0 },
	{ "gold_images", "image_id, source, annotation_id, added_at", "itit", "image_id", 0 },
	{ "gold_labels", "image_id, class_idx", "ii", "image_id, class_idx", 0 },
	{ "gold_tasks", "annotator_id, image_id, position, seq, assigned_at", "iiiit", "annotator_id, image_id", 0 },
	{ "annotation_flags", "annotation_id, kind, code", "itt", "annotation_id, kind, code", 0 },
	{ "refinement_arms", "image_id, arm, planted_class, seed, assigned_at", "itiit", "image_id", 0 },
	/* rowid: SQLite's implicit one, a column of its own on PostgreSQL */
	{ "invites", "token_hash, annotator_id, created_by, created_at, expires_at, used_at, revoked_at, rowid",
	  "titiiiii", "token_hash", 0 },
	{ "login_throttle", "key, fails, until_at, last_at", "tiii", "key", 0 },
	{ "audit_log", "id, at, actor, via, action, params, result, ok", "itttttti", "id", 0 },
	/* after final_status, whose triggers fill it */
	{ "final_changes", "image_id, seq", "ii", "image_id", 1 },
	{ "verify_questions", "question_id, origin, created_at", "itt", "question_id", 0 },
	{ "verify_assignments", "question_id, annotator_id, assigned_at", "iit", "question_id, annotator_id", 0 },
	{ "verify_pages", "id, annotator_id, class_idx, client_page_id, seconds, created_at", "iiitrt", "id", 0 },
	{ "verify_answers", "id, page_id, question_id, annotator_id, answer, bulk, seconds, version, created_at",
	  "iiiiiirit", "id", 0 },
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))
_Static_assert(N_TABLES <= MLFY_MIGRATE_MAX_TABLES, "raise MLFY_MIGRATE_MAX_TABLES");

const struct mlfy_migrate_table *mlfy_migrate_tables(size_t *n)
{
	*n = N_TABLES;
	return tables;
}

/* ---- one pass over a table: read in key order, checksum, optionally insert ---- */

struct buf {
	char *p;
	size_t n, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (!n)
		return 0;
	if (!b->p || b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->n + n)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	return 0;
}

/* The canonical serialisation of st's current row (migrate.h) into b. */
static int serialise(struct store_stmt *st, const char *types, struct buf *b)
{
	char num[48];
	int k, len;

	b->n = 0;
	for (k = 0; types[k]; k++) {
		if (stmt_is_null(st, k)) {
			if (put(b, "n;", 2))
				return -1;
			continue;
		}
		if (types[k] == 'i') {
			len = snprintf(num, sizeof(num), "i%lld;", (long long)stmt_int64(st, k));
		} else if (types[k] == 'r') {
			len = snprintf(num, sizeof(num), "r%.17g;", stmt_double(st, k));
		} else {
			const char *t = stmt_text(st, k);
			size_t tn = t ? strlen(t) : 0;
			len = snprintf(num, sizeof(num), "t%zu:", tn);
			if (put(b, num, (size_t)len) || put(b, t ? t : "", tn))
				return -1;
			len = snprintf(num, sizeof(num), ";");
		}
		if (put(b, num, (size_t)len))
			return -1;
	}
	return put(b, "\n", 1);
}

/* Rows are inserted BATCH at a time with one multi-row INSERT (one round
 * trip to a PostgreSQL server per BATCH rows instead of per row); a batch's
 * values are held here meanwhile (constant memory: BATCH rows). */
#define BATCH 128

struct val {
	int null;
	int64_t i;
	double r;
	char *t;   /* malloc'd */
};

struct batch {
	const struct mlfy_migrate_table *t;
	struct mlfy_store *dst;
	struct store_stmt *full;   /* the INSERT of BATCH rows */
	size_t nc, n;              /* columns; rows held */
	struct val *v;             /* BATCH * nc */
};

/* "INSERT INTO t (cols) VALUES (?1, ..., ?nc), ... " for rows rows: new string or NULL. */
static char *insert_sql(const struct mlfy_migrate_table *t, size_t rows)
{
	size_t nc = strlen(t->types), n = strlen(t->name) + strlen(t->columns) + 40 + rows * (nc * 9 + 4), r, k;
	char *sql = malloc(n);
	int at;
	if (!sql)
		return NULL;
	at = snprintf(sql, n, "INSERT INTO %s (%s) VALUES ", t->name, t->columns);
	for (r = 0; r < rows; r++) {
		at += snprintf(sql + at, n - (size_t)at, "%s(", r ? ", " : "");
		for (k = 0; k < nc; k++)
			at += snprintf(sql + at, n - (size_t)at, "%s?%zu", k ? ", " : "", r * nc + k + 1);
		at += snprintf(sql + at, n - (size_t)at, ")");
	}
	return sql;
}

/* Holds st's current row in the batch (values copied). */
static int hold_row(struct batch *b, struct store_stmt *st)
{
	struct val *v = &b->v[b->n * b->nc];
	size_t k;
	for (k = 0; k < b->nc; k++) {
		v[k].null = stmt_is_null(st, (int)k);
		if (v[k].null)
			continue;
		if (b->t->types[k] == 'i')
			v[k].i = stmt_int64(st, (int)k);
		else if (b->t->types[k] == 'r')
			v[k].r = stmt_double(st, (int)k);
		else if (!(v[k].t = strdup(stmt_text(st, (int)k) ? stmt_text(st, (int)k) : "")))
			return -1;
	}
	b->n++;
	return 0;
}

static void drop_rows(struct batch *b)
{
	size_t i;
	for (i = 0; i < b->n * b->nc; i++) {
		free(b->v[i].t);
		b->v[i].t = NULL;
	}
	b->n = 0;
}

/* Inserts the rows held (a full batch with the prepared statement, a last
 * partial one with its own) and drops them. */
static int flush(struct batch *b, struct mlfy_err *err)
{
	struct store_stmt *ins = b->full, *own = NULL;
	size_t i;
	int rc = 0;

	if (!b->n)
		return 0;
	if (b->n < BATCH) {
		char *sql = insert_sql(b->t, b->n);
		if (!sql) {
			drop_rows(b);
			return mlfy_err_oom(err);
		}
		ins = own = store_stmt_open(b->dst, sql, err);
		free(sql);
		if (!ins) {
			drop_rows(b);
			return err->code ? err->code : MLFY_ESTORE;
		}
	} else if (!ins) {   /* prepared at the first full batch: an empty or small table never pays it */
		char *sql = insert_sql(b->t, BATCH);
		if (!sql) {
			drop_rows(b);
			return mlfy_err_oom(err);
		}
		ins = b->full = store_stmt_open(b->dst, sql, err);
		free(sql);
		if (!ins) {
			drop_rows(b);
			return err->code ? err->code : MLFY_ESTORE;
		}
	} else {
		stmt_reset(ins);
	}
	for (i = 0; i < b->n * b->nc; i++) {
		const struct val *v = &b->v[i];
		char type = b->t->types[i % b->nc];
		if (v->null)
			stmt_bind_null(ins, (int)i + 1);
		else if (type == 'i')
			stmt_bind_int64(ins, (int)i + 1, v->i);
		else if (type == 'r')
			stmt_bind_double(ins, (int)i + 1, v->r);
		else
			stmt_bind_text(ins, (int)i + 1, v->t);
	}
	if (stmt_step(ins) == STORE_ERROR) {
		char what[96];
		snprintf(what, sizeof(what), "copy rows of %s", b->t->name);
		rc = store_fail(b->dst, err, what);
	}
	store_stmt_close(own);
	drop_rows(b);
	return rc;
}

/* Reads table t of s in key order: *rows and sum (BLAKE2b-256 of the rows'
 * serialisation), and every row inserted into dst (the DST handle) when
 * dst is not NULL.  0 or an MLFY_* code (err). */
static int table_pass(struct mlfy_store *s, const struct mlfy_migrate_table *t, struct mlfy_store *dst,
		      const struct mlfy_migrate_opts *o, int64_t *rows, unsigned char sum[32], struct mlfy_err *err)
{
	crypto_generichash_state h;
	struct store_stmt *sel = NULL;
	struct batch bt = { t, dst, NULL, strlen(t->types), 0, NULL };
	struct buf b = { NULL, 0, 0 };
	char *sql = NULL;
	size_t n = strlen(t->name) + strlen(t->columns) + strlen(t->key) + 40;
	int rc = 0, step;

	*rows = 0;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (!(sql = malloc(n)) || (dst && !(bt.v = calloc(BATCH * bt.nc, sizeof(*bt.v))))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	snprintf(sql, n, "SELECT %s FROM %s ORDER BY %s", t->columns, t->name, t->key);
	if (!(sel = store_stmt_open(s, sql, err))) {
		rc = err->code ? err->code : MLFY_ESTORE;
		goto out;
	}
	while ((step = stmt_step(sel)) == STORE_ROW) {
		if (serialise(sel, t->types, &b) || (dst && hold_row(&bt, sel))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		crypto_generichash_update(&h, (const unsigned char *)b.p, b.n);
		if (bt.n == BATCH && (rc = flush(&bt, err)))
			goto out;
		if ((++*rows & 4095) == 0 && o && o->cancel && *o->cancel) {
			rc = mlfy_err_set(err, MLFY_EINTR, "interrupted while copying %s", t->name);
			goto out;
		}
	}
	if (step == STORE_ERROR) {
		char what[96];
		snprintf(what, sizeof(what), "read %s", t->name);
		rc = store_fail(s, err, what);
	} else if (dst) {
		rc = flush(&bt, err);
	}
out:
	crypto_generichash_final(&h, sum, 32);
	if (bt.v) {
		drop_rows(&bt);
		free(bt.v);
	}
	store_stmt_close(bt.full);
	store_stmt_close(sel);
	free(b.p);
	free(sql);
	return rc;
}

/* ---- the run ---------------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hex8(const unsigned char *sum, char out[17])
{
	int i;
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* Sets each check's ok and rep->first_bad; 0 when every table matched,
 * else MLFY_ESTORE naming the first that did not (a and b name the two). */
static int judge(struct mlfy_migrate_report *rep, const char *a, const char *b, const char *tail,
		 struct mlfy_err *err)
{
	size_t i;
	rep->first_bad = -1;
	for (i = 0; i < rep->n; i++) {
		struct mlfy_migrate_check *c = &rep->t[i];
		c->ok = c->src_rows == c->dst_rows && !memcmp(c->src_sum, c->dst_sum, 32);
		if (!c->ok && rep->first_bad < 0)
			rep->first_bad = (int)i;
	}
	if (rep->first_bad >= 0) {
		struct mlfy_migrate_check *c = &rep->t[rep->first_bad];
		char x[17], y[17];
		hex8(c->src_sum, x);
		hex8(c->dst_sum, y);
		return mlfy_err_set(err, MLFY_ESTORE,
				    "table %s differs: %s has %lld rows (checksum %s), %s has %lld rows (checksum %s)%s",
				    c->table, a, (long long)c->src_rows, x, b, (long long)c->dst_rows, y, tail);
	}
	return 0;
}

/* Opens path read-only at this binary's schema version and begins its read snapshot. */
static int open_source(const char *path, const char *role, struct mlfy_store **s, int *began, struct mlfy_err *err)
{
	int rc, v;
	*began = 0;
	if ((rc = mlfy_store_open(path, MLFY_STORE_READONLY, s, err))) {
		if (rc == MLFY_ESCHEMA)
			mlfy_err_prefix(err, "%s", role);
		return rc;
	}
	if ((v = mlfy_store_schema_version(*s)) != MLFY_SCHEMA_VERSION)
		return mlfy_err_set(err, MLFY_ESCHEMA,
				    "%s: %s is at schema version %d, this mlfy writes %d: run 'mlfy upgrade' on it "
				    "(a backup first) and migrate again",
				    mlfy_store_path(*s), role, v, MLFY_SCHEMA_VERSION);
	return store_read_begin(*s, began, err);
}

/* The SQLite destination: its temporary file beside it, and the folder. */
struct lite_dst {
	const char *dest;
	char *dir, *tmp;
};

static void remove_tmp(struct lite_dst *d)
{
	static const char *const companions[] = { "-wal", "-shm", "-journal" };
	char p[4200];
	size_t i;
	if (!d->tmp)
		return;
	unlink(d->tmp);
	for (i = 0; i < sizeof(companions) / sizeof(companions[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", d->tmp, companions[i]);
		unlink(p);
	}
	free(d->tmp);
	d->tmp = NULL;
}

/* Checks that dest does not exist and names the temporary file (not yet
 * created: the store creates it). */
static int lite_prepare(struct lite_dst *d, struct mlfy_err *err)
{
	const char *slash = strrchr(d->dest, '/'), *base = slash ? slash + 1 : d->dest;
	struct stat st;
	size_t n = strlen(d->dest) + 32;
	int fd;

	if (lstat(d->dest, &st) == 0)
		return mlfy_err_set(err, MLFY_ECONFLICT,
				    "%s: already exists (it may hold a project); migrate writes only into an empty "
				    "destination: a file that does not exist", d->dest);
	if (errno != ENOENT)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", d->dest, strerror(errno));
	if (!*base)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: names a folder; give the new project's file name", d->dest);
	d->dir = !slash ? strdup(".") : slash == d->dest ? strdup("/") : strndup(d->dest, (size_t)(slash - d->dest));
	if (!d->dir || !(d->tmp = malloc(n)))
		return mlfy_err_oom(err);
	snprintf(d->tmp, n, "%s/.%s.migrate-XXXXXX", d->dir, base);
	if ((fd = mkstemp(d->tmp)) < 0) {
		int e = errno;
		free(d->tmp);
		d->tmp = NULL;
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create a file in the folder %s: %s", d->dest, d->dir,
				    strerror(e));
	}
	close(fd);
	unlink(d->tmp);   /* a fresh name: the store creates the file (and refuses one that exists) */
	return 0;
}

/* The verified temporary file: mode 0600 (password hashes), fsync'd, linked
 * to dest (never replacing a file), its folder fsync'd. */
static int lite_publish(struct lite_dst *d, struct mlfy_err *err)
{
	int e;
	if (chmod(d->tmp, 0600) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s; nothing was written", d->tmp, strerror(errno));
	if ((e = mlfy_fsync_path(d->tmp, 0)) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot fsync the copy: %s; nothing was written", d->dest,
				    strerror(e));
	if (link(d->tmp, d->dest) != 0) {
		e = errno;
		if (e == EEXIST)
			return mlfy_err_set(err, MLFY_ECONFLICT, "%s: appeared during the migration; it was left alone "
					    "and nothing was written", d->dest);
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create it: %s", d->dest, strerror(e));
	}
	remove_tmp(d);
	if ((e = mlfy_fsync_path(d->dir, 1)))
		return mlfy_err_set(err, MLFY_EIO, "%s: written, but its folder %s could not be fsync'd: %s", d->dest,
				    d->dir, strerror(e));
	return 0;
}

/* Opens the destination empty with a write transaction open: PostgreSQL
 * with the creating transaction kept open; SQLite a new temporary file. */
static int open_dest(const char *dst, struct lite_dst *ld, struct mlfy_store **d, struct mlfy_err *err)
{
	int rc;
	if (mlfy_store_is_pg(dst)) {
		rc = mlfy_store_open(dst, MLFY_STORE_CREATE | MLFY_STORE_CREATE_OPEN_TX, d, err);
		if (rc == MLFY_ECONFLICT) {
			char *shown = mlfy_store_redacted(dst);
			rc = mlfy_err_set(err, MLFY_ECONFLICT,
					  "%s: already holds a project (or other tables); migrate writes only into an "
					  "empty destination (an empty database, or an empty schema named by "
					  "options=-csearch_path%%3DNAME)", shown ? shown : "DST");
			free(shown);
		}
		return rc;
	}
	if ((rc = lite_prepare(ld, err)) || (rc = mlfy_store_open(ld->tmp, MLFY_STORE_CREATE, d, err)))
		return rc;
	return mlfy_store_begin(*d, err);
}

static void notify(const struct mlfy_migrate_opts *o, char phase, const char *table, int64_t rows)
{
	if (o && o->on_table)
		o->on_table(o->ctx, phase, table, rows);
}

/* DST's checksums of every table (the same pass as SRC's, without insert). */
static int verify_dest(struct mlfy_store *d, const struct mlfy_migrate_opts *o, struct mlfy_migrate_report *rep,
		       struct mlfy_err *err)
{
	size_t i;
	int rc;
	for (i = 0; i < rep->n; i++) {
		if ((rc = table_pass(d, &tables[i], NULL, o, &rep->t[i].dst_rows, rep->t[i].dst_sum, err)))
			return rc;
		notify(o, 'v', tables[i].name, rep->t[i].dst_rows);
	}
	return 0;
}

int mlfy_migrate(const char *src, const char *dst, const struct mlfy_migrate_opts *o,
		 struct mlfy_migrate_report *rep, struct mlfy_err *err)
{
	struct mlfy_migrate_report own;
	struct mlfy_store *s = NULL, *d = NULL;
	struct lite_dst ld = { dst, NULL, NULL };
	double t0 = now_s();
	int rc, began = 0, began_d = 0, pg = mlfy_store_is_pg(dst);
	char *shown_src = NULL, *shown_dst = NULL;
	size_t i;

	if (!rep)
		rep = &own;
	memset(rep, 0, sizeof(*rep));
	rep->first_bad = -1;
	if (!src || !dst || !*src || !*dst)
		return mlfy_err_set(err, MLFY_EINVAL, "a source and a destination are needed");
	if (!strcmp(src, dst))
		return mlfy_err_set(err, MLFY_EINVAL, "the source and the destination are the same");
	if (!(shown_src = mlfy_store_redacted(src)) || !(shown_dst = mlfy_store_redacted(dst))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	if ((rc = open_source(src, "the source", &s, &began, err)) || (rc = open_dest(dst, &ld, &d, err)))
		goto out;
	for (i = 0; i < N_TABLES; i++) {
		const struct mlfy_migrate_table *t = &tables[i];
		struct mlfy_migrate_check *c = &rep->t[i];
		c->table = t->name;
		rep->n = i + 1;
		notify(o, 'c', t->name, -1);
		if (t->trigger_filled) {   /* the rows DST's triggers made while copying the tables before */
			char sql[96];
			snprintf(sql, sizeof(sql), "DELETE FROM %s", t->name);
			if ((rc = store_exec(d, sql, err)))
				goto out;
		}
		if ((rc = table_pass(s, t, d, o, &c->src_rows, c->src_sum, err)))
			goto out;
		rep->rows += c->src_rows;
		notify(o, 'c', t->name, c->src_rows);
	}
	store_read_end(s, began);
	began = 0;
	if (pg) {
		/* checked inside the one transaction: a mismatch rolls it all back */
		if ((rc = verify_dest(d, o, rep, err)) ||
		    (rc = judge(rep, shown_src, shown_dst, "; rolled back, DST left empty", err)))
			goto out;
		rep->copy_seconds = now_s() - t0;
		rc = mlfy_store_commit(d, err);
		goto out;
	}
	if ((rc = mlfy_store_commit(d, err)))
		goto out;
	rep->copy_seconds = now_s() - t0;
	mlfy_store_close(d);
	d = NULL;
	/* the committed file opened afresh */
	if ((rc = mlfy_store_open(ld.tmp, MLFY_STORE_READONLY, &d, err)) ||
	    (rc = store_read_begin(d, &began_d, err)) || (rc = verify_dest(d, o, rep, err)))
		goto out;
	store_read_end(d, began_d);
	began_d = 0;
	mlfy_store_close(d);
	d = NULL;
	if ((rc = judge(rep, shown_src, shown_dst, "; nothing was written", err)))
		goto out;
	rc = lite_publish(&ld, err);
out:
	if (began)
		store_read_end(s, began);
	if (began_d)
		store_read_end(d, began_d);
	mlfy_store_close(d);   /* rolls back an open transaction (PostgreSQL: DST stays empty) */
	mlfy_store_close(s);
	remove_tmp(&ld);
	free(ld.dir);
	free(shown_src);
	free(shown_dst);
	rep->seconds = now_s() - t0;
	return rc;
}

int mlfy_migrate_compare(const char *a, const char *b, struct mlfy_migrate_report *rep, struct mlfy_err *err)
{
	struct mlfy_migrate_report own;
	struct mlfy_store *sa = NULL, *sb = NULL;
	int rc, ba = 0, bb = 0;
	size_t i;

	if (!rep)
		rep = &own;
	memset(rep, 0, sizeof(*rep));
	rep->first_bad = -1;
	if ((rc = open_source(a, "the first project", &sa, &ba, err)) ||
	    (rc = open_source(b, "the second project", &sb, &bb, err)))
		goto out;
	for (i = 0; i < N_TABLES; i++) {
		struct mlfy_migrate_check *c = &rep->t[i];
		c->table = tables[i].name;
		rep->n = i + 1;
		if ((rc = table_pass(sa, &tables[i], NULL, NULL, &c->src_rows, c->src_sum, err)) ||
		    (rc = table_pass(sb, &tables[i], NULL, NULL, &c->dst_rows, c->dst_sum, err)))
			goto out;
		rep->rows += c->src_rows;
	}
	rc = judge(rep, mlfy_store_path(sa), mlfy_store_path(sb), "", err);
out:
	if (sa)
		store_read_end(sa, ba);
	if (sb)
		store_read_end(sb, bb);
	mlfy_store_close(sa);
	mlfy_store_close(sb);
	return rc;
}

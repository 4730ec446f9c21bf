/* catalog.c - the project catalog (catalog.h): the classes,
 * images and exemplars tables.  Owns only row access; parsing dataset files
 * and choosing batches or exemplars is src/ingest's job. */
#include "store/catalog.h"
#include "store/engine.h"
#include "util/vec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- classes -------------------------------------------------------------- */

void mlfy_class_release(struct mlfy_class *c)
{
	if (!c)
		return;
	MLFY_FREE_ALL(c->ext_id, c->name, c->synonyms, c->gloss);
	memset(c, 0, sizeof(*c));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_classes_free, struct mlfy_class, mlfy_class_release)

/* Fills *c from a row (idx, ext_id, name, synonyms, gloss). */
static int class_from_row(struct store_stmt *st, struct mlfy_class *c, struct mlfy_err *err)
{
	memset(c, 0, sizeof(*c));
	c->idx = stmt_int(st, 0);
	c->ext_id = stmt_dup(st, 1);
	c->name = stmt_dup(st, 2);
	c->synonyms = stmt_dup(st, 3);
	c->gloss = stmt_dup(st, 4);
	if (!c->ext_id || !c->name || !c->synonyms || !c->gloss) {
		mlfy_class_release(c);
		return mlfy_err_oom(err);
	}
	return 0;
}

int mlfy_catalog_add_classes(struct mlfy_store *s, const struct mlfy_class *c,
			     size_t n, struct mlfy_err *err)
{
	static const char ins[] =
		"INSERT INTO classes(idx, ext_id, name, synonyms, gloss) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char by_idx[] = "SELECT ext_id FROM classes WHERE idx = ?1";
	static const char by_ext[] = "SELECT idx FROM classes WHERE ext_id = ?1";
	struct store_stmt *st;
	size_t i;
	int rc;

	if ((rc = store_require_tx(s, err, "add classes")))
		return rc;
	for (i = 0; i < n; i++) {
		const struct mlfy_class *k = &c[i];
		if (k->idx < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "class %zu: negative index %d", i, k->idx);
		if (!k->ext_id || !*k->ext_id)
			return mlfy_err_set(err, MLFY_EINVAL, "class %d: empty id", k->idx);
		if (!k->name || !*k->name)
			return mlfy_err_set(err, MLFY_EINVAL, "class %d (%s): empty name", k->idx, k->ext_id);

		STMT(st, by_idx);
		stmt_bind_int(st, 1, k->idx);
		if ((rc = stmt_step(st)) == STORE_ROW) {
			rc = mlfy_err_set(err, MLFY_ECONFLICT, "class %d (%s): index %d is already taken by '%s'",
					  k->idx, k->ext_id, k->idx, stmt_text(st, 0));
			stmt_reset(st);
			return rc;
		}
		stmt_reset(st);
		if (rc != STORE_DONE)
			return store_fail(s, err, "add classes");

		STMT(st, by_ext);
		stmt_bind_text(st, 1, k->ext_id);
		if ((rc = stmt_step(st)) == STORE_ROW) {
			rc = mlfy_err_set(err, MLFY_ECONFLICT, "class %d: id '%s' is already used by class %d",
					  k->idx, k->ext_id, stmt_int(st, 0));
			stmt_reset(st);
			return rc;
		}
		stmt_reset(st);
		if (rc != STORE_DONE)
			return store_fail(s, err, "add classes");

		STMT(st, ins);
		stmt_bind_int(st, 1, k->idx);
		stmt_bind_text(st, 2, k->ext_id);
		stmt_bind_text(st, 3, k->name);
		stmt_bind_text(st, 4, k->synonyms ? k->synonyms : "");
		stmt_bind_text(st, 5, k->gloss ? k->gloss : "");
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc != STORE_DONE) {
			rc = store_fail(s, err, "add classes");
			return mlfy_err_prefix(err, "class %d (%s)", k->idx, k->ext_id);
		}
	}
	return 0;
}

int mlfy_catalog_n_classes(struct mlfy_store *s, size_t *n, struct mlfy_err *err)
{
	int64_t v;
	int rc = store_scalar(s, "SELECT COUNT(*) FROM classes", &v, "count classes", err);
	*n = rc ? 0 : (size_t)v;
	return rc;
}

static int class_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	return class_from_row(st, elem, err);
}

int mlfy_catalog_list_classes(struct mlfy_store *s, struct mlfy_class **out,
			      size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT idx, ext_id, name, synonyms, gloss FROM classes ORDER BY idx";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, class_row, NULL, mlfy_class_release_any, "list classes", err);
}

int mlfy_catalog_get_class(struct mlfy_store *s, int idx, struct mlfy_class *out,
			   struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT idx, ext_id, name, synonyms, gloss FROM classes WHERE idx = ?1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int(st, 1, idx);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		rc = class_from_row(st, out, err);
	else if (rc == STORE_DONE)
		rc = mlfy_err_set(err, MLFY_ENOTFOUND, "no class with index %d", idx);
	else
		rc = store_fail(s, err, "get class");
	stmt_reset(st);
	return rc;
}

/* Runs a name lookup statement (bound to key); 1 match -> *idx, 0 -> ENOTFOUND
 * (without message), 2 -> EINVAL naming both. */
static int find_by_name(struct mlfy_store *s, const char *sql, const char *key, int *idx,
			struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc, first = -1, second = -1, count = 0;

	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (count == 0)
			first = stmt_int(st, 0);
		else
			second = stmt_int(st, 0);
		count++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "find class");
	if (count == 0)
		return MLFY_ENOTFOUND;
	if (count > 1)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "class name '%s' is ambiguous (classes %d and %d%s); use the id or index",
				    key, first, second, count > 2 ? ", …" : "");
	*idx = first;
	return 0;
}

int mlfy_catalog_find_class(struct mlfy_store *s, const char *key, int *idx,
			    struct mlfy_err *err)
{
	static const char by_ext[] = "SELECT idx FROM classes WHERE ext_id = ?1";
	static const char by_idx[] = "SELECT idx FROM classes WHERE idx = ?1";
	static const char by_name[] = "SELECT idx FROM classes WHERE name = ?1 ORDER BY idx LIMIT 3";
	static const char by_name_ci[] =
		"SELECT idx FROM classes WHERE name = ?1 COLLATE NOCASE ORDER BY idx LIMIT 3";
	/* PostgreSQL has no NOCASE: lower() under collation "C" folds ASCII only, as NOCASE does */
	static const char by_name_ci_pg[] =
		"SELECT idx FROM classes WHERE lower(name) = lower(CAST(?1 AS text) COLLATE \"C\") ORDER BY idx LIMIT 3";
	struct store_stmt *st;
	const char *p;
	int rc;

	if (!key || !*key)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "empty class label");

	/* 1. external id */
	STMT(st, by_ext);
	stmt_bind_text(st, 1, key);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*idx = stmt_int(st, 0);
	stmt_reset(st);
	if (rc == STORE_ROW)
		return 0;
	if (rc != STORE_DONE)
		return store_fail(s, err, "find class");

	/* 2. decimal index: digits only, no sign, no leading '+' or spaces */
	for (p = key; *p && isdigit((unsigned char)*p); p++)
		;
	if (!*p && p - key <= 9) {
		long v = strtol(key, NULL, 10);
		STMT(st, by_idx);
		stmt_bind_int(st, 1, (int)v);
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc == STORE_ROW) {
			*idx = (int)v;
			return 0;
		}
		if (rc != STORE_DONE)
			return store_fail(s, err, "find class");
	}

	/* 3. name, exact, then 4. ignoring ASCII case */
	rc = find_by_name(s, by_name, key, idx, err);
	if (rc != MLFY_ENOTFOUND)
		return rc;
	rc = find_by_name(s, STORE_SQL(s, by_name_ci, by_name_ci_pg), key, idx, err);
	if (rc != MLFY_ENOTFOUND)
		return rc;
	return mlfy_err_set(err, MLFY_ENOTFOUND, "unknown class label '%s' (not a class id, index or name)", key);
}

/* ---- images --------------------------------------------------------------- */

#define IMAGE_COLS "id, name, path, original_label, batch, sha256, width, height, bytes"

void mlfy_image_release(struct mlfy_image *img)
{
	if (!img)
		return;
	MLFY_FREE_ALL(img->name, img->path);
	memset(img, 0, sizeof(*img));
}

/* Fills *img from a row of IMAGE_COLS. */
static int image_from_row(struct store_stmt *st, struct mlfy_image *img, struct mlfy_err *err)
{
	const char *h;

	memset(img, 0, sizeof(*img));
	img->id = stmt_int64(st, 0);
	img->name = stmt_dup(st, 1);
	img->path = stmt_dup(st, 2);
	img->original_label = stmt_is_null(st, 3) ? -1 : stmt_int(st, 3);
	img->batch = stmt_int(st, 4);
	h = stmt_text(st, 5);
	snprintf(img->sha256, sizeof(img->sha256), "%s", h ? h : "");
	img->width = stmt_int(st, 6);
	img->height = stmt_int(st, 7);
	img->bytes = stmt_int64(st, 8);
	if (!img->name || !img->path) {
		mlfy_image_release(img);
		return mlfy_err_oom(err);
	}
	return 0;
}

static int valid_sha256(const char *h)
{
	int i;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)h[i]) || isupper((unsigned char)h[i]))
			return 0;
	return h[64] == '\0';
}

int mlfy_catalog_add_image(struct mlfy_store *s, struct mlfy_image *img,
			   struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO images(name, path, original_label, batch, sha256, width, height, bytes, added_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char exists[] = "SELECT id FROM images WHERE name = ?1";
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "add image")))
		return rc;
	if (!img->name || !*img->name)
		return mlfy_err_set(err, MLFY_EINVAL, "image with an empty name");
	if (!img->path || !*img->path)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': empty path", img->name);
	if (img->batch < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': batch %d is not >= 1", img->name, img->batch);
	if (img->width <= 0 || img->height <= 0)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': bad size %dx%d", img->name,
				    img->width, img->height);
	if (img->bytes < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': negative byte count", img->name);
	if (!valid_sha256(img->sha256))
		return mlfy_err_set(err, MLFY_EINVAL, "image '%s': sha256 is not 64 lowercase hex digits",
				    img->name);

	STMT(st, exists);
	stmt_bind_text(st, 1, img->name);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc == STORE_ROW)
		return mlfy_err_set(err, MLFY_ECONFLICT, "image '%s': already in the project", img->name);
	if (rc != STORE_DONE)
		return store_fail(s, err, "add image");

	mlfy_store_now(now);
	STMT(st, sql);
	stmt_bind_text(st, 1, img->name);
	stmt_bind_text(st, 2, img->path);
	if (img->original_label < 0)
		stmt_bind_null(st, 3);
	else
		stmt_bind_int(st, 3, img->original_label);
	stmt_bind_int(st, 4, img->batch);
	stmt_bind_text(st, 5, img->sha256);
	stmt_bind_int(st, 6, img->width);
	stmt_bind_int(st, 7, img->height);
	stmt_bind_int64(st, 8, img->bytes);
	stmt_bind_text(st, 9, now);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE) {
		if (store_failed_constraint(s) && img->original_label >= 0)
			return mlfy_err_set(err, MLFY_ECONFLICT, "image '%s' (label %d): %s (no such class?)", img->name,
					    img->original_label, store_errmsg(s));
		if (store_failed_constraint(s))
			return mlfy_err_set(err, MLFY_ECONFLICT, "image '%s': %s", img->name, store_errmsg(s));
		store_fail(s, err, "add image");
		return mlfy_err_prefix(err, "image '%s'", img->name);
	}
	img->id = store_last_id(s);
	return 0;
}

/* One-row image lookup by a statement with ?1 bound by the caller. */
static int image_lookup(struct mlfy_store *s, struct store_stmt *st, struct mlfy_image *out,
			struct mlfy_err *err, const char *what)
{
	int rc = stmt_step(st);
	if (rc == STORE_ROW)
		rc = image_from_row(st, out, err);
	else if (rc == STORE_DONE)
		rc = MLFY_ENOTFOUND;
	else
		rc = store_fail(s, err, what);
	stmt_reset(st);
	return rc;
}

int mlfy_catalog_image_by_id(struct mlfy_store *s, int64_t id, struct mlfy_image *out,
			     struct mlfy_err *err)
{
	static const char sql[] = "SELECT " IMAGE_COLS " FROM images WHERE id = ?1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, id);
	rc = image_lookup(s, st, out, err, "image by id");
	if (rc == MLFY_ENOTFOUND)
		mlfy_err_set(err, rc, "no image with id %lld", (long long)id);
	return rc;
}

int mlfy_catalog_image_by_name(struct mlfy_store *s, const char *name,
			       struct mlfy_image *out, struct mlfy_err *err)
{
	static const char sql[] = "SELECT " IMAGE_COLS " FROM images WHERE name = ?1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_text(st, 1, name);
	rc = image_lookup(s, st, out, err, "image by name");
	if (rc == MLFY_ENOTFOUND)
		mlfy_err_set(err, rc, "no image named '%s'", name);
	return rc;
}

int mlfy_catalog_image_by_hash(struct mlfy_store *s, const char *sha256,
			       struct mlfy_image *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " IMAGE_COLS " FROM images WHERE sha256 = ?1 ORDER BY id LIMIT 1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_text(st, 1, sha256);
	rc = image_lookup(s, st, out, err, "image by hash");
	if (rc == MLFY_ENOTFOUND)
		mlfy_err_set(err, rc, "no image with sha256 %s", sha256);
	return rc;
}

static const char SQL_IMAGE_ID[] = "SELECT id FROM images WHERE name = ?1";

int mlfy_catalog_image_id(struct mlfy_store *s, const char *name, int64_t *id,
			 struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_IMAGE_ID, err);
	int rc;

	if (!st)
		return err->code;
	stmt_bind_text(st, 1, name);
	if ((rc = store_query_i64(s, st, 0, id, "find image", err)))
		return rc;
	if (!*id)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image named '%s' in the project", name);
	return 0;
}

int mlfy_catalog_n_images(struct mlfy_store *s, int64_t *n, struct mlfy_err *err)
{
	return store_scalar(s, "SELECT COUNT(*) FROM images", n, "count images", err);
}

int mlfy_catalog_max_batch(struct mlfy_store *s, int *batch, struct mlfy_err *err)
{
	int64_t v;
	int rc = store_scalar(s, "SELECT COALESCE(MAX(batch), 0) FROM images", &v, "max batch", err);
	*batch = rc ? 0 : (int)v;
	return rc;
}

int mlfy_catalog_batch_counts(struct mlfy_store *s, int64_t **counts, int *n_batches,
			      struct mlfy_err *err)
{
	static const char sql[] = "SELECT batch, COUNT(*) FROM images GROUP BY batch ORDER BY batch";
	struct store_stmt *st;
	int64_t *v;
	int max, rc;

	*counts = NULL;
	*n_batches = 0;
	if ((rc = mlfy_catalog_max_batch(s, &max, err)))
		return rc;
	if (!(v = calloc(max > 0 ? (size_t)max : 1, sizeof(*v))))
		return mlfy_err_oom(err);
	if (!(st = store_stmt(s, sql, err))) {
		free(v);
		return err ? err->code : MLFY_ESTORE;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int b = stmt_int(st, 0);
		if (b >= 1 && b <= max)
			v[b - 1] = stmt_int64(st, 1);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		free(v);
		return store_fail(s, err, "batch counts");
	}
	*counts = v;
	*n_batches = max;
	return 0;
}

int mlfy_catalog_foreach_image(struct mlfy_store *s, int batch, mlfy_image_cb cb,
			       void *ctx, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " IMAGE_COLS " FROM images WHERE ?1 <= 0 OR batch = ?1 ORDER BY name";
	struct mlfy_image img;
	struct store_stmt *st;
	int step, rc = 0;

	/* A private statement (not the cache): cb may call other store
	 * functions, which reset cached statements. */
	if (!(st = store_stmt_open(s, sql, err)))
		return err ? err->code : MLFY_ESTORE;
	stmt_bind_int(st, 1, batch);
	while ((step = stmt_step(st)) == STORE_ROW) {
		if ((rc = image_from_row(st, &img, err)))
			break;
		rc = cb(&img, ctx);
		mlfy_image_release(&img);
		if (rc)
			break;
	}
	if (!rc && step != STORE_DONE)
		rc = store_fail(s, err, "list images");
	store_stmt_close(st);
	return rc;
}

/* ---- exemplars ------------------------------------------------------------ */

static void exemplar_release_any(void *elem)
{
	free(((struct mlfy_exemplar *)elem)->path);
}

void mlfy_exemplars_free(struct mlfy_exemplar *ex, size_t n)
{
	mlfy_array_free(ex, n, sizeof(*ex), exemplar_release_any);
}

int mlfy_catalog_set_exemplars(struct mlfy_store *s, int class_idx,
			       const struct mlfy_exemplar *ex, size_t n,
			       struct mlfy_err *err)
{
	static const char has_class[] = "SELECT 1 FROM classes WHERE idx = ?1";
	static const char del[] = "DELETE FROM exemplars WHERE class_idx = ?1";
	static const char ins[] =
		"INSERT INTO exemplars(class_idx, rank, path, sha256, width, height)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	struct store_stmt *st;
	size_t i;
	int rc;

	if ((rc = store_require_tx(s, err, "set exemplars")))
		return rc;
	STMT(st, has_class);
	stmt_bind_int(st, 1, class_idx);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "exemplars: no class with index %d", class_idx);
	if (rc != STORE_ROW)
		return store_fail(s, err, "set exemplars");

	STMT(st, del);
	stmt_bind_int(st, 1, class_idx);
	if ((rc = store_step_done(s, st, "set exemplars", err)))
		return rc;

	for (i = 0; i < n; i++) {
		if (ex[i].rank < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "exemplar %zu of class %d: negative rank", i,
					    class_idx);
		if (!ex[i].path || !*ex[i].path)
			return mlfy_err_set(err, MLFY_EINVAL, "exemplar %zu of class %d: empty path", i,
					    class_idx);
		if (!valid_sha256(ex[i].sha256))
			return mlfy_err_set(err, MLFY_EINVAL, "exemplar '%s': sha256 is not 64 lowercase hex digits",
					    ex[i].path);
		if (ex[i].width <= 0 || ex[i].height <= 0)
			return mlfy_err_set(err, MLFY_EINVAL, "exemplar '%s': bad size %dx%d", ex[i].path,
					    ex[i].width, ex[i].height);
		STMT(st, ins);
		stmt_bind_int(st, 1, class_idx);
		stmt_bind_int(st, 2, ex[i].rank);
		stmt_bind_text(st, 3, ex[i].path);
		stmt_bind_text(st, 4, ex[i].sha256);
		stmt_bind_int(st, 5, ex[i].width);
		stmt_bind_int(st, 6, ex[i].height);
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc != STORE_DONE) {
			if (store_failed_constraint(s))
				return mlfy_err_set(err, MLFY_ECONFLICT, "exemplar rank %d of class %d: %s (a repeated rank?)",
						    ex[i].rank, class_idx, store_errmsg(s));
			store_fail(s, err, "set exemplars");
			return mlfy_err_prefix(err, "exemplar rank %d of class %d", ex[i].rank, class_idx);
		}
	}
	return 0;
}

static int exemplar_from_row(struct store_stmt *st, struct mlfy_exemplar *e, struct mlfy_err *err)
{
	const char *h;

	memset(e, 0, sizeof(*e));
	e->class_idx = stmt_int(st, 0);
	e->rank = stmt_int(st, 1);
	e->path = stmt_dup(st, 2);
	h = stmt_text(st, 3);
	snprintf(e->sha256, sizeof(e->sha256), "%s", h ? h : "");
	e->width = stmt_int(st, 4);
	e->height = stmt_int(st, 5);
	return e->path ? 0 : mlfy_err_oom(err);
}

static int exemplar_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	return exemplar_from_row(st, elem, err);
}

/* Collects the rows of st (bound by the caller) into a new array. */
static int exemplar_rows(struct mlfy_store *s, struct store_stmt *st, struct mlfy_exemplar **out, size_t *n,
			 struct mlfy_err *err)
{
	return STORE_LIST(s, st, *out, n, exemplar_row, NULL, exemplar_release_any, "list exemplars", err);
}

int mlfy_catalog_exemplars(struct mlfy_store *s, int class_idx,
			   struct mlfy_exemplar **out, size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT class_idx, rank, path, sha256, width, height FROM exemplars"
		" WHERE class_idx = ?1 ORDER BY rank";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int(st, 1, class_idx);
	return exemplar_rows(s, st, out, n, err);
}

int mlfy_catalog_exemplar(struct mlfy_store *s, int class_idx, int rank,
			  struct mlfy_exemplar *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT class_idx, rank, path, sha256, width, height FROM exemplars"
		" WHERE class_idx = ?1 AND rank = ?2";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int(st, 1, class_idx);
	stmt_bind_int(st, 2, rank);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		rc = exemplar_from_row(st, out, err);
	else if (rc == STORE_DONE)
		rc = mlfy_err_set(err, MLFY_ENOTFOUND, "class %d has no exemplar of rank %d", class_idx, rank);
	else
		rc = store_fail(s, err, "get exemplar");
	stmt_reset(st);
	return rc;
}

int mlfy_catalog_n_exemplars(struct mlfy_store *s, int64_t *n, struct mlfy_err *err)
{
	return store_scalar(s, "SELECT COUNT(*) FROM exemplars", n, "count exemplars", err);
}

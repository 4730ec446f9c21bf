/* e2e_helper.c - test-only helper for the tests/review shell tests: writes what the web
 * server would write during stages ii and iv (accounts, batch assignments,
 * annotation saves), since there is deliberately no `mlfy annotate`, and
 * makes tiny distinct PNG images for add-images.  Writes rows with SQL in
 * the layout of src/store/schema.c (as tests/review/review_fixture.h does).
 *
 *   review_e2e_helper png FILE R G B
 *   review_e2e_helper pngs PREFIX N
 *       N distinct images PREFIX1.png .. PREFIXN.png in one process (a
 *       loop of `png` costs a process start per image: 90 s for 400 under
 *       ASan)
 *   review_e2e_helper user PROJECT NAME ROLE
 *   review_e2e_helper assign PROJECT BATCH NAME
 *   review_e2e_helper annotate PROJECT IMAGE NAME STAGE LABELS [COMMENT]
 *       STAGE annotate|refine, LABELS comma-separated class indices or "-"
 *       for the empty set; appends the next version (shown proposals: the
 *       active model's, when there is one).
 */
#include <cairo.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "review_e2e_helper: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
	if (db)
		sqlite3_close(db);
	return 1;
}

static int png(const char *path, int r, int g, int b)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 6);
	cairo_t *cr = cairo_create(s);
	cairo_status_t st;
	cairo_set_source_rgb(cr, r / 255.0, g / 255.0, b / 255.0);
	cairo_paint(cr);
	cairo_destroy(cr);
	st = cairo_surface_write_to_png(s, path);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "review_e2e_helper: %s: %s\n", path, cairo_status_to_string(st));
		return 1;
	}
	return 0;
}

static sqlite3_int64 one(sqlite3 *db, const char *sql, const char *text, int *found)
{
	sqlite3_stmt *st;
	sqlite3_int64 v = 0;
	*found = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*found = 1;
	}
	sqlite3_finalize(st);
	return v;
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int found;

	if (argc == 6 && !strcmp(argv[1], "png"))
		return png(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "pngs")) {
		int n = atoi(argv[3]);
		for (int i = 1; i <= n; i++) {
			char path[4096];
			if (snprintf(path, sizeof(path), "%s%d.png", argv[2], i) >= (int)sizeof(path)) {
				fprintf(stderr, "review_e2e_helper: %s: path too long\n", argv[2]);
				return 1;
			}
			/* distinct colours for i < 256^3 */
			if (png(path, i & 255, (i >> 8) & 255, (i >> 16) & 255))
				return 1;
		}
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of tests/review/e2e_helper.c\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return die(db, argv[2]);
	sqlite3_busy_timeout(db, 10000);
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	if (argc == 5 && !strcmp(argv[1], "user")) {
		if (sqlite3_prepare_v2(db, "INSERT INTO annotators(name, role, created_at)"
				       " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st, NULL))
			return die(db, "prepare");
		sqlite3_bind_text(st, 1, argv[3], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, argv[4], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return die(db, "add user");
		}
		sqlite3_finalize(st);
	} else if (argc == 5 && !strcmp(argv[1], "assign")) {
		sqlite3_int64 who = one(db, "SELECT id FROM annotators WHERE name = ?1", argv[4], &found);
		if (!found)
			return die(db, "no such user");
		if (sqlite3_prepare_v2(db, "INSERT INTO assignments(batch, annotator_id, assigned_at)"
				       " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st, NULL))
			return die(db, "prepare");
		sqlite3_bind_int(st, 1, atoi(argv[3]));
		sqlite3_bind_int64(st, 2, who);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return die(db, "assign");
		}
		sqlite3_finalize(st);
	} else if ((argc == 7 || argc == 8) && !strcmp(argv[1], "annotate")) {
		sqlite3_int64 image = one(db, "SELECT id FROM images WHERE name = ?1", argv[3], &found), who, version, id,
			      model;
		char *labels, *tok, *save = NULL;
		int have_model;
		if (!found)
			return die(db, "no such image");
		who = one(db, "SELECT id FROM annotators WHERE name = ?1", argv[4], &found);
		if (!found)
			return die(db, "no such user");
		model = one(db, "SELECT COALESCE((SELECT d.id FROM meta m JOIN models d"
			    " ON d.name = m.value WHERE m.key = 'proposal_model'), (SELECT MAX(id) FROM models))",
			    NULL, &have_model);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return die(db, "begin");
		if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) + 1 FROM annotations"
				       " WHERE image_id = ?1 AND annotator_id = ?2 AND stage = ?3", -1, &st, NULL))
			return die(db, "prepare");
		sqlite3_bind_int64(st, 1, image);
		sqlite3_bind_int64(st, 2, who);
		sqlite3_bind_text(st, 3, argv[5], -1, SQLITE_STATIC);
		version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
		sqlite3_finalize(st);
		if (sqlite3_prepare_v2(db, "INSERT INTO annotations(image_id, annotator_id, stage, version, model_id,"
				       " comment, seconds, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 4.2,"
				       " strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st, NULL))
			return die(db, "prepare");
		sqlite3_bind_int64(st, 1, image);
		sqlite3_bind_int64(st, 2, who);
		sqlite3_bind_text(st, 3, argv[5], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, version);
		if (have_model && model > 0)
			sqlite3_bind_int64(st, 5, model);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, argc == 8 ? argv[7] : "", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return die(db, "save annotation");
		}
		sqlite3_finalize(st);
		id = sqlite3_last_insert_rowid(db);
		labels = strdup(argv[6]);
		for (tok = strtok_r(labels, ",", &save); tok && strcmp(tok, "-"); tok = strtok_r(NULL, ",", &save)) {
			if (sqlite3_prepare_v2(db, "INSERT INTO annotation_labels(annotation_id, class_idx, source)"
					       " VALUES (?1, ?2, CASE WHEN EXISTS (SELECT 1 FROM proposals WHERE"
					       " image_id = ?3 AND model_id = ?4 AND class_idx = ?2) THEN 'proposal'"
					       " ELSE 'search' END)", -1, &st, NULL))
				return die(db, "prepare");
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int(st, 2, atoi(tok));
			sqlite3_bind_int64(st, 3, image);
			sqlite3_bind_int64(st, 4, model);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_finalize(st);
				free(labels);
				return die(db, "save label");
			}
			sqlite3_finalize(st);
		}
		free(labels);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return die(db, "commit");
	} else {
		fprintf(stderr, "review_e2e_helper: bad arguments\n");
		sqlite3_close(db);
		return 2;
	}
	sqlite3_close(db);
	return 0;
}

/* bench_analyze.c - stage iii at ImageNet-val scale: a synthetic project of
 * N images (default 50,000; 1,000 classes; 7 batches, each given to 2 of 14
 * annotators; 20 proposals per image; each annotator ticks 1-3 of them, the
 * two agreeing on about 60 % of the images) built with plain SQL, then times
 * `mlfy analyze` (first run, idempotent re-run, dry run with another rule)
 * the project agreement report and `mlfy quality` (per-person scores,
 * Dawid-Skene over every (image, shown proposal) vote, time), against a
 * baseline measured in the same run: reading every image with its
 * annotations (the walk alone); quality's ratio to it is printed.
 *
 *   bench_review_analyze [N [DIR]]
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "review/agreement_report.h"
#include "review/analyze.h"
#include "review/quality.h"
#include "store/review_input.h"
#include "store/store.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int ex(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_review_analyze: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int build(const char *path, long n)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	sqlite3 *db;
	sqlite3_stmt *img, *prop, *ann, *lab;
	unsigned seed = 7;
	long i, aid = 0;
	char sql[256], name[64];
	int c, r, a;

	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "bench_review_analyze: %s\n", err.msg);
		return -1;
	}
	mlfy_store_close(s);
	if (sqlite3_open(path, &db) || ex(db, "PRAGMA synchronous=OFF; BEGIN") ||
	    ex(db, "INSERT INTO models(id, name, created_at) VALUES (1, 'm', '2026-01-01T00:00:00Z')"))
		return -1;
	for (c = 0; c < 1000; c++) {
		snprintf(sql, sizeof(sql), "INSERT INTO classes(idx, ext_id, name) VALUES (%d, 'n%08d', 'class %d')", c, c, c);
		if (ex(db, sql))
			return -1;
	}
	for (a = 1; a <= 14; a++) {
		snprintf(sql, sizeof(sql), "INSERT INTO annotators(id, name, role, created_at) VALUES (%d, 'ann%02d',"
			 " 'annotator', '2026-01-01T00:00:00Z')", a, a);
		if (ex(db, sql))
			return -1;
		snprintf(sql, sizeof(sql), "INSERT INTO assignments(batch, annotator_id, assigned_at) VALUES (%d, %d,"
			 " '2026-01-01T00:00:00Z')", (a + 1) / 2, a);
		if (ex(db, sql))
			return -1;
	}
	sqlite3_prepare_v2(db, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes,"
			   " added_at) VALUES (?1, ?2, ?2, ?3, ?4, printf('%064x', ?1), 500, 375, 1, 'x')", -1, &img, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES (?1, 1, ?2, ?3, 0.1)",
			   -1, &prop, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO annotations(id, image_id, annotator_id, stage, version, model_id, created_at)"
			   " VALUES (?1, ?2, ?3, 'annotate', 1, 1, 'x')", -1, &ann, NULL);
	sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO annotation_labels(annotation_id, class_idx, source)"
			   " VALUES (?1, ?2, 'proposal')", -1, &lab, NULL);
	for (i = 1; i <= n; i++) {
		int orig = rand_r(&seed) % 1000, batch = 1 + (int)(i % 7), same = rand_r(&seed) % 100 < 60;
		int first[3], nf = 1 + rand_r(&seed) % 3;
		snprintf(name, sizeof(name), "ILSVRC2012_val_%08ld.JPEG", i);
		sqlite3_bind_int64(img, 1, i);
		sqlite3_bind_text(img, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(img, 3, orig);
		sqlite3_bind_int(img, 4, batch);
		if (sqlite3_step(img) != SQLITE_DONE)
			return -1;
		sqlite3_reset(img);
		for (r = 0; r < 20; r++) {
			sqlite3_bind_int64(prop, 1, i);
			sqlite3_bind_int(prop, 2, r);
			sqlite3_bind_int(prop, 3, (orig + r * 37) % 1000);
			if (sqlite3_step(prop) != SQLITE_DONE)
				return -1;
			sqlite3_reset(prop);
		}
		first[0] = orig;
		for (r = 1; r < nf; r++)
			first[r] = (orig + (1 + rand_r(&seed) % 19) * 37) % 1000;
		for (a = 0; a < 2; a++) {
			int k, nl = same || a == 0 ? nf : 1 + rand_r(&seed) % 3;
			sqlite3_bind_int64(ann, 1, ++aid);
			sqlite3_bind_int64(ann, 2, i);
			sqlite3_bind_int(ann, 3, 2 * batch - 1 + a);
			if (sqlite3_step(ann) != SQLITE_DONE)
				return -1;
			sqlite3_reset(ann);
			for (k = 0; k < nl; k++) {
				int cl = same || a == 0 ? first[k] : (orig + (rand_r(&seed) % 20) * 37) % 1000;
				sqlite3_bind_int64(lab, 1, aid);
				sqlite3_bind_int(lab, 2, cl);
				if (sqlite3_step(lab) != SQLITE_DONE)
					return -1;
				sqlite3_reset(lab);
			}
		}
	}
	sqlite3_finalize(img);
	sqlite3_finalize(prop);
	sqlite3_finalize(ann);
	sqlite3_finalize(lab);
	if (ex(db, "COMMIT"))
		return -1;
	sqlite3_close(db);
	return 0;
}

static int count_cb(const struct mlfy_review_image *img, void *ctx)
{
	*(size_t *)ctx += img->n_ann;
	return 0;
}

static int analyze(struct mlfy_store *s, const char *rule, int dry, const char *what)
{
	struct mlfy_analyze_opts o;
	struct mlfy_analysis a;
	struct mlfy_err err;
	double t0 = now();
	memset(&o, 0, sizeof(o));
	mlfy_rule_parse(rule, &o.rule, &err);
	o.dry_run = dry;
	o.top = 10;
	o.max_missing = 20;
	if (mlfy_analyze(s, &o, &a, &err)) {
		fprintf(stderr, "bench_review_analyze: %s\n", err.msg);
		return -1;
	}
	printf("  %-34s %6.2f s  (%lld agreed, %lld to refine; %lld new, %lld queued)\n", what, now() - t0,
	       (long long)a.agreed, (long long)a.refine, (long long)a.new_agreed, (long long)a.queued);
	mlfy_analysis_release(&a);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 50000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[4096], aux[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_agreement_report r;
	struct mlfy_quality q;
	size_t n_ann = 0;
	double t0, walk;

	snprintf(path, sizeof(path), "%s/bench-analyze-%ld.mlfy", dir, (long)getpid());
	t0 = now();
	if (build(path, n))
		return 1;
	printf("analyze: %ld images x 2 annotators, 20 proposals each, built in %.1f s\n", n, now() - t0);
	if (mlfy_store_open(path, 0, &s, &err)) {
		fprintf(stderr, "bench_review_analyze: %s\n", err.msg);
		return 1;
	}
	t0 = now();
	if (mlfy_review_foreach_image(s, count_cb, &n_ann, &err))
		return 1;
	walk = now() - t0;
	printf("  %-34s %6.2f s  (%zu annotations)\n", "baseline: walk images + annotations", walk, n_ann);
	if (analyze(s, "paper", 0, "analyze (first run)") || analyze(s, "paper", 0, "analyze (re-run, no change)") ||
	    analyze(s, "jaccard:0.5", 1, "analyze --rule jaccard:0.5 --dry-run"))
		return 1;
	t0 = now();
	if (mlfy_agreement_of_project(s, &r, &err)) {
		fprintf(stderr, "bench_review_analyze: %s\n", err.msg);
		return 1;
	}
	printf("  %-34s %6.2f s  (fleiss %.3f, alpha MASI %.3f)\n", "agreement report", now() - t0, r.fleiss.value,
	       r.alpha_masi.value);
	mlfy_agreement_report_release(&r);
	t0 = now();
	if (mlfy_quality_compute(s, NULL, &q, &err)) {
		fprintf(stderr, "bench_review_analyze: %s\n", err.msg);
		return 1;
	}
	t0 = now() - t0;
	printf("  %-34s %6.2f s  (%.1fx the walk; %zu people, %zu Dawid-Skene questions)\n", "quality (mlfy quality)",
	       t0, t0 / (walk > 0 ? walk : 1e-9), q.n_people, q.ds_questions);
	mlfy_quality_release(&q);
	mlfy_store_close(s);
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	return 0;
}

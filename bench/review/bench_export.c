/* bench_export.c - `mlfy export` at scale: builds a synthetic project of N
 * images (default 1,000,000; 1,000 classes; 1-3 final labels each, 2 %
 * undecided) with plain SQL, then times mlfy_export in every format against
 * a baseline measured in the same run (stepping the export cursor without
 * writing), and reports the peak resident memory of the exporting process
 * (the project is built in a child process, so the figure is the export's).
 * Every image also has two stage-ii annotations (the final labels, their
 * sources) and refined images a refinement-queue row, so JSONL's provenance
 * (merged cursors over annotations, queue rows and zero-label reviews) has
 * real rows to walk.
 *
 *   bench_review_export [N [DIR [FORMAT]]]   (FORMAT: time only that format)
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "review/export.h"
#include "store/provenance.h"
#include "store/store.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long max_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int exec1(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_review_export: %s: %s\n", sql, msg ? msg : "?");
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
	sqlite3_stmt *img, *st, *lab, *ann, *al, *q;
	unsigned seed = 42;
	long i;
	int c, a, refined;
	char name[64];

	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "bench_review_export: %s\n", err.msg);
		return -1;
	}
	mlfy_store_close(s);
	if (sqlite3_open(path, &db) || exec1(db, "PRAGMA synchronous=OFF; BEGIN"))
		return -1;
	for (c = 0; c < 1000; c++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "INSERT INTO classes(idx, ext_id, name) VALUES (%d, 'n%08d', 'class %d')", c, c, c);
		if (exec1(db, sql))
			return -1;
	}
	sqlite3_prepare_v2(db, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes,"
			   " added_at) VALUES (?1, ?2, ?3, ?4, 1 + ?1 % 7, printf('%064x', ?1), 500, 375, 100000,"
			   " '2026-01-01T00:00:00Z')", -1, &img, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO final_status(image_id, stage, decided_at) VALUES (?1, ?2,"
			   " '2026-01-02T00:00:00Z')", -1, &st, NULL);
	sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO final_labels(image_id, class_idx) VALUES (?1, ?2)", -1, &lab, NULL);
	if (exec1(db, "INSERT INTO annotators(id, name, role, created_at) VALUES"
		  " (1, 'ann1', 'annotator', '2026-01-01T00:00:00Z'), (2, 'ann2', 'annotator', '2026-01-01T00:00:00Z')"))
		return -1;
	sqlite3_prepare_v2(db, "INSERT INTO annotations(id, image_id, annotator_id, stage, version, comment, seconds,"
			   " created_at) VALUES (?1 * 2 + ?2, ?1, ?2, 'annotate', 1, '', 4.25, '2026-01-01T12:00:00Z')",
			   -1, &ann, NULL);
	sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO annotation_labels(annotation_id, class_idx, source)"
			   " VALUES (?1, ?2, 'proposal')", -1, &al, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO refinement_queue(image_id, rule, reason, expert_id, queued_at)"
			   " VALUES (?1, 'paper', 'sets_differ', NULL, '2026-01-01T13:00:00Z')", -1, &q, NULL);
	for (i = 1; i <= n; i++) {
		int orig = rand_r(&seed) % 1000, k, nl;
		snprintf(name, sizeof(name), "ILSVRC2012_val_%08ld.JPEG", i);
		sqlite3_bind_int64(img, 1, i);
		sqlite3_bind_text(img, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(img, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(img, 4, orig);
		if (sqlite3_step(img) != SQLITE_DONE)
			return -1;
		sqlite3_reset(img);
		if (rand_r(&seed) % 100 < 2)
			continue;  /* undecided */
		refined = rand_r(&seed) % 3 == 0;
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_text(st, 2, refined ? "refined" : "agreed", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
		for (a = 1; a <= 2; a++) {
			sqlite3_bind_int64(ann, 1, i);
			sqlite3_bind_int(ann, 2, a);
			if (sqlite3_step(ann) != SQLITE_DONE)
				return -1;
			sqlite3_reset(ann);
		}
		if (refined) {
			sqlite3_bind_int64(q, 1, i);
			if (sqlite3_step(q) != SQLITE_DONE)
				return -1;
			sqlite3_reset(q);
		}
		nl = rand_r(&seed) % 100 < 2 ? 0 : 1 + rand_r(&seed) % 3;
		for (k = 0; k < nl; k++) {
			int cls = k ? rand_r(&seed) % 1000 : orig;
			sqlite3_bind_int64(lab, 1, i);
			sqlite3_bind_int(lab, 2, cls);
			if (sqlite3_step(lab) != SQLITE_DONE)
				return -1;
			sqlite3_reset(lab);
			for (a = 1; a <= 2; a++) {
				sqlite3_bind_int64(al, 1, i * 2 + a);
				sqlite3_bind_int(al, 2, cls);
				if (sqlite3_step(al) != SQLITE_DONE)
					return -1;
				sqlite3_reset(al);
			}
		}
	}
	sqlite3_finalize(img);
	sqlite3_finalize(st);
	sqlite3_finalize(lab);
	sqlite3_finalize(ann);
	sqlite3_finalize(al);
	sqlite3_finalize(q);
	if (exec1(db, "COMMIT"))
		return -1;
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "real", "multilabelfy", "csv", "jsonl", "labelstudio" };
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[4096], out[4096];
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_export_cursor *c;
	struct mlfy_export_row row;
	struct mlfy_export_summary sum;
	double t0, t_base;
	long rss0;
	int f, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/bench-export-%ld.mlfy", dir, (long)getpid());
	t0 = now();
	if ((pid = fork()) == 0)
		_exit(build(path, n) ? 1 : 0);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_review_export: building the project failed\n");
		return 1;
	}
	printf("export: %ld images (1,000 classes, 1-3 labels, 2 %% undecided), built in %.1f s\n", n, now() - t0);
	if (mlfy_store_open(path, MLFY_STORE_READONLY, &s, &err)) {
		fprintf(stderr, "bench_review_export: %s\n", err.msg);
		return 1;
	}
	rss0 = max_rss_kib();
	t0 = now();
	if (mlfy_export_open(s, &c, &err))
		return 1;
	while (mlfy_export_next(c, &row, &err) == 1)
		;
	mlfy_export_close(c);
	t_base = now() - t0;
	printf("  baseline: step the export cursor        %6.2f s\n", t_base);
	for (f = 0; f < 5; f++) {
		FILE *o;
		if (argc > 3 && strcmp(argv[3], names[f]))
			continue;
		snprintf(out, sizeof(out), "%s.%s", path, names[f]);
		if (!(o = fopen(out, "w")))
			return 1;
		t0 = now();
		if (mlfy_export(s, (enum mlfy_export_format)f, NULL, o, &sum, &err)) {
			fprintf(stderr, "bench_review_export: %s\n", err.msg);
			return 1;
		}
		fclose(o);
		printf("  %-14s %6.2f s  (%.1fx baseline, %.0f images/s), peak RSS %ld MiB (%+ld MiB since opening)\n",
		       names[f], now() - t0, (now() - t0) / t_base, (double)n / (now() - t0), max_rss_kib() / 1024,
		       (max_rss_kib() - rss0) / 1024);
		unlink(out);
	}
	mlfy_store_close(s);
	if (getenv("MLFY_BENCH_KEEP")) {   /* keep the project for a closer look */
		printf("  project kept: %s\n", path);
		return 0;
	}
	unlink(path);
	snprintf(out, sizeof(out), "%s-wal", path);
	unlink(out);
	snprintf(out, sizeof(out), "%s-shm", path);
	unlink(out);
	return 0;
}

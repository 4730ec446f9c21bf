/* bench_live.c - the live project view (src/evaluate/live.h) on a
 * 1,000,000-image project: the cost of one refresh of the coordinator's
 * page after K images changed (K = 0, 100, 1,000, 10,000: the incremental
 * refresh, the JSON encoding and the in-memory SVG scatter), and of the
 * full build, against a baseline measured in the same run: the same
 * numbers recomputed through the evaluate path (mlfy_evalset_from_project,
 * each model's rank-0 proposals read from a CSV prediction file and scored
 * with mlfy_eval_run, mlfy_coverage_from_project, the label counts), i.e.
 * what `mlfy evaluate --project` and `mlfy stats` do.  It also checks that
 * both give the same numbers, before and after the changes.
 *
 * The project (plain SQL, kept for the next run under DIR): N images, 1,000
 * classes, 2 % without an original label; M models with top-20 proposals
 * each (model-1 is the active proposal model; model m's top-1 is the
 * original label for 50 + 8 m % of the images); 70 % of the images decided
 * with 0-6 labels (mostly the original label and classes of model-1's
 * proposals, 10 % from anywhere).  Each round changes K random images
 * through a second connection (85 % new sets, 15 % reopened), then times
 * what the server does per page view on its own connection.
 *
 *   bench_review_live [N [M [DIR]]]     defaults 1000000 3 /tmp
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "evaluate/coverage.h"
#include "evaluate/evalset.h"
#include "evaluate/evaluate.h"
#include "evaluate/label_counts.h"
#include "evaluate/live.h"
#include "evaluate/live_json.h"
#include "evaluate/top1.h"
#include "report/figures.h"
#include "store/final_labels.h"
#include "store/store.h"

#define N_CLASSES 1000
#define K_PROP 20
#define ROUNDS 5

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of this thread (SQLite runs in it too): the stable figure on a
 * shared machine, where wall times wait for a core. */
static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned seed = 12345;
static int rnd(int n)
{
	return rand_r(&seed) % n;
}

static int die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_review_live: %s: %s\n", what, msg);
	return 1;
}

static int ex(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		die(sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* What image id is: its original label, each model's top-1 and model 1's
 * proposals come from a generator seeded by the id, so that a change can
 * draw a new set for the image from the same proposals. */
struct image_truth {
	int orig;                  /* -1: none (2 %) */
	int active[K_PROP];        /* model 1's proposals */
	int pred[16];              /* [m] each model's top-1 */
};

/* Model 1's proposals for an image: its top-1, then the original label
 * (90 % of the time, at rank 1-5) and classes 37 apart. */
static void proposals(unsigned *st, int pred, int orig, int with_orig, int *list)
{
	int r = 1, c = 1, at = with_orig && orig >= 0 && orig != pred ? 1 + rand_r(st) % 5 : -1;
	list[0] = pred;
	while (r < K_PROP) {
		int cand = (pred + c++ * 37) % N_CLASSES;
		if (r == at) {
			list[r++] = orig;
			continue;
		}
		if (cand != orig)
			list[r++] = cand;
	}
}

static void image_truth(long id, int m, struct image_truth *t, int (*lists)[K_PROP])
{
	unsigned st = (unsigned)id * 2654435761u ^ 0x9e3779b9u;
	int mm, scratch[K_PROP];
	t->orig = rand_r(&st) % 100 < 2 ? -1 : rand_r(&st) % N_CLASSES;
	for (mm = 1; mm <= m; mm++) {
		int pred = t->orig >= 0 && rand_r(&st) % 100 < 50 + 8 * mm ? t->orig : rand_r(&st) % N_CLASSES;
		int *list = lists ? lists[mm - 1] : mm == 1 ? t->active : scratch;
		t->pred[mm - 1] = pred;
		proposals(&st, pred, t->orig, mm == 1 && rand_r(&st) % 100 < 90, list);
		if (mm == 1 && list != t->active)
			memcpy(t->active, list, sizeof(t->active));
	}
}

/* A final set of 0-6 labels: the original label (85 %), then classes of
 * the active model's proposals (90 %) or any class. */
static int final_set(int orig, const int *list, int *set)
{
	static const int sizes[20] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 6 };
	int size = sizes[rnd(20)], n = 0, j, c;
	if (size && orig >= 0 && rnd(100) < 85)
		set[n++] = orig;
	while (n < size) {
		int dup = 0;
		c = rnd(100) < 90 ? list[rnd(K_PROP)] : rnd(N_CLASSES);
		for (j = 0; j < n; j++)
			dup |= set[j] == c;
		if (!dup)
			set[n++] = c;
	}
	return n;
}

static int build(const char *path, long n, int m)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	sqlite3 *db;
	sqlite3_stmt *img, *prop, *fs, *fl;
	char sql[256], name[64];
	int lists[16][K_PROP], set[8], c, k, j, mm;
	long i;

	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err))
		return die(path, err.msg);
	mlfy_store_close(s);
	if (sqlite3_open(path, &db) || ex(db, "PRAGMA synchronous=OFF; BEGIN"))
		return 1;
	for (c = 0; c < N_CLASSES; c++) {
		snprintf(sql, sizeof(sql), "INSERT INTO classes(idx, ext_id, name) VALUES (%d, 'n%08d', 'class %d')", c, c, c);
		if (ex(db, sql))
			return 1;
	}
	for (mm = 1; mm <= m; mm++) {
		snprintf(sql, sizeof(sql), "INSERT INTO models(id, name, source, kind, created_at) VALUES (%d, 'model-%d',"
			 " 'bench', 'npy-logits', '2026-01-01T00:00:00Z')", mm, mm);
		if (ex(db, sql))
			return 1;
	}
	if (ex(db, "INSERT INTO meta(key, value) VALUES ('proposal_model', 'model-1')"))
		return 1;
	sqlite3_prepare_v2(db, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes,"
			   " added_at) VALUES (?1, ?2, ?2, ?3, 1, printf('%064x', ?1), 500, 375, 1, 'x')", -1, &img, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES (?1, ?2, ?3, ?4, 0.1)",
			   -1, &prop, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO final_status(image_id, stage, decided_at) VALUES (?1, 'agreed', 'x')", -1, &fs,
			   NULL);
	sqlite3_prepare_v2(db, "INSERT INTO final_labels(image_id, class_idx) VALUES (?1, ?2)", -1, &fl, NULL);
	for (i = 1; i <= n; i++) {
		struct image_truth tr;
		image_truth(i, m, &tr, lists);
		snprintf(name, sizeof(name), "img%08ld.jpg", i);
		sqlite3_bind_int64(img, 1, i);
		sqlite3_bind_text(img, 2, name, -1, SQLITE_TRANSIENT);
		if (tr.orig >= 0)
			sqlite3_bind_int(img, 3, tr.orig);
		else
			sqlite3_bind_null(img, 3);
		if (sqlite3_step(img) != SQLITE_DONE)
			return die("images", sqlite3_errmsg(db));
		sqlite3_reset(img);
		for (mm = 1; mm <= m; mm++) {
			for (k = 0; k < K_PROP; k++) {
				sqlite3_bind_int64(prop, 1, i);
				sqlite3_bind_int(prop, 2, mm);
				sqlite3_bind_int(prop, 3, k);
				sqlite3_bind_int(prop, 4, lists[mm - 1][k]);
				if (sqlite3_step(prop) != SQLITE_DONE)
					return die("proposals", sqlite3_errmsg(db));
				sqlite3_reset(prop);
			}
		}
		if (rnd(100) >= 70)
			continue;
		sqlite3_bind_int64(fs, 1, i);
		if (sqlite3_step(fs) != SQLITE_DONE)
			return die("final_status", sqlite3_errmsg(db));
		sqlite3_reset(fs);
		k = final_set(tr.orig, tr.active, set);
		for (j = 0; j < k; j++) {
			sqlite3_bind_int64(fl, 1, i);
			sqlite3_bind_int(fl, 2, set[j]);
			if (sqlite3_step(fl) != SQLITE_DONE)
				return die("final_labels", sqlite3_errmsg(db));
			sqlite3_reset(fl);
		}
	}
	sqlite3_finalize(img);
	sqlite3_finalize(prop);
	sqlite3_finalize(fs);
	sqlite3_finalize(fl);
	if (ex(db, "COMMIT"))
		return 1;
	sqlite3_close(db);
	return 0;
}

/* Each model's rank-0 proposals as a CSV name,index prediction file. */
static int write_predictions(const char *path, int m, const char *dir, char (*csv)[4200])
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int mm;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL))
		return 1;
	sqlite3_prepare_v2(db, "SELECT i.name, p.class_idx FROM images i JOIN proposals p ON p.image_id = i.id"
			   " AND p.model_id = ?1 AND p.rank = 0 ORDER BY i.id", -1, &st, NULL);
	for (mm = 1; mm <= m; mm++) {
		FILE *f;
		snprintf(csv[mm - 1], sizeof(csv[mm - 1]), "%s/bench-live-%ld-model-%d.csv", dir, (long)getpid(), mm);
		if (!(f = fopen(csv[mm - 1], "w")))
			return die(csv[mm - 1], "cannot write");
		fprintf(f, "name,index\n");
		sqlite3_bind_int(st, 1, mm);
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(f, "%s,%d\n", (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1));
		sqlite3_reset(st);
		fclose(f);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

struct reference {
	struct mlfy_eval_results r;
	struct mlfy_coverage cov;
	struct mlfy_label_counts lc;
};

/* The baseline: the same numbers through the evaluate path. */
static int reference(struct mlfy_store *s, int m, char (*csv)[4200], struct reference *out)
{
	struct mlfy_top1 *p[16];
	struct mlfy_evalset *es;
	struct mlfy_err err;
	size_t i;
	int mm, rc;

	mlfy_label_counts_init(&out->lc);
	if (mlfy_evalset_from_project(s, &es, &err))
		return die("evalset", err.msg);
	for (mm = 0; mm < m; mm++) {
		char model[32];
		snprintf(model, sizeof(model), "model-%d", mm + 1);
		if (mlfy_top1_load(model, csv[mm], es->n_classes, &p[mm], &err))
			return die(csv[mm], err.msg);
	}
	rc = mlfy_eval_run(es, p, (size_t)m, NULL, 0, MLFY_LIVE_MAX_COUNT, &out->r, &err);
	for (mm = 0; mm < m; mm++)
		mlfy_top1_free(p[mm]);
	if (rc)
		return die("evaluate", err.msg);
	for (i = 0; i < es->n; i++)
		if (es->decided[i] && mlfy_label_counts_add(&out->lc, es->off[i + 1] - es->off[i], &err))
			return die("label counts", err.msg);
	mlfy_evalset_free(es);
	if (mlfy_coverage_from_project(s, NULL, MLFY_LIVE_K, 3, &out->cov, NULL, &err))
		return die("coverage", err.msg);
	return 0;
}

static void reference_release(struct reference *ref)
{
	mlfy_eval_results_release(&ref->r);
	mlfy_label_counts_release(&ref->lc);
}

/* 0 when the view and the reference agree on every number shown. */
static int agree(const struct mlfy_live_view *v, const struct reference *ref)
{
	size_t j, c;
	if (v->results.n_models != ref->r.n_models || v->results.n_undecided != ref->r.n_undecided ||
	    v->results.n_empty != ref->r.n_empty || v->results.n_no_original != ref->r.n_no_original)
		return 1;
	for (j = 0; j < ref->r.n_models; j++)
		if (memcmp(&v->results.models[j].acc, &ref->r.models[j].acc, sizeof(ref->r.models[j].acc)))
			return 1;
	if (v->counts.n_images != ref->lc.n_images || v->counts.total_labels != ref->lc.total_labels ||
	    v->counts.max_count != ref->lc.max_count)
		return 1;
	for (c = 0; c <= ref->lc.max_count; c++)
		if (mlfy_label_counts_exactly(&v->counts, c) != mlfy_label_counts_exactly(&ref->lc, c))
			return 1;
	return v->within.n != ref->cov.n_labels || v->within.k != ref->cov.labels_in_top[MLFY_LIVE_K] ||
	       v->coverage_images != ref->cov.n_images || v->coverage_no_proposals != ref->cov.n_no_proposals;
}

/* Changes k random images through the writer connection (one
 * transaction): new sets drawn as the first ones, or reopened. */
static int change(struct mlfy_store *w, long n, int m, long k)
{
	struct mlfy_err err;
	struct image_truth tr;
	int set[8];
	long i;
	if (mlfy_store_begin(w, &err))
		return die("begin", err.msg);
	for (i = 0; i < k; i++) {
		int64_t id = 1 + rnd((int)n);
		int size;
		if (rnd(100) < 15) {
			if (mlfy_final_delete(w, id, &err))
				return die("reopen", err.msg);
			continue;
		}
		image_truth(id, m, &tr, NULL);
		size = final_set(tr.orig, tr.active, set);
		if (mlfy_final_put(w, id, MLFY_FINAL_REFINED, 0, set, (size_t)size, &err))
			return die("decide", err.msg);
	}
	if (mlfy_store_commit(w, &err))
		return die("commit", err.msg);
	return 0;
}

static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One page view: refresh, JSON, SVG; the wall times in ms into t[0..3),
 * their sum's CPU time into t[3] and the refresh's CPU time into t[4]. */
static int page(struct mlfy_live *lv, struct mlfy_store *s, double *t, size_t *bytes)
{
	struct mlfy_err err;
	char *svg = NULL, *text;
	size_t len = 0;
	json_t *o;
	int changed;
	double c0 = cpu(), t0 = now();

	if (mlfy_live_refresh(lv, s, &changed, &err))
		return die("refresh", err.msg);
	t[0] = (now() - t0) * 1e3;
	t[4] = (cpu() - c0) * 1e3;
	t0 = now();
	if (!(o = mlfy_live_json(mlfy_live_view(lv))) || !(text = json_dumps(o, JSON_COMPACT)))
		return die("json", "out of memory");
	json_decref(o);
	t[1] = (now() - t0) * 1e3;
	*bytes = strlen(text);
	free(text);
	t0 = now();
	if (mlfy_live_scatter_svg(mlfy_live_view(lv), &svg, &len, &err))
		return die("svg", err.msg);
	t[2] = (now() - t0) * 1e3;
	t[3] = (cpu() - c0) * 1e3;
	bytes[1] = len;
	free(svg);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	int m = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	static const long ks[] = { 0, 100, 1000, 10000 };
	char path[4096], (*csv)[4200];
	struct mlfy_store *r, *w;
	struct mlfy_live *lv;
	struct mlfy_err err;
	struct reference ref;
	struct rusage ru;
	double t0, c0, base, base_cpu, open_s, open_cpu;
	size_t q, bytes[2];
	int mm;

	if (n < 10 || m < 1 || m > 16)
		return die("usage", "bench_review_live [N >= 10 [M in 1..16 [DIR]]]");
	snprintf(path, sizeof(path), "%s/bench-live-%ld-%d.mlfy", dir, n, m);
	if (access(path, F_OK) != 0) {
		t0 = now();
		if (build(path, n, m)) {
			unlink(path);
			return 1;
		}
		printf("live: %ld images x %d models x %d proposals built in %.1f s (%s, kept)\n", n, m, K_PROP,
		       now() - t0, path);
	} else {
		printf("live: %ld images x %d models x %d proposals (%s, from an earlier run)\n", n, m, K_PROP, path);
	}
	if (!(csv = calloc((size_t)m, sizeof(*csv))) || write_predictions(path, m, dir, csv))
		return 1;
	if (mlfy_store_open(path, 0, &w, &err) || mlfy_store_open(path, MLFY_STORE_READONLY, &r, &err))
		return die(path, err.msg);

	/* baseline: the evaluate path; then the full build */
	c0 = cpu();
	t0 = now();
	if (reference(r, m, csv, &ref))
		return 1;
	base = now() - t0;
	base_cpu = cpu() - c0;
	c0 = cpu();
	t0 = now();
	if (mlfy_live_open(r, &lv, &err))
		return die("open", err.msg);
	open_s = now() - t0;
	open_cpu = cpu() - c0;
	printf("  (load average %.2f on %ld cores; wall ms, and CPU ms of the thread)\n", loadavg(),
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("  %-46s %9.0f ms wall %9.0f ms CPU\n", "baseline: the evaluate path (evalset, M x",
	       base * 1e3, base_cpu * 1e3);
	printf("  %-46s\n", "  eval_run, coverage_from_project, counts)");
	printf("  %-46s %9.0f ms wall %9.0f ms CPU  (%.2fx the baseline's CPU)\n",
	       "full build: mlfy_live_open", open_s * 1e3, open_cpu * 1e3, open_cpu / base_cpu);
	printf("  %-50s %9.1f MiB (%.1f bytes per image)\n", "memory: mlfy_live_bytes",
	       mlfy_live_bytes(lv) / 1048576.0, (double)mlfy_live_bytes(lv) / (double)n);
	printf("  %-50s %s\n", "numbers equal to the evaluate path's", agree(mlfy_live_view(lv), &ref) ? "NO" : "yes");
	if (agree(mlfy_live_view(lv), &ref))
		return 1;
	reference_release(&ref);
	{
		/* the first figure loads the fonts (fontconfig): not a refresh's cost */
		char *svg;
		size_t len;
		t0 = now();
		if (mlfy_live_scatter_svg(mlfy_live_view(lv), &svg, &len, &err))
			return die("svg", err.msg);
		free(svg);
		printf("  %-50s %9.1f ms\n", "first SVG (font loading, once per process)", (now() - t0) * 1e3);
	}

	printf("  one page view after K changed images, median (max) of %d, ms:\n", ROUNDS);
	printf("  %9s %16s %9s %7s %7s %16s %9s %11s\n", "K", "refresh wall", "CPU", "JSON", "SVG",
	       "page wall", "page CPU", "CPU/base");
	for (q = 0; q < sizeof(ks) / sizeof(ks[0]); q++) {
		double t[ROUNDS][5], col[6][ROUNDS];
		int i, c;
		for (i = 0; i < ROUNDS; i++) {
			if (ks[q] && change(w, n, m, ks[q]))
				return 1;
			if (page(lv, r, t[i], bytes))
				return 1;
			for (c = 0; c < 5; c++)
				col[c][i] = t[i][c];
			col[5][i] = t[i][0] + t[i][1] + t[i][2];
		}
		for (c = 0; c < 6; c++)
			qsort(col[c], ROUNDS, sizeof(double), cmp_d);
		printf("  %9ld %7.2f (%6.2f) %9.2f %7.2f %7.2f %7.2f (%6.2f) %9.2f %10.5fx\n", ks[q],
		       col[0][ROUNDS / 2], col[0][ROUNDS - 1], col[4][ROUNDS / 2], col[1][ROUNDS / 2],
		       col[2][ROUNDS / 2], col[5][ROUNDS / 2], col[5][ROUNDS - 1], col[3][ROUNDS / 2],
		       col[3][ROUNDS / 2] / (base_cpu * 1e3));
	}
	printf("  (JSON %zu bytes, SVG %zu bytes per page view)\n", bytes[0], bytes[1]);

	/* after every change: still the evaluate path's numbers */
	if (reference(r, m, csv, &ref))
		return 1;
	printf("  %-50s %s\n", "after the changes: equal to the evaluate path's",
	       agree(mlfy_live_view(lv), &ref) ? "NO" : "yes");
	if (agree(mlfy_live_view(lv), &ref))
		return 1;
	reference_release(&ref);
	getrusage(RUSAGE_SELF, &ru);
	printf("  %-50s %9.1f MiB\n", "peak RSS of the benchmark", ru.ru_maxrss / 1024.0);
	mlfy_live_free(lv);
	mlfy_store_close(r);
	mlfy_store_close(w);
	for (mm = 0; mm < m; mm++)
		unlink(csv[mm]);
	free(csv);
	mlfy_plot_shutdown();
	return 0;
}

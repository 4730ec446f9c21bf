/* bench_real_votes.c - `mlfy aggregate --votes FULL.npz --method
 * dawid-skene` on a vote file of the size of ReaL's full raw votes (85
 * raters x 184,962 questions x 3 answers, float64, deflated: 377 MB
 * inflated) against a baseline run in the same invocation: numpy loading
 * the same file and running the same EM (real_votes_numpy.py beside this
 * file, /usr/bin/python3 with python3-numpy).  Reports the best wall time
 * of RUNS runs and the peak resident memory (getrusage of the child) of
 * each, their ratios, and checks the targets: peak RSS < 100 MB and >= 3x
 * faster than numpy; the posteriors of both must agree to 1e-9.
 *
 * The full file is not distributed with the data; it is generated from
 * ReaL's split A (../shared/data/real/raters_split_a.npz, 93,043
 * questions): split A followed by its first 91,919 questions again under
 * renamed files ("dup/<name>"), so the sparsity and the raters' answer
 * patterns are ReaL's own.  Written with util/npz_write.h at deflate level
 * 6, as numpy.savez_compressed writes.
 *
 *   bench_review_real_votes MLFY [DIR [RUNS]]
 *     MLFY  the mlfy binary; DIR where FULL.npz is kept (default: a new
 *     directory under $TMPDIR, reused when it already holds the file);
 *     RUNS default 3.  $MLFY_SHARED overrides ../shared.
 * Exit status 0 when both targets are met, 1 otherwise or on errors. */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "review/votes.h"
#include "util/npy.h"
#include "util/npz_write.h"

#define FULL_QUESTIONS 184962u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Writes split A + its first (FULL_QUESTIONS - N) questions again. */
static int generate(const char *src, const char *dst)
{
	struct mlfy_vote_set v;
	struct mlfy_npz_writer *w = NULL;
	struct mlfy_err err;
	char tmp[4096], name[512];
	size_t N, N2, R, r, q, i, width = 1, *start = NULL, *fill = NULL;
	uint32_t *by = NULL;
	double *row = NULL;
	FILE *f = NULL;
	int rc = 1;

	if (mlfy_vote_set_read_npz(src, &v, &err)) {
		fprintf(stderr, "bench_real_votes: %s\n", err.msg);
		return 1;
	}
	N = v.n_questions;
	R = v.n_raters;
	N2 = FULL_QUESTIONS > N ? FULL_QUESTIONS : N;
	for (q = 0; q < N; q++) {
		size_t l = strlen(v.image[q]) + 4;
		if (l > width)
			width = l;
	}
	start = calloc(R + 1, sizeof(*start));
	fill = calloc(R + 1, sizeof(*fill));
	by = malloc((v.n_votes + 1) * sizeof(*by));
	row = malloc(N2 * 3 * sizeof(*row));
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	if (!start || !fill || !by || !row || !(f = fopen(tmp, "wb"))) {
		perror("bench_real_votes");
		goto out;
	}
	for (i = 0; i < v.n_votes; i++)
		start[v.votes[i].rater + 1]++;
	for (r = 0; r < R; r++)
		start[r + 1] += start[r];
	memcpy(fill, start, (R + 1) * sizeof(*fill));
	for (i = 0; i < v.n_votes; i++)
		by[fill[v.votes[i].rater]++] = (uint32_t)i;
	if (mlfy_npz_writer_open(f, 6, &w, &err))
		goto fail;
	{
		size_t sh[3] = { R, N2, 3 };
		if (mlfy_npz_writer_begin(w, "tensor.npy", "<f8", 8, 3, sh, &err))
			goto fail;
	}
	for (r = 0; r < R; r++) {
		memset(row, 0, N2 * 3 * sizeof(*row));
		for (i = start[r]; i < start[r + 1]; i++) {
			const struct mlfy_vote *x = &v.votes[by[i]];
			row[x->question * 3 + x->answer] = 1.0;
			if (N + x->question < N2)
				row[(N + x->question) * 3 + x->answer] = 1.0;
		}
		if (mlfy_npz_writer_put(w, row, N2 * 3 * sizeof(*row), &err))
			goto fail;
	}
	if (mlfy_npz_writer_end(w, &err))
		goto fail;
	{
		size_t sh[2] = { N2, 2 };
		char descr[16];
		snprintf(descr, sizeof(descr), "<U%zu", width);
		if (mlfy_npz_writer_begin(w, "info.npy", descr, 4 * width, 2, sh, &err))
			goto fail;
	}
	for (q = 0; q < N2; q++) {
		char lab[16];
		snprintf(name, sizeof(name), "%s%s", q < N ? "" : "dup/", v.image[q % N]);
		snprintf(lab, sizeof(lab), "%d", (int)v.label[q % N]);
		if (mlfy_npz_writer_put_str(w, name, width, &err) || mlfy_npz_writer_put_str(w, lab, width, &err))
			goto fail;
	}
	if (mlfy_npz_writer_end(w, &err))
		goto fail;
	{
		size_t sh[1] = { R };
		if (mlfy_npz_writer_begin(w, "ids.npy", "<i8", 8, 1, sh, &err))
			goto fail;
		for (r = 0; r < R; r++) {
			int64_t id = strtoll(v.rater[r], NULL, 10);
			if (mlfy_npz_writer_put(w, &id, sizeof(id), &err))
				goto fail;
		}
		if (mlfy_npz_writer_end(w, &err))
			goto fail;
	}
	rc = mlfy_npz_writer_finish(w, &err);
	w = NULL;
	if (rc)
		goto fail;
	if (fclose(f) || rename(tmp, dst)) {
		f = NULL;
		perror("bench_real_votes");
		rc = 1;
		goto out;
	}
	f = NULL;
	printf("bench: generated %s: %zu raters x %zu questions x 3 (split A + %zu repeated questions)\n", dst, R, N2,
	       N2 - N);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "bench_real_votes: %s\n", err.msg);
	rc = 1;
out:
	mlfy_npz_writer_free(w);
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	free(start);
	free(fill);
	free(by);
	free(row);
	mlfy_vote_set_release(&v);
	return rc;
}

/* Runs argv with stdout to /dev/null; *secs and *rss_kib receive its wall
 * time and peak RSS.  0 on exit status 0. */
static int run(char *const argv[], double *secs, long *rss_kib)
{
	struct rusage ru;
	double t0;
	int status;
	pid_t pid;
	fflush(stdout);
	t0 = now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*secs = now() - t0;
	*rss_kib = ru.ru_maxrss;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Largest |a - b| over two float64 .npy files of the same shape. */
static double max_diff(const char *a, const char *b)
{
	struct mlfy_npy *x = NULL, *y = NULL;
	struct mlfy_err err;
	double *u = NULL, *v = NULL, d = 1e300;
	size_t i;
	if (!mlfy_npy_open(a, &x, &err) && !mlfy_npy_open(b, &y, &err) && x->count == y->count &&
	    !mlfy_npy_read_double(x, &u, &err) && !mlfy_npy_read_double(y, &v, &err))
		for (i = 0, d = 0; i < x->count; i++)
			d = fabs(u[i] - v[i]) > d ? fabs(u[i] - v[i]) : d;
	free(u);
	free(v);
	mlfy_npy_close(x);
	mlfy_npy_close(y);
	return d;
}

int main(int argc, char **argv)
{
	const char *mlfy = argc > 1 ? argv[1] : NULL;
	const char *shared = getenv("MLFY_SHARED");
	char dir[4096], full[4096], src[4096], script[4096], out_c[4096], out_py[4096], here[4096];
	int runs = argc > 3 ? atoi(argv[3]) : 3, i;
	double best_c = 1e300, best_py = 1e300, t, diff;
	long rss_c = 0, rss_py = 0, k;
	struct stat st;

	if (!mlfy || runs < 1) {
		fprintf(stderr, "usage: bench_review_real_votes MLFY [DIR [RUNS]]\n");
		return 1;
	}
	snprintf(here, sizeof(here), "%s", __FILE__);
	snprintf(script, sizeof(script), "%s/real_votes_numpy.py", dirname(here));
	if (argc > 2) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		mkdir(dir, 0777);
	} else {
		const char *tmpdir = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/mlfy-bench-real-votes", tmpdir && *tmpdir ? tmpdir : "/tmp");
		mkdir(dir, 0777);
	}
	snprintf(full, sizeof(full), "%s/FULL.npz", dir);
	snprintf(src, sizeof(src), "%s/data/real/raters_split_a.npz", shared && *shared ? shared : "../shared");
	snprintf(out_c, sizeof(out_c), "%s/mlfy.npy", dir);
	snprintf(out_py, sizeof(out_py), "%s/numpy.npy", dir);
	if (stat(full, &st) != 0) {
		if (stat(src, &st) != 0) {
			fprintf(stderr, "bench_real_votes: %s not found (set MLFY_SHARED)\n", src);
			return 1;
		}
		if (generate(src, full))
			return 1;
	}
	stat(full, &st);
	printf("bench: %s (%.1f MB on disk)\n", full, st.st_size / 1e6);
	for (i = 0; i < runs; i++) {
		char *ca[] = { (char *)mlfy, "aggregate", "--votes", full, "--method", "dawid-skene", "--out", out_c, NULL };
		char *pa[] = { "/usr/bin/python3", script, full, out_py, NULL };
		if (run(ca, &t, &k)) {
			fprintf(stderr, "bench_real_votes: %s aggregate failed\n", mlfy);
			return 1;
		}
		best_c = t < best_c ? t : best_c;
		rss_c = k > rss_c ? k : rss_c;
		if (run(pa, &t, &k)) {
			fprintf(stderr, "bench_real_votes: the numpy baseline failed (apt-get install python3-numpy)\n");
			return 1;
		}
		best_py = t < best_py ? t : best_py;
		rss_py = k > rss_py ? k : rss_py;
	}
	diff = max_diff(out_c, out_py);
	printf("bench: numpy load + EM (baseline)   %7.3f s  peak RSS %7.1f MB\n", best_py, rss_py / 1024.0);
	printf("bench: mlfy aggregate --votes       %7.3f s  peak RSS %7.1f MB\n", best_c, rss_c / 1024.0);
	printf("bench: speed-up %.2fx (target >= 3x), memory %.2fx less; posteriors agree to %.1e\n",
	       best_py / best_c, (double)rss_py / (double)rss_c, diff);
	if (diff > 1e-9)
		printf("bench: FAIL: the posteriors differ\n");
	printf("bench: peak RSS %s 100 MB, speed %s 3x\n", rss_c / 1024.0 < 100 ? "<" : "NOT <",
	       best_py / best_c >= 3 ? ">=" : "NOT >=");
	return rss_c / 1024.0 < 100 && best_py / best_c >= 3 && diff <= 1e-9 ? 0 : 1;
}

/* bench_propose.c - throughput of stage (i), built as mlfy-bench-propose
 * when the build has ONNX Runtime (cmake/onnxruntime.cmake); driven by
 * bench/propose/run.
 *
 *   mlfy-bench-propose infer PROJECT MODEL THREADS [BATCH]
 *       decodes every image of PROJECT first (not timed), then times
 *       ONNX Runtime alone on the preloaded tensors, batch by batch;
 *   mlfy-bench-propose e2e PROJECT MODEL THREADS [BATCH] [ORT-OPTION...]
 *       times mlfy_propose_run (decode threads + inference + storing the
 *       top-20 in the project), recomputing every image (force).
 * Prints one line:
 *   mode threads images seconds images_per_s cpu_ms_per_image peak_rss_mib
 *        [decode_wait_s decode_cpu_ms_per_image]
 * CPU time is user + system time of the process over the timed part
 * (getrusage), a measure that holds up on a loaded machine where wall
 * times do not; peak RSS is getrusage(RUSAGE_SELF).ru_maxrss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "propose/pipeline.h"
#include "propose/propose.h"
#include "propose/session.h"
#include "store/catalog.h"

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

struct paths {
	char **p;
	size_t n, cap;
};

static int add_path(const struct mlfy_image *img, void *ctx)
{
	struct paths *ps = ctx;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 256;
		ps->p = realloc(ps->p, ps->cap * sizeof(char *));
		if (!ps->p)
			return -1;
	}
	ps->p[ps->n++] = strdup(img->path);
	return 0;
}

static int bench_infer(struct mlfy_store *s, const char *model, int threads, int batch)
{
	struct mlfy_session_opts so = { .intra_threads = threads, .quant_auto = 1, .no_spin = 1 };
	struct mlfy_session *sess;
	struct mlfy_prep p;
	struct mlfy_err err;
	struct paths ps = { 0 };
	float *tensors, *logits;
	size_t len, i, want = 0, cap = 100000, row;
	double t0, t, c0;
	int rc = 1;

	if (mlfy_catalog_foreach_image(s, 0, add_path, &ps, &err) || ps.n == 0) {
		fprintf(stderr, "no images: %s\n", err.msg);
		return 1;
	}
	if (mlfy_session_open(model, &so, &sess, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	mlfy_prep_init(&p);
	p.height = mlfy_session_info(sess)->height > 0 ? mlfy_session_info(sess)->height : 224;
	p.width = mlfy_session_info(sess)->width > 0 ? mlfy_session_info(sess)->width : 224;
	p.layout = mlfy_session_info(sess)->layout;
	len = mlfy_prep_tensor_len(&p);
	tensors = malloc(ps.n * len * sizeof(float));
	logits = malloc((size_t)batch * cap * sizeof(float));
	if (!tensors || !logits)
		goto out;
	for (i = 0; i < ps.n; i++)
		if (mlfy_prep_image(&p, ps.p[i], tensors + i * len, NULL, &err))
			memset(tensors + i * len, 0, len * sizeof(float));
	/* one warm-up batch (ORT allocates its arena on the first run) */
	if (mlfy_session_run(sess, tensors, 1, p.height, p.width, 1, &want, &logits, &cap, &row, &err))
		goto fail;
	t0 = mlfy_now();
	c0 = cpu_s();
	for (i = 0; i < ps.n; i += (size_t)batch) {
		size_t n = ps.n - i < (size_t)batch ? ps.n - i : (size_t)batch;
		if (mlfy_session_run(sess, tensors + i * len, (int64_t)n, p.height, p.width, 1, &want, &logits,
				     &cap, &row, &err))
			goto fail;
	}
	t = mlfy_now() - t0;
	printf("infer %d %zu %.2f %.1f %.1f %.0f\n", threads, ps.n, t, (double)ps.n / t,
	       1000.0 * (cpu_s() - c0) / (double)ps.n, peak_mib());
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "%s\n", err.msg);
out:
	free(tensors);
	free(logits);
	for (i = 0; i < ps.n; i++)
		free(ps.p[i]);
	free(ps.p);
	mlfy_session_close(sess);
	return rc;
}

static int bench_e2e(struct mlfy_store *s, const char *model, int threads, int batch,
		     char **opts, int n_opts)
{
	struct mlfy_propose_opts o;
	struct mlfy_propose_result r;
	struct mlfy_ort_option ort[16];
	struct mlfy_err err;
	int i, n = 0;
	double c0;

	for (i = 0; i < n_opts && n < 16; i++) {
		char *eq = strchr(opts[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		ort[n].key = opts[i];
		ort[n].value = eq + 1;
		n++;
	}
	mlfy_propose_opts_init(&o);
	o.model_path = model;
	o.model_name = "bench";
	o.threads = threads;
	o.batch = batch;
	o.force = 1;
	o.ort_options = ort;
	o.n_ort_options = (size_t)n;
	c0 = cpu_s();
	if (mlfy_propose_run(s, &o, &r, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		mlfy_propose_result_release(&r);
		return 1;
	}
	/* the CPU time includes opening the model and listing the images */
	printf("e2e %d %lld %.2f %.1f %.1f %.0f %.2f %.1f\n", threads, (long long)r.stats.items_done,
	       r.stats.wall, (double)r.stats.items_done / r.stats.wall,
	       1000.0 * (cpu_s() - c0) / (double)r.stats.items_done, peak_mib(), r.stats.wait,
	       1000.0 * r.stats.decode_cpu / (double)r.stats.items_done);
	mlfy_propose_result_release(&r);
	return 0;
}

int main(int argc, char **argv)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	int threads, batch, rc;

	if (argc < 5 || (strcmp(argv[1], "infer") && strcmp(argv[1], "e2e"))) {
		fprintf(stderr, "usage: %s infer|e2e PROJECT MODEL THREADS [BATCH] [K=V...]\n", argv[0]);
		return 2;
	}
	if (!mlfy_session_available()) {
		fprintf(stderr, "%s\n", mlfy_session_runtime());
		return 77;
	}
	threads = atoi(argv[4]);
	batch = argc > 5 ? atoi(argv[5]) : 32;
	if (mlfy_store_open(argv[2], 0, &s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[1], "infer"))
		rc = bench_infer(s, argv[3], threads, batch);
	else
		rc = bench_e2e(s, argv[3], threads, batch, argv + 6, argc > 6 ? argc - 6 : 0);
	mlfy_store_close(s);
	return rc;
}

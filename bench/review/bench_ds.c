/* bench_ds.c - Dawid-Skene on a synthetic vote set with the shape of ReaL
 * (Beyer et al. 2020): 185,000 (image, label) questions, 5 votes each, drawn
 * from 85 raters; answers no/maybe/yes.  Prints the iterations and seconds of
 * mlfy_dawid_skene against baselines measured in the same run: one pass over
 * the votes (a sum of answers) and a majority vote.
 *
 *   bench_review_ds [QUESTIONS [VOTES_PER_QUESTION [RATERS]]]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "review/aggregate.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	size_t nq = argc > 1 ? strtoul(argv[1], NULL, 10) : 185000;
	size_t per = argc > 2 ? strtoul(argv[2], NULL, 10) : 5;
	size_t nr = argc > 3 ? strtoul(argv[3], NULL, 10) : 85;
	size_t nv = nq * per, i, q, k, correct = 0, maj_correct = 0;
	struct mlfy_vote *v = malloc(nv * sizeof(*v));
	unsigned char *truth = malloc(nq);
	double *acc = malloc(nr * sizeof(*acc));
	double *post = malloc(nq * sizeof(*post)), *score = malloc(nq * sizeof(*score));
	unsigned char *label = malloc(nq);
	struct mlfy_ds_stats st;
	struct mlfy_err err;
	unsigned seed = 2020;
	double t0, t_pass, t_maj, t_ds;
	volatile double sink = 0;

	if (!v || !truth || !acc || !post || !score || !label || per == 0 || per > nr) {
		fprintf(stderr, "bench_review_ds: bad sizes or out of memory\n");
		return 1;
	}
	/* raters between 70 % and 98 % accurate; 10 % of answers "maybe" */
	for (i = 0; i < nr; i++)
		acc[i] = 0.70 + 0.28 * (rand_r(&seed) / (double)RAND_MAX);
	for (q = 0, k = 0; q < nq; q++) {
		size_t first = (size_t)rand_r(&seed) % nr;
		truth[q] = rand_r(&seed) % 100 < 25;
		for (i = 0; i < per; i++, k++) {
			size_t r = (first + i * 7) % nr; /* distinct raters per question (7 coprime to 85) */
			int u = rand_r(&seed) % 1000, ans;
			if (u < 100)
				ans = 1;
			else
				ans = (rand_r(&seed) / (double)RAND_MAX < acc[r]) ? (truth[q] ? 2 : 0) : (truth[q] ? 0 : 2);
			v[k].question = (uint32_t)q;
			v[k].rater = (uint32_t)r;
			v[k].answer = (uint8_t)ans;
		}
	}

	t0 = now();
	for (i = 0; i < nv; i++)
		sink += v[i].answer;
	t_pass = now() - t0;

	t0 = now();
	if (mlfy_majority_vote(v, nv, nq, 3, 0.5, score, label, NULL, &err)) {
		fprintf(stderr, "bench_review_ds: %s\n", err.msg);
		return 1;
	}
	t_maj = now() - t0;

	t0 = now();
	if (mlfy_dawid_skene(v, nv, nq, nr, 3, NULL, post, NULL, &st, &err)) {
		fprintf(stderr, "bench_review_ds: %s\n", err.msg);
		return 1;
	}
	t_ds = now() - t0;

	for (q = 0; q < nq; q++) {
		correct += (post[q] > 0.5) == truth[q];
		maj_correct += label[q] == truth[q];
	}
	printf("dawid-skene: %zu questions x %zu votes from %zu raters (%zu votes)\n", nq, per, nr, nv);
	printf("  baseline: one pass over the votes  %.4f s\n", t_pass);
	printf("  baseline: majority vote            %.4f s  (accuracy %.4f)\n", t_maj, correct ? maj_correct / (double)nq : 0.0);
	printf("  dawid-skene                        %.4f s  %d iterations (%s), %.2f ms/iteration, accuracy %.4f\n",
	       t_ds, st.iterations, st.converged ? "converged" : "iteration limit",
	       1e3 * t_ds / st.iterations, correct / (double)nq);
	printf("  dawid-skene / one pass             %.1fx\n", t_pass > 0 ? t_ds / t_pass : 0.0);
	free(v);
	free(truth);
	free(acc);
	free(post);
	free(score);
	free(label);
	return sink < 0;
}

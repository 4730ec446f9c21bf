/* test_aggregate.c - majority vote and Dawid-Skene on hand-checked votes:
 * one EM iteration written out by hand, convergence, missing answers,
 * recovery of the truth from reliable raters among spammers, an
 * adversarial rater, confusions estimated from known truth (golden
 * questions) and held fixed, and input validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/aggregate.h"
#include "testutil.h"
#include "review_test.h"

enum { NO = 0, MAYBE = 1, YES = 2 };

/* q0: yes yes no -> 2/3; q1: yes no -> 1/2 (not > 0.5: no majority);
 * q2: maybe yes -> (0.5 + 1)/2 = 0.75; q3: no votes -> 0. */
static void majority_hand_example(void **state)
{
	const struct mlfy_vote v[] = {
		{ 0, 0, YES }, { 0, 1, YES }, { 0, 2, NO },
		{ 1, 0, YES }, { 1, 1, NO },
		{ 2, 1, MAYBE }, { 2, 2, YES },
	};
	double score[4];
	uint8_t label[4];
	uint32_t counts[4];
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_majority_vote(v, 7, 4, 3, 0.5, score, label, counts, &err), 0);
	assert_close(score[0], 2.0 / 3.0, 1e-15);
	assert_close(score[1], 0.5, 1e-15);
	assert_close(score[2], 0.75, 1e-15);
	assert_close(score[3], 0.0, 0);
	assert_int_equal(label[0], 1);
	assert_int_equal(label[1], 0);
	assert_int_equal(label[2], 1);
	assert_int_equal(label[3], 0);
	assert_int_equal(counts[0], 3);
	assert_int_equal(counts[3], 0);
	/* a lower threshold turns the split into a positive */
	assert_int_equal(mlfy_majority_vote(v, 7, 4, 3, 0.4, score, label, NULL, &err), 0);
	assert_int_equal(label[1], 1);
}

/* One EM iteration by hand.  Two no/yes questions, two raters, s = 0.01:
 *   q0: r0 yes, r1 yes      q1: r0 yes, r1 no
 * init T0 = 1, T1 = 1/2.
 * M-step: p = (1.5 + .01)/(2 + .02) = 1.51/2.02
 *   r0: under T=1 yes-mass 1.5, no-mass 0 -> pi1(yes) = 1.51/1.52, pi1(no) = .01/1.52
 *       under T=0 yes-mass .5, no-mass 0  -> pi0(yes) = .51/.52,   pi0(no) = .01/.52
 *   r1: T=1 yes 1, no .5 -> pi1(yes) = 1.01/1.52, pi1(no) = .51/1.52
 *       T=0 yes 0, no .5 -> pi0(yes) = .01/.52,   pi0(no) = .51/.52
 * E-step: posterior = p L1 / (p L1 + (1-p) L0) with L the product of the
 * votes' probabilities under each truth. */
static void ds_one_iteration_by_hand(void **state)
{
	const struct mlfy_vote v[] = { { 0, 0, 1 }, { 0, 1, 1 }, { 1, 0, 1 }, { 1, 1, 0 } };
	struct mlfy_ds_params prm = { 0.01, 0.0, 1, NULL, NULL };
	struct mlfy_ds_stats st;
	double post[2], conf[2 * 2 * 2];
	struct mlfy_err err;
	double p = 1.51 / 2.02;
	double r0_1y = 1.51 / 1.52, r0_0y = .51 / .52;
	double r1_1y = 1.01 / 1.52, r1_1n = .51 / 1.52, r1_0y = .01 / .52, r1_0n = .51 / .52;
	double q0 = p * r0_1y * r1_1y / (p * r0_1y * r1_1y + (1 - p) * r0_0y * r1_0y);
	double q1 = p * r0_1y * r1_1n / (p * r0_1y * r1_1n + (1 - p) * r0_0y * r1_0n);
	(void)state;
	assert_int_equal(mlfy_dawid_skene(v, 4, 2, 2, 2, &prm, post, conf, &st, &err), 0);
	assert_int_equal(st.iterations, 1);
	assert_int_equal(st.converged, 0);
	assert_close(st.prior, p, 1e-15);
	assert_close(post[0], q0, 1e-12);
	assert_close(post[1], q1, 1e-12);
	assert_close(st.max_delta, fabs(q1 - 0.5) > fabs(q0 - 1) ? fabs(q1 - 0.5) : fabs(q0 - 1), 1e-12);
	/* confusion layout [(r * 2 + t) * A + a] */
	assert_close(conf[(0 * 2 + 1) * 2 + 1], r0_1y, 1e-15);
	assert_close(conf[(0 * 2 + 1) * 2 + 0], .01 / 1.52, 1e-15);
	assert_close(conf[(1 * 2 + 0) * 2 + 0], r1_0n, 1e-15);
	assert_close(conf[(1 * 2 + 1) * 2 + 0], r1_1n, 1e-15);
	/* and q0 is now above q1: r1's "no" on q1 counts against it */
	assert_true(post[0] > post[1]);
}

/* Unanimous reliable raters: posteriors go to 0/1 and EM stops on the
 * tolerance well before 100 iterations; the question nobody answered gets
 * the prior (here 3 of 6 answered questions are positive: p ~ 1/2). */
static void ds_converges_on_clear_data(void **state)
{
	struct mlfy_vote v[6 * 3];
	double post[7];
	struct mlfy_ds_stats st;
	struct mlfy_err err;
	size_t n = 0;
	int q, r;
	(void)state;
	for (q = 0; q < 6; q++)
		for (r = 0; r < 3; r++) {
			v[n].question = (uint32_t)q;
			v[n].rater = (uint32_t)r;
			v[n].answer = q < 3 ? YES : NO;
			n++;
		}
	assert_int_equal(mlfy_dawid_skene(v, n, 7, 3, 3, NULL, post, NULL, &st, &err), 0);
	assert_int_equal(st.converged, 1);
	assert_true(st.iterations < 100);
	assert_true(st.max_delta <= 1e-6);
	for (q = 0; q < 3; q++)
		assert_true(post[q] > 0.999);
	for (q = 3; q < 6; q++)
		assert_true(post[q] < 0.001);
	assert_close(post[6], 0.5, 1e-3);
	assert_close(post[6], st.prior, 0);
}

/* Synthetic crowd: 3 reliable raters (95 % correct) and 6 spammers who
 * answer yes at random half the time; every rater skips ~30 % of the
 * questions (missing answers).  The spammers drag the majority vote; EM
 * learns their confusion matrices (P(yes|T) ~ 1/2 for both T) and relies on
 * the reliable three.  Truth: 30 % positive.  About 0.3^3 = 2.7 % of the
 * questions have no reliable vote at all, so no method can exceed ~0.98.
 * Measured with this seed: DS 0.9707 after 42 iterations, majority 0.8133.
 * Asserted: DS >= 0.96 and at least 0.1 above majority; the learned
 * confusion of a reliable rater is within 0.03 of the generating 0.95. */
static void ds_beats_majority_with_spammers(void **state)
{
	enum { Q = 3000, R = 9 };
	struct mlfy_vote *v = malloc(sizeof(*v) * Q * R);
	uint8_t truth[Q], maj_label[Q];
	double post[Q], score[Q], conf[R * 2 * 2];
	struct mlfy_ds_stats st;
	struct mlfy_err err;
	unsigned seed = 7;
	size_t n = 0;
	int q, r, ds_ok = 0, maj_ok = 0;
	(void)state;
	for (q = 0; q < Q; q++) {
		truth[q] = (rand_r(&seed) % 100) < 30;
		for (r = 0; r < R; r++) {
			int ans;
			if (rand_r(&seed) % 100 < 30)
				continue; /* missing */
			if (r < 3)
				ans = (rand_r(&seed) % 100 < 95) ? truth[q] : !truth[q];
			else
				ans = rand_r(&seed) % 2;
			v[n].question = (uint32_t)q;
			v[n].rater = (uint32_t)r;
			v[n].answer = (uint8_t)ans;
			n++;
		}
	}
	assert_int_equal(mlfy_dawid_skene(v, n, Q, R, 2, NULL, post, conf, &st, &err), 0);
	assert_int_equal(mlfy_majority_vote(v, n, Q, 2, 0.5, score, maj_label, NULL, &err), 0);
	for (q = 0; q < Q; q++) {
		ds_ok += (post[q] > 0.5) == truth[q];
		maj_ok += maj_label[q] == truth[q];
	}
	print_message("dawid-skene accuracy %.4f, majority %.4f, %d iterations\n",
		      ds_ok / (double)Q, maj_ok / (double)Q, st.iterations);
	assert_true(ds_ok >= 0.96 * Q);
	assert_true(ds_ok >= maj_ok + 0.1 * Q);
	/* rater 0: P(yes | T = 1) and P(no | T = 0) near 0.95 */
	assert_close(conf[(0 * 2 + 1) * 2 + 1], 0.95, 0.03);
	assert_close(conf[(0 * 2 + 0) * 2 + 0], 0.95, 0.03);
	/* a spammer: P(yes | T) near 1/2 for both truths */
	assert_close(conf[(5 * 2 + 1) * 2 + 1], 0.5, 0.06);
	assert_close(conf[(5 * 2 + 0) * 2 + 1], 0.5, 0.06);
	free(v);
}

/* Two reliable raters (r0, r1) answer q < 30; an adversarial one (r2,
 * always wrong) answers every question.  Truth: even questions positive.
 * EM learns r2's inverted confusion (P(yes | T = 0) ~ 1) from the questions
 * all three answered, and so gets q >= 30, where only r2 answered, right;
 * majority gets every one of those wrong. */
static void ds_adversarial_rater(void **state)
{
	enum { Q = 40 };
	struct mlfy_vote v[Q * 3];
	double post[Q], score[Q], conf[3 * 2 * 2];
	uint8_t maj[Q];
	struct mlfy_ds_stats st;
	struct mlfy_err err;
	size_t n = 0;
	int q;
	(void)state;
	for (q = 0; q < Q; q++) {
		int t = q % 2 == 0;
		if (q < 30) {
			v[n++] = (struct mlfy_vote){ (uint32_t)q, 0, (uint8_t)t };
			v[n++] = (struct mlfy_vote){ (uint32_t)q, 1, (uint8_t)t };
		}
		v[n++] = (struct mlfy_vote){ (uint32_t)q, 2, (uint8_t)!t };
	}
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, NULL, post, conf, &st, &err), 0);
	assert_int_equal(mlfy_majority_vote(v, n, Q, 2, 0.5, score, maj, NULL, &err), 0);
	assert_int_equal(st.converged, 1);
	for (q = 0; q < Q; q++) {
		assert_true(q % 2 == 0 ? post[q] > 0.99 : post[q] < 0.01);
		if (q >= 30)
			assert_int_not_equal(maj[q], q % 2 == 0);
	}
	/* r2: P(yes | T = 0) and P(no | T = 1) near 1 */
	assert_true(conf[(2 * 2 + 0) * 2 + 1] > 0.99);
	assert_true(conf[(2 * 2 + 1) * 2 + 0] > 0.99);
}

/* Confusion from known truth, by hand (A = 3, s = 0.01).  Rater 0 on four
 * golden questions with truth 1, 1, 0, unknown: answers yes, maybe, no, yes.
 *   T = 1 counts: no 0, maybe 1, yes 1 (of 2) -> (.01, 1.01, 1.01) / 2.03
 *   T = 0 counts: no 1 (of 1)                 -> (1.01, .01, .01) / 1.03
 * The unknown question's vote is skipped.  Rater 1 answered only the
 * unknown question: uniform 1/3 and answered = 0.  A soft truth 0.25 splits
 * a vote a quarter to T = 1. */
static void ds_confusion_from_truth_by_hand(void **state)
{
	const struct mlfy_vote v[] = {
		{ 0, 0, YES }, { 1, 0, MAYBE }, { 2, 0, NO }, { 3, 0, YES }, { 3, 1, NO },
	};
	const double truth[] = { 1, 1, 0, -1 };
	const double soft[] = { 0.25, -1, -1, -1 };
	double c[2 * 2 * 3];
	uint32_t answered[2];
	struct mlfy_err err;
	int a;
	(void)state;
	assert_int_equal(mlfy_ds_confusion_from_truth(v, 5, 4, 2, 3, truth, 0.01, c, answered, &err), 0);
	assert_close(c[(0 * 2 + 1) * 3 + NO], .01 / 2.03, 1e-15);
	assert_close(c[(0 * 2 + 1) * 3 + MAYBE], 1.01 / 2.03, 1e-15);
	assert_close(c[(0 * 2 + 1) * 3 + YES], 1.01 / 2.03, 1e-15);
	assert_close(c[(0 * 2 + 0) * 3 + NO], 1.01 / 1.03, 1e-15);
	assert_close(c[(0 * 2 + 0) * 3 + YES], .01 / 1.03, 1e-15);
	for (a = 0; a < 3; a++) {
		assert_close(c[(1 * 2 + 0) * 3 + a], 1.0 / 3.0, 1e-15);
		assert_close(c[(1 * 2 + 1) * 3 + a], 1.0 / 3.0, 1e-15);
	}
	assert_int_equal(answered[0], 3);
	assert_int_equal(answered[1], 0);
	assert_int_equal(mlfy_ds_confusion_from_truth(v, 5, 4, 2, 3, soft, 0.01, c, NULL, &err), 0);
	assert_close(c[(0 * 2 + 1) * 3 + YES], 0.26 / 0.28, 1e-15);
	assert_close(c[(0 * 2 + 0) * 3 + YES], 0.76 / 0.78, 1e-15);
	/* bad truth and smoothing */
	{
		const double bad[] = { 1.5, 0, 0, 0 };
		assert_int_equal(mlfy_ds_confusion_from_truth(v, 5, 4, 2, 3, bad, 0.01, c, NULL, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "question 0"));
		assert_int_equal(mlfy_ds_confusion_from_truth(v, 5, 4, 2, 3, truth, 0.0, c, NULL, &err), MLFY_EINVAL);
	}
}

/* Golden-fixed confusion.  On 40 questions (even ones positive) r0 answers
 * right, r1 wrong (adversarial) and r2 always yes.  The mean-vote start is
 * 2/3 for every question, so plain EM has nothing to break the tie and
 * gives every question the same posterior.  With r0's and r1's confusion
 * fixed from golden questions (r0 95 % right, r1 95 % wrong), their votes
 * agree on the truth and EM learns that r2 says yes whatever the truth.
 * One iteration by hand: the E-step uses exactly the fixed matrices, and
 * the reported confusion of r0 is the fixed one. */
static void ds_golden_fixed_confusion(void **state)
{
	enum { Q = 40 };
	struct mlfy_vote v[Q * 3];
	double post[Q], conf[3 * 2 * 2];
	double fixed_conf[3 * 2 * 2] = {
		.95, .05, .05, .95,   /* r0: T = 0 (no, yes), T = 1 (no, yes) */
		.05, .95, .95, .05,   /* r1: inverted */
		-1, -1, -1, -1,       /* r2 is not fixed: never read */
	};
	uint8_t fixed[3] = { 1, 1, 0 };
	struct mlfy_ds_params prm;
	struct mlfy_ds_stats st;
	struct mlfy_err err;
	size_t n = 0;
	int q;
	(void)state;
	for (q = 0; q < Q; q++) {
		int t = q % 2 == 0;
		v[n++] = (struct mlfy_vote){ (uint32_t)q, 0, (uint8_t)t };
		v[n++] = (struct mlfy_vote){ (uint32_t)q, 1, (uint8_t)!t };
		v[n++] = (struct mlfy_vote){ (uint32_t)q, 2, 1 };
	}
	/* plain EM: no question is told apart from another */
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, NULL, post, NULL, &st, &err), 0);
	for (q = 1; q < Q; q++)
		assert_close(post[q], post[0], 1e-12);
	mlfy_ds_defaults(&prm);
	prm.fixed = fixed;
	prm.fixed_confusion = fixed_conf;
	prm.max_iter = 1;
	prm.tolerance = 0;
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, &prm, post, conf, &st, &err), 0);
	{
		/* start 2/3 everywhere; M-step for p and r2 only */
		double s = .01, t1 = 40 * (2.0 / 3), p = (t1 + s) / (40 + 2 * s);
		double r2 = log((t1 + s) / (t1 + 2 * s)) - log((40 - t1 + s) / (40 - t1 + 2 * s));
		double l_pos = log(p / (1 - p)) + 2 * log(.95 / .05) + r2;
		double l_neg = log(p / (1 - p)) - 2 * log(.95 / .05) + r2;
		assert_close(post[0], 1 / (1 + exp(-l_pos)), 1e-12);
		assert_close(post[1], 1 / (1 + exp(-l_neg)), 1e-12);
		assert_close(conf[(0 * 2 + 0) * 2 + 1], 0.05, 0);
		assert_close(conf[(1 * 2 + 1) * 2 + 0], 0.95, 0);
	}
	prm.max_iter = 100;
	prm.tolerance = 1e-6;
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, &prm, post, conf, &st, &err), 0);
	assert_int_equal(st.converged, 1);
	for (q = 0; q < Q; q++)
		assert_true(q % 2 == 0 ? post[q] > 0.99 : post[q] < 0.01);
	/* r2 learned as a yes-sayer: P(yes | T) high under both truths */
	assert_true(conf[(2 * 2 + 0) * 2 + 1] > 0.9 && conf[(2 * 2 + 1) * 2 + 1] > 0.9);
	/* a fixed entry outside (0, 1] is refused, naming the rater */
	fixed[2] = 1;
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, &prm, post, conf, &st, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "rater 2"));
	prm.fixed_confusion = NULL;
	assert_int_equal(mlfy_dawid_skene(v, n, Q, 3, 2, &prm, post, conf, &st, &err), MLFY_EINVAL);
}

static void bad_input(void **state)
{
	const struct mlfy_vote v[] = { { 0, 0, 1 }, { 1, 0, 3 } };
	const struct mlfy_vote w[] = { { 0, 5, 1 } };
	struct mlfy_ds_params prm;
	double post[2], score[2];
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_dawid_skene(v, 2, 2, 1, 3, NULL, post, NULL, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "vote 1"));
	assert_int_equal(mlfy_dawid_skene(w, 1, 2, 2, 3, NULL, post, NULL, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "rater 5"));
	assert_int_equal(mlfy_dawid_skene(v, 1, 2, 1, 1, NULL, post, NULL, NULL, &err), MLFY_EINVAL);
	mlfy_ds_defaults(&prm);
	prm.smoothing = 0;
	assert_int_equal(mlfy_dawid_skene(v, 1, 2, 1, 3, &prm, post, NULL, NULL, &err), MLFY_EINVAL);
	mlfy_ds_defaults(&prm);
	prm.max_iter = 0;
	assert_int_equal(mlfy_dawid_skene(v, 1, 2, 1, 3, &prm, post, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_majority_vote(v, 2, 2, 3, 0.5, score, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_majority_vote(v, 1, 2, 3, NAN, score, NULL, NULL, &err), MLFY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(majority_hand_example),
		cmocka_unit_test(ds_one_iteration_by_hand),
		cmocka_unit_test(ds_converges_on_clear_data),
		cmocka_unit_test(ds_beats_majority_with_spammers),
		cmocka_unit_test(ds_adversarial_rater),
		cmocka_unit_test(ds_confusion_from_truth_by_hand),
		cmocka_unit_test(ds_golden_fixed_confusion),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

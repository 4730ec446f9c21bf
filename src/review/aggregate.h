/* aggregate.h - turning raw votes into one posterior per question: majority
 * vote and Dawid & Skene (1979) expectation-maximisation.  Pure computation
 * on caller-owned arrays: no I/O, no store.
 *
 * Vocabulary.  A *question* asks whether one label applies to one image
 * (ReaL's "(image, label)" pairs; a shown proposal in our own annotations).
 * A *rater* answers a question with one of n_answers options; with the usual
 * three, 0 = no, 1 = maybe, 2 = yes.  Answer a has the numeric *score*
 * a / (n_answers - 1) (no = 0, maybe = 0.5, yes = 1).  Votes are sparse: a
 * rater who did not answer a question simply has no vote for it.
 */
#ifndef MLFY_REVIEW_AGGREGATE_H
#define MLFY_REVIEW_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* One answer of one rater to one question.  question < n_questions,
 * rater < n_raters, answer < n_answers (checked by every function here). */
struct mlfy_vote {
	uint32_t question;
	uint32_t rater;
	uint8_t answer;
};

/* Largest number of answer options supported. */
#define MLFY_MAX_ANSWERS 8

/* Majority vote.  For every question q, score[q] = mean over its votes of the
 * answer score a / (n_answers - 1) (the fraction of "yes" votes when there are
 * only no/yes answers; "maybe" counts one half), and label[q] = 1 when
 * score[q] > threshold (strictly: with two raters split yes/no, score 0.5 is
 * not a majority at threshold 0.5), else 0.  Questions without votes get
 * score 0 and label 0.
 *
 * score, label and counts have n_questions elements (caller-owned; label and
 * counts may be NULL).  counts[q], when given, receives the number of votes
 * on q.
 * Errors: MLFY_EINVAL for an out-of-range vote (naming its index) or
 * n_answers outside [2, MLFY_MAX_ANSWERS]. */
int mlfy_majority_vote(const struct mlfy_vote *votes, size_t n_votes,
		       size_t n_questions, int n_answers, double threshold,
		       double *score, uint8_t *label, uint32_t *counts,
		       struct mlfy_err *err);

/* Parameters of Dawid-Skene; mlfy_ds_defaults() gives the documented ones. */
struct mlfy_ds_params {
	double smoothing;   /* additive (Laplace) count added to every confusion
			       cell and to both classes of the prior: 0.01 */
	double tolerance;   /* stop when no posterior moves more than this: 1e-6 */
	int max_iter;       /* stop after this many EM iterations at most: 100 */
};

void mlfy_ds_defaults(struct mlfy_ds_params *p);

/* What Dawid-Skene reports besides the posteriors. */
struct mlfy_ds_stats {
	int iterations;     /* EM iterations run (M-step + E-step = 1) */
	int converged;      /* 1 when the last iteration moved no posterior more
			       than the tolerance, 0 when max_iter stopped it */
	double max_delta;   /* largest posterior change in the last iteration */
	double prior;       /* final class prior P(label applies) */
};

/* Dawid & Skene (1979), "Maximum likelihood estimation of observer
 * error-rates using the EM algorithm", J. R. Stat. Soc. C 28(1):20-28,
 * specialised to a binary truth per question:
 *
 *   truth     T_q in {0, 1} (does the label apply?), prior p = P(T_q = 1)
 *   raters    pi_r[t][a] = P(rater r answers a | T = t), a 2 x n_answers
 *             confusion matrix per rater
 *
 *   initialise  P(T_q = 1) = mean answer score of q's votes (no = 0,
 *               maybe = 0.5, yes = 1), i.e. from the observed proportions
 *               as Dawid & Skene suggest
 *   repeat (one iteration):
 *     M-step  p = (sum_q P(T_q = 1) + s) / (Q + 2s)       class marginal
 *             pi_r[t][a] = (sum over r's votes with answer a of P(T_q = t) + s)
 *                        / (sum over r's votes of P(T_q = t) + A s)  error rates
 *     E-step  P(T_q = 1) = p prod_v pi_r(v)[1][a_v] /
 *                   (p prod_v pi_r(v)[1][a_v] + (1 - p) prod_v pi_r(v)[0][a_v])
 *             (Bayes' rule over the votes v on q, assumed independent
 *             given the truth)
 *   until no P(T_q = 1) moved more than tolerance, or max_iter iterations.
 *
 * s is params->smoothing (additive smoothing, which keeps every probability
 * positive so a rater who never said "maybe" cannot zero a posterior), Q the
 * number of questions with at least one vote, A = n_answers.  The E-step
 * works in log space.  Raters who did not answer a question contribute
 * nothing to it (Dawid & Skene's missing-data case).  Questions without votes
 * receive the final prior p.
 *
 * posterior: n_questions doubles (caller-owned), P(T_q = 1) on return.
 * confusion: NULL, or n_raters * 2 * n_answers doubles receiving pi_r[t][a]
 *            at [(r * 2 + t) * n_answers + a].
 * params: NULL for the defaults.  stats: may be NULL.
 *
 * Cost: O(n_votes) time per iteration after an O(n_votes + n_questions)
 * counting sort of the votes by question; memory O(n_votes + n_questions).
 * Errors: MLFY_EINVAL (out-of-range vote, bad parameters), MLFY_ENOMEM. */
int mlfy_dawid_skene(const struct mlfy_vote *votes, size_t n_votes,
		     size_t n_questions, size_t n_raters, int n_answers,
		     const struct mlfy_ds_params *params, double *posterior,
		     double *confusion, struct mlfy_ds_stats *stats,
		     struct mlfy_err *err);

#endif

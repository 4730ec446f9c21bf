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
 *
 * Reproducing ReaL (Beyer et al. 2020, "Are we done with ImageNet?",
 * github.com/google-research/reassessed-imagenet).  Measured on ReaL's split
 * A (93,043 questions) against its released Dawid-Skene scores; every
 * choice tried and its figure is in docs/review.md "Fidelity to ReaL".  The
 * choices kept, and where each comes from:
 *   - binary truth per question, a 2 x 3 confusion per rater, one global
 *     class prior, mean-vote start, smoothing 0.01, tolerance 1e-6, 100
 *     iterations: Dawid & Skene (1979) as ReaL names it (README: "computed
 *     by the Dawid & Skene 1979 algorithm"); per-class or per-group priors,
 *     pooled confusion, other smoothing, starts and tolerances were measured
 *     and do not help (plain: Pearson 0.985);
 *   - "maybe" is its own answer (a third column of the confusion): merging
 *     it into no or yes drops Pearson to 0.88 / 0.96;
 *   - the confusion of every rater who answered ReaL's golden questions is
 *     estimated once from those answers against the majority of ReaL's five
 *     experts (mlfy_ds_confusion_from_truth) and held fixed
 *     (mlfy_ds_params.fixed): source, ReaL's golden.npz / raters_golden.npz
 *     and the fit below (0.988 alone);
 *   - the original ImageNet label is one more rater, on the questions about
 *     the animal classes 0-397 only: yes for the image's original label, no
 *     for the others; EM estimates its confusion.  Source: ReaL's released
 *     scores themselves -- logit(score) is, to 0.016 rms, a sum of per-rater
 *     per-answer terms plus one of three offsets (object class 0; animal
 *     class -0.55; the image's original label, animal: +2.77), which is
 *     exactly such a rater; the +2.77 questions are the ImageNet original
 *     labels on all 83 split-A images among val 1-294 checked.  With both:
 *     Pearson 0.998.
 * The ReaL paper's own wording could not be consulted here; the CLI
 * (src/cli/cmd_aggregate.c, --golden, --golden-truth, --original-labels)
 * composes these pieces.
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

/* Parameters of Dawid-Skene; mlfy_ds_defaults() gives the documented ones.
 *
 * fixed / fixed_confusion hold some raters' confusion matrices fixed (not
 * re-estimated by the M-step): ReaL's procedure, reproduced in docs/review.md
 * "Fidelity to ReaL", estimates each rater's confusion once from the rater's
 * answers to golden questions whose truth the experts gave
 * (mlfy_ds_confusion_from_truth) and lets EM estimate only the others and
 * the class prior. */
struct mlfy_ds_params {
	double smoothing;   /* additive (Laplace) count added to every confusion
			       cell and to both classes of the prior: 0.01 */
	double tolerance;   /* stop when no posterior moves more than this: 1e-6 */
	int max_iter;       /* stop after this many EM iterations at most: 100 */
	const uint8_t *fixed;           /* NULL (default: every rater is
					   estimated), or n_raters flags:
					   non-zero = rater's confusion is fixed */
	const double *fixed_confusion;  /* with fixed: n_raters * 2 * n_answers
					   probabilities at [(r * 2 + t) *
					   n_answers + a]; only the rows of fixed
					   raters are read; each must be in
					   (0, 1] (caller-owned, not modified) */
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
 * With params->fixed, the M-step leaves the fixed raters' pi_r at
 * params->fixed_confusion (and confusion, when given, reports them).
 *
 * Cost: O(n_votes) time per iteration after an O(n_votes + n_questions)
 * counting sort of the votes by question; memory O(n_votes + n_questions).
 * Errors: MLFY_EINVAL (out-of-range vote, bad parameters, a fixed
 * confusion entry outside (0, 1] naming the rater), MLFY_ENOMEM. */
int mlfy_dawid_skene(const struct mlfy_vote *votes, size_t n_votes,
		     size_t n_questions, size_t n_raters, int n_answers,
		     const struct mlfy_ds_params *params, double *posterior,
		     double *confusion, struct mlfy_ds_stats *stats,
		     struct mlfy_err *err);

/* A supervised M-step: each rater's confusion matrix from its answers to
 * questions of known truth (Dawid & Skene's error rates with the truth
 * observed instead of estimated):
 *
 *   pi_r[t][a] = (sum over r's votes with answer a of P(T_q = t) + s)
 *              / (sum over r's votes of P(T_q = t) + A s)
 *
 * with P(T_q = 1) = truth[q] (0 or 1 for a hard truth, e.g. the majority of
 * ReaL's five experts on a golden question; a fraction for a soft one) and s
 * the smoothing.  Votes on questions with truth[q] < 0 (unknown) are
 * skipped.
 *
 * truth: n_questions values in [0, 1] or negative.  confusion: n_raters * 2
 * * n_answers doubles at [(r * 2 + t) * n_answers + a] (caller-owned); a
 * rater without votes on known questions gets the uniform 1 / n_answers.
 * answered: NULL, or n_raters counts of each rater's votes on known
 * questions (use answered[r] > 0 as mlfy_ds_params.fixed).
 * Errors: MLFY_EINVAL (out-of-range vote, truth above 1 or NaN, smoothing not
 * positive). */
int mlfy_ds_confusion_from_truth(const struct mlfy_vote *votes, size_t n_votes,
				 size_t n_questions, size_t n_raters, int n_answers,
				 const double *truth, double smoothing, double *confusion,
				 uint32_t *answered, struct mlfy_err *err);

#endif

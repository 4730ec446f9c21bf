/* quality.h - the quality of human work (quality.c): per annotator and
 * expert, accuracy on gold images and against the final labels, Dawid-Skene
 * error rates from the stage-ii answers, behaviour, time and pace, and the
 * flags a coordinator acts on; and the arms of the anchoring experiment
 * (review/anchoring.h).  `mlfy quality` prints it (quality_format.h), the
 * report draws it.  docs/quality.md explains every figure.
 *
 * Scoring an answer A against a known set T (gold or final):
 *   exact        A == T, a proportion of answers
 *   sensitivity  sum |A n T| / sum |T| (recall, pooled over labels)
 *   precision    sum |A n T| / sum |A|
 *   jaccard      mean over answers of |A n T| / |A u T| (1 when both are
 *                empty), with the normal 95 % interval of a mean
 *                (mean -+ 1.96 s / sqrt(n), clipped to [0, 1])
 * Proportions carry Wilson 95 % intervals (evaluate/metrics.h).  Unsure
 * answers are not scored (they defer to an expert); they are counted.
 * Gold: every stage-ii or iv answer on a gold image, except the answer a
 * gold set was taken from (a set added by `mlfy gold add --from-final` is
 * the deciding refinement's: that one refinement is not scored against
 * itself; gold from a file scores every answer).  Final: answers on images decided by someone else's
 * decision (final stage refined, aggregated or imported); agreed images are
 * left out, their final set being the annotators' own common set.
 *
 * Dawid-Skene (review/aggregate.h, two answers): every (image, shown
 * proposal) of the stage-ii answers is a question and each annotator's
 * answer a vote (chosen = 1); sensitivity = pi[1][1], specificity =
 * pi[0][0]; their intervals are Wilson intervals on the expected counts
 * (sum of P(T = 1) over the annotator's votes, and of those the expected
 * "yes" votes), an approximation that ignores the uncertainty of the
 * other raters' estimates.
 *
 * Flags (each with its reason): low accuracy when the whole 95 % interval
 * of the gold (or final) exact-set accuracy lies below min_accuracy; a
 * speeder when the median seconds per image is below a third of the
 * team's median (every stage-ii answer of the annotators pooled); a
 * rubber-stamper when the lower end of the Wilson interval of the share of
 * answers that are the model's top-1 alone lies more than half the way
 * from the rest of the team's pooled share r to 100 % (lo > r + (1-r)/2):
 * on ImageNet most images have one label, the top-1, so honest annotators
 * answer "top-1 alone" often; someone who does it nearly always stands
 * out. */
#ifndef MLFY_REVIEW_QUALITY_H
#define MLFY_REVIEW_QUALITY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "evaluate/metrics.h"
#include "store/flags.h"
#include "store/store.h"

struct mlfy_set_scores {
	struct mlfy_proportion exact, sensitivity, precision;
	double jaccard, jaccard_lo, jaccard_hi;   /* NAN when no answer */
};

struct mlfy_time_stats {
	size_t n;                    /* answers with a time */
	double median, q1, q3;       /* seconds per image (NAN when n == 0) */
	double per_hour;             /* images per hour of focused time */
	int64_t queue_total, queue_done;   /* stage ii: tasks in the queue and done */
	double pace_per_day;         /* answers per day between the first and last save (NAN: unknown) */
	double remaining_hours;      /* focused hours left at the median (NAN: unknown) */
	char eta[32];                /* projected finish at the pace, ISO-8601 UTC; "" unknown, "done" */
	char last_answer[32];        /* the latest save, ISO-8601 UTC; "" none */
	int stalled;                 /* tasks left, the account enabled, and no save within
				      * the last stall_hours (or none at all) */
};

enum {
	MLFY_FLAG_LOW_ACCURACY = 1u << 0,
	MLFY_FLAG_SPEEDER = 1u << 1,
	MLFY_FLAG_RUBBER_STAMP = 1u << 2,
};

struct mlfy_person_quality {
	char *name;                  /* owned */
	char role[16];
	int disabled;                /* the account is disabled: its open tasks wait for nobody */
	size_t answers;              /* stage-ii answers (own images and gold tasks) */
	size_t gold_tasks;           /* of which to gold tasks */
	size_t refinements;          /* stage-iv answers */
	struct mlfy_set_scores gold, final;
	int ds;                      /* 1 when the Dawid-Skene figures are set */
	struct mlfy_proportion ds_sensitivity, ds_specificity;  /* p = the estimate; k, n expected counts */
	struct mlfy_proportion top1_only, search_share, none_rate, unsure_rate;
	size_t unsure_reasons[MLFY_N_UNSURE];
	size_t tags[MLFY_N_TAGS];    /* answers carrying each problem tag */
	struct mlfy_time_stats time; /* stage ii for annotators, stage iv for experts */
	unsigned flags;
	char reason[3][192];         /* the reason of each flag ("" when not flagged) */
};

struct mlfy_quality_opts {
	double min_accuracy;         /* flag threshold, default 0.8 */
	const char *now;             /* "now" for projections, ISO-8601 UTC; NULL = the clock */
	double stall_hours;          /* a queue with no save for this long has stalled; 0 = 24 */
};

struct mlfy_quality {
	struct mlfy_person_quality *people;   /* owned, by name */
	size_t n_people;
	double team_median_seconds;           /* stage ii, annotators pooled */
	struct mlfy_proportion team_top1_only;
	int64_t stage_remaining;              /* stage-ii tasks not done, all queues */
	int64_t stage_disabled;               /* of which in the queues of disabled accounts */
	char stage_eta[32];                   /* when the slowest queue finishes; "done"; "" unknown
					       * (a queue without a pace yet) or no stage-ii tasks at all */
	size_t ds_questions;                  /* Dawid-Skene questions (image, shown proposal) */
	int ds_iterations, ds_converged;
	double min_accuracy;
	double stall_hours;
};

void mlfy_quality_release(struct mlfy_quality *q);

/* Parses a UTC time "YYYY-MM-DDTHH:MM:SSZ" (the store's timestamps; a real
 * date and time, the Z required) into *out: 0, or -1 when it is not one. */
int mlfy_quality_time_parse(const char *t, time_t *out);

/* Computes everything above for project s (read only) into *out.  opts
 * may be NULL (defaults).  Errors: the store's, MLFY_ENOMEM, MLFY_EINVAL
 * for a min_accuracy outside [0, 1]. */
int mlfy_quality_compute(struct mlfy_store *s, const struct mlfy_quality_opts *opts, struct mlfy_quality *out,
			 struct mlfy_err *err);

/* Scores one answer a[0..na) against truth t[0..nt) (both ascending) into
 * the running sums *acc (zero it first); mlfy_set_scores_finish turns the
 * sums into scores.  Exposed for the tests and the anchoring arms. */
struct mlfy_set_acc {
	size_t n, exact, inter, truth, chosen;
	double jsum, jsq;
};
void mlfy_set_acc_add(struct mlfy_set_acc *acc, const int32_t *a, size_t na, const int32_t *t, size_t nt);
void mlfy_set_scores_finish(const struct mlfy_set_acc *acc, struct mlfy_set_scores *out);

/* Two-sided p-value of the two-proportion z-test (pooled) of k1/n1 against
 * k2/n2: 2 Q(|z|), z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p the
 * pooled proportion; NAN when a sample is empty or p is 0 or 1. */
double mlfy_two_proportion_p(size_t k1, size_t n1, size_t k2, size_t n2);
#endif

/* analyze.h - stage (iii), `mlfy analyze`: judge every fully annotated
 * image with a rule (rules.h), give agreed images their final labels (stage
 * "agreed") and put the others into the refinement queue, and describe the
 * disagreement: by batch, by annotator pair (Cohen's kappa over the
 * proposals shown to both), and the most frequent disagreeing class pairs.
 *
 * What is judged.  An image is judged when every annotator assigned to its
 * batch has saved a stage-ii annotation.  Images with a missing annotation
 * are counted and listed, not judged, and keep whatever decision they had.
 * Images of unassigned batches are counted.  Images decided by a later stage
 * (final stage "refined", "aggregated" or "imported") or whose refinement
 * has started (an expert saved a stage-iv annotation) are judged for the
 * report but never changed.
 *
 * Idempotence.  Running twice with the same rule and annotations changes
 * nothing the second time (decisions are compared before writing).  With
 * another rule, images that now agree leave the queue and get their agreed
 * set, images that no longer agree lose their "agreed" decision and enter
 * the queue; expert assignments of rows that stay queued are kept.
 */
#ifndef MLFY_REVIEW_ANALYZE_H
#define MLFY_REVIEW_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include "review/rules.h"
#include "store/store.h"

struct mlfy_analyze_opts {
	struct mlfy_rule rule;
	int dry_run;             /* compute and report, write nothing (reads only) */
	size_t top;              /* how many class pairs / classes to report (10) */
	size_t max_missing;      /* how many incomplete images to list (20) */
};

struct mlfy_analysis_batch {
	int batch;
	int64_t images, judged, agreed, refine, missing, unassigned;
};

struct mlfy_analysis_pair {
	char *a, *b;             /* annotator names, a < b */
	int64_t images;          /* images both annotated */
	int64_t identical;       /* of which with identical sets */
	double mean_jaccard;     /* mean Jaccard similarity of their sets */
	double table[4];         /* over proposals shown to both: yes/yes, yes/no,
				    no/yes, no/no (a's answer first) */
	double kappa;            /* Cohen's kappa of that table */
	int kappa_defined;       /* 0 when kappa is undefined (one category only) */
};

struct mlfy_class_pair {
	int a, b;                /* a < b: chosen by one annotator but not the other,
				    and b by the other but not the first */
	int64_t count;
};

struct mlfy_class_count {
	int cls;
	int64_t count;           /* times chosen by some but not all annotators */
};

struct mlfy_incomplete {
	char *image;
	char *missing;           /* comma-separated annotator names */
};

struct mlfy_analysis {
	char rule[32];
	int dry_run;
	int64_t images;          /* in the project */
	int64_t judged;          /* fully annotated */
	int64_t agreed, refine;  /* of the judged, by the rule */
	int64_t missing;         /* not judged: some annotation missing */
	int64_t unassigned;      /* not judged: batch not assigned */
	int64_t kept;            /* judged but left alone: decided by a later stage
				    or refinement started */
	int64_t reasons[MLFY_N_REASONS];      /* by enum mlfy_rule_reason (index 0 = agreed) */
	/* changes written (or that a dry run would write) */
	int64_t new_agreed;      /* undecided -> agreed */
	int64_t changed_agreed;  /* agreed set replaced */
	int64_t unagreed;        /* agreed -> refinement queue */
	int64_t queued;          /* newly queued (incl. unagreed) */
	int64_t unqueued;        /* left the queue because they now agree */
	struct mlfy_analysis_batch *batches;  /* by batch number */
	size_t n_batches;
	struct mlfy_analysis_pair *pairs;     /* by (a, b) */
	size_t n_pairs;
	struct mlfy_class_pair *class_pairs;  /* most frequent first, at most top */
	size_t n_class_pairs;
	struct mlfy_class_count *classes;     /* most frequent first, at most top */
	size_t n_classes;
	struct mlfy_incomplete *incomplete;   /* first max_missing, in name order */
	size_t n_incomplete;
};

void mlfy_analysis_release(struct mlfy_analysis *a);

/* Runs the analysis in one transaction (must be called outside one).  With
 * opts->dry_run it only reads, in one read transaction (a store opened
 * MLFY_STORE_READONLY will do), and counts what the run would change.  Fills *out (release it).  Errors: store
 * errors (nothing is written), MLFY_ENOMEM. */
int mlfy_analyze(struct mlfy_store *s, const struct mlfy_analyze_opts *opts,
		 struct mlfy_analysis *out, struct mlfy_err *err);

#endif

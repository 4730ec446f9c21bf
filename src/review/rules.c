/* rules.c - the stage-iii agreement rules (see rules.h). */
#include "review/rules.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tolerance for comparing a mean Jaccard with its threshold (the mean of a
 * few fractions can land one ulp below a threshold it equals). */
#define JACCARD_EPS 1e-12

int mlfy_rule_parse(const char *text, struct mlfy_rule *rule, struct mlfy_err *err)
{
	memset(rule, 0, sizeof(*rule));
	if (!strcmp(text, "paper")) {
		rule->kind = MLFY_RULE_PAPER;
	} else if (!strcmp(text, "unanimous")) {
		rule->kind = MLFY_RULE_UNANIMOUS;
	} else if (!strcmp(text, "majority")) {
		rule->kind = MLFY_RULE_MAJORITY;
	} else if (!strcmp(text, "jaccard")) {
		rule->kind = MLFY_RULE_JACCARD;
		rule->threshold = 0.8;
	} else if (!strncmp(text, "jaccard:", 8)) {
		char *end;
		double t;
		errno = 0;
		t = strtod(text + 8, &end);
		if (errno || end == text + 8 || *end || !(t > 0.0 && t <= 1.0))
			return mlfy_err_set(err, MLFY_EINVAL,
					    "rule '%s': the jaccard threshold must be a number in (0, 1]", text);
		rule->kind = MLFY_RULE_JACCARD;
		rule->threshold = t;
	} else {
		return mlfy_err_set(err, MLFY_EINVAL,
				    "unknown rule '%s' (expected paper, unanimous, majority or jaccard:T)", text);
	}
	return 0;
}

void mlfy_rule_name(const struct mlfy_rule *rule, char buf[32])
{
	switch (rule->kind) {
	case MLFY_RULE_PAPER:
		snprintf(buf, 32, "paper");
		break;
	case MLFY_RULE_UNANIMOUS:
		snprintf(buf, 32, "unanimous");
		break;
	case MLFY_RULE_MAJORITY:
		snprintf(buf, 32, "majority");
		break;
	case MLFY_RULE_JACCARD:
		snprintf(buf, 32, "jaccard:%g", rule->threshold);
		break;
	}
}

const char *mlfy_rule_reason_code(enum mlfy_rule_reason r)
{
	switch (r) {
	case MLFY_REASON_AGREED: return "agreed";
	case MLFY_REASON_SETS_DIFFER: return "sets_differ";
	case MLFY_REASON_ORIGINAL_MISSING: return "original_label_not_chosen";
	case MLFY_REASON_MAJORITY_TIE: return "majority_tie";
	case MLFY_REASON_JACCARD_LOW: return "jaccard_below_threshold";
	case MLFY_REASON_UNSURE: return "annotator_unsure";
	case MLFY_N_REASONS: break;
	}
	return "unknown";
}

/* Writes the labels chosen by more than half of the sets to out; *tie = 1
 * when some label is chosen by exactly half.  A k-way merge of the sorted
 * sets. */
static int majority_set(const struct mlfy_labelset *sets, size_t n_sets, int32_t *out,
			size_t *n_out, int *tie, struct mlfy_err *err)
{
	size_t *pos, i;

	*n_out = 0;
	*tie = 0;
	if (!(pos = calloc(n_sets, sizeof(*pos))))
		return mlfy_err_oom(err);
	for (;;) {
		int32_t lo = 0;
		int have = 0;
		size_t count = 0;
		for (i = 0; i < n_sets; i++) {
			if (pos[i] < sets[i].n && (!have || sets[i].labels[pos[i]] < lo)) {
				lo = sets[i].labels[pos[i]];
				have = 1;
			}
		}
		if (!have)
			break;
		for (i = 0; i < n_sets; i++) {
			if (pos[i] < sets[i].n && sets[i].labels[pos[i]] == lo) {
				count++;
				pos[i]++;
			}
		}
		if (2 * count > n_sets)
			out[(*n_out)++] = lo;
		else if (2 * count == n_sets)
			*tie = 1;
	}
	free(pos);
	return 0;
}

int mlfy_rule_judge(const struct mlfy_rule *rule, const struct mlfy_labelset *sets,
		    size_t n_sets, int original_label, enum mlfy_rule_reason *reason,
		    int32_t *out, size_t *n_out, double *mean_jaccard, struct mlfy_err *err)
{
	size_t i, j, n_pairs = 0;
	double sum_j = 0.0, mj;
	int all_equal = 1, tie, rc;

	*n_out = 0;
	*reason = MLFY_REASON_AGREED;
	if (n_sets == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "no annotation to judge");
	for (i = 0; i < n_sets; i++) {
		for (j = i + 1; j < n_sets; j++) {
			sum_j += mlfy_jaccard(sets[i], sets[j]);
			n_pairs++;
		}
		if (i && !mlfy_labelset_equal(sets[0], sets[i]))
			all_equal = 0;
	}
	mj = n_pairs ? sum_j / (double)n_pairs : 1.0;
	if (mean_jaccard)
		*mean_jaccard = mj;

	switch (rule->kind) {
	case MLFY_RULE_PAPER:
	case MLFY_RULE_UNANIMOUS:
		if (!all_equal) {
			*reason = MLFY_REASON_SETS_DIFFER;
			return 0;
		}
		if (rule->kind == MLFY_RULE_PAPER &&
		    (original_label < 0 || !mlfy_labelset_contains(sets[0], original_label))) {
			*reason = MLFY_REASON_ORIGINAL_MISSING;
			return 0;
		}
		if (sets[0].n)
			memcpy(out, sets[0].labels, sets[0].n * sizeof(*out));
		*n_out = sets[0].n;
		return 0;
	case MLFY_RULE_MAJORITY:
		if ((rc = majority_set(sets, n_sets, out, n_out, &tie, err)))
			return rc;
		if (tie) {
			*n_out = 0;
			*reason = MLFY_REASON_MAJORITY_TIE;
		}
		return 0;
	case MLFY_RULE_JACCARD:
		if (mj < rule->threshold - JACCARD_EPS) {
			*reason = MLFY_REASON_JACCARD_LOW;
			return 0;
		}
		return majority_set(sets, n_sets, out, n_out, &tie, err);
	}
	return mlfy_err_set(err, MLFY_EINVAL, "unknown rule");
}

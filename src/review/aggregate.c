/* aggregate.c - majority vote and Dawid-Skene EM over sparse votes (see
 * aggregate.h).  Owns only temporary arrays freed before returning. */
#include "review/aggregate.h"
#include "util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mlfy_ds_defaults(struct mlfy_ds_params *p)
{
	p->smoothing = 0.01;
	p->tolerance = 1e-6;
	p->max_iter = 100;
	p->fixed = NULL;
	p->fixed_confusion = NULL;
}

static int check_votes(const struct mlfy_vote *votes, size_t n_votes, size_t n_questions,
		       size_t n_raters, int n_answers, struct mlfy_err *err)
{
	size_t i;

	if (n_answers < 2 || n_answers > MLFY_MAX_ANSWERS)
		return mlfy_err_set(err, MLFY_EINVAL, "number of answer options %d is not in [2, %d]",
				    n_answers, MLFY_MAX_ANSWERS);
	for (i = 0; i < n_votes; i++) {
		if (votes[i].question >= n_questions)
			return mlfy_err_set(err, MLFY_EINVAL, "vote %zu: question %u out of range (%zu questions)",
					    i, votes[i].question, n_questions);
		if (votes[i].rater >= n_raters)
			return mlfy_err_set(err, MLFY_EINVAL, "vote %zu: rater %u out of range (%zu raters)",
					    i, votes[i].rater, n_raters);
		if (votes[i].answer >= n_answers)
			return mlfy_err_set(err, MLFY_EINVAL, "vote %zu: answer %u out of range (%d options)",
					    i, (unsigned)votes[i].answer, n_answers);
	}
	return 0;
}

int mlfy_majority_vote(const struct mlfy_vote *votes, size_t n_votes,
		       size_t n_questions, int n_answers, double threshold,
		       double *score, uint8_t *label, uint32_t *counts,
		       struct mlfy_err *err)
{
	uint32_t *cnt;
	size_t i;
	int rc;

	if ((rc = check_votes(votes, n_votes, n_questions, SIZE_MAX, n_answers, err)))
		return rc;
	if (!isfinite(threshold))
		return mlfy_err_set(err, MLFY_EINVAL, "threshold is not a finite number");
	cnt = counts ? counts : calloc(n_questions ? n_questions : 1, sizeof(*cnt));
	if (!cnt)
		return mlfy_err_oom(err);
	if (counts)
		memset(cnt, 0, n_questions * sizeof(*cnt));
	for (i = 0; i < n_questions; i++)
		score[i] = 0.0;
	for (i = 0; i < n_votes; i++) {
		score[votes[i].question] += (double)votes[i].answer;
		cnt[votes[i].question]++;
	}
	for (i = 0; i < n_questions; i++) {
		if (cnt[i])
			score[i] /= (double)cnt[i] * (double)(n_answers - 1);
		if (label)
			label[i] = cnt[i] && score[i] > threshold;
	}
	if (!counts)
		free(cnt);
	return 0;
}

int mlfy_dawid_skene(const struct mlfy_vote *votes, size_t n_votes,
		     size_t n_questions, size_t n_raters, int n_answers,
		     const struct mlfy_ds_params *params, double *posterior,
		     double *confusion, struct mlfy_ds_stats *stats,
		     struct mlfy_err *err)
{
	struct mlfy_ds_params def;
	size_t *off = NULL, *fill = NULL, i, q, n_cells;
	uint32_t *code = NULL;
	double *cnt1 = NULL, *cnt0 = NULL, *lr = NULL;
	double s, p = 0.5, delta = 0.0;
	size_t n_answered = 0;
	int it = 0, converged = 0, rc;
	const int A = n_answers;

	if (!params) {
		mlfy_ds_defaults(&def);
		params = &def;
	}
	s = params->smoothing;
	if (!(s > 0.0) || !isfinite(s))
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: smoothing must be a positive number (got %g)", s);
	if (!(params->tolerance >= 0.0))
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: tolerance must be >= 0 (got %g)",
				    params->tolerance);
	if (params->max_iter < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: max_iter must be >= 1 (got %d)",
				    params->max_iter);
	if (n_questions > UINT32_MAX || n_raters > UINT32_MAX / MLFY_MAX_ANSWERS)
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: too many questions or raters");
	if ((rc = check_votes(votes, n_votes, n_questions, n_raters, n_answers, err)))
		return rc;
	if (A < 2)   /* check_votes refuses it; stated here for the analyzer (the division below) */
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: %d answer options, at least 2", A);
	if (params->fixed && !params->fixed_confusion)
		return mlfy_err_set(err, MLFY_EINVAL, "dawid-skene: fixed raters given without their confusion");
	for (i = 0; params->fixed && i < n_raters; i++) {
		int a;
		if (!params->fixed[i])
			continue;
		for (a = 0; a < 2 * A; a++) {
			double c = params->fixed_confusion[i * 2 * (size_t)A + (size_t)a];
			if (!(c > 0.0 && c <= 1.0))
				return mlfy_err_set(err, MLFY_EINVAL,
						    "dawid-skene: fixed confusion of rater %zu, truth %d, answer %d is %g,"
						    " not in (0, 1]", i, a / A, a % A, c);
		}
	}

	n_cells = n_raters * (size_t)A;
	off = calloc(n_questions + 1, sizeof(*off));
	fill = malloc((n_questions + 1) * sizeof(*fill));
	code = malloc((n_votes ? n_votes : 1) * sizeof(*code));
	cnt1 = malloc((n_cells ? n_cells : 1) * sizeof(*cnt1));
	cnt0 = malloc((n_cells ? n_cells : 1) * sizeof(*cnt0));
	lr = malloc((n_cells ? n_cells : 1) * sizeof(*lr));
	if (!off || !fill || !code || !cnt1 || !cnt0 || !lr) {
		rc = mlfy_err_set(err, MLFY_ENOMEM, "dawid-skene: out of memory for %zu votes", n_votes);
		goto out;
	}

	/* Counting sort by question: the votes of q are code[off[q]..off[q+1]),
	 * each coded as rater * A + answer (the confusion-table cell). */
	for (i = 0; i < n_votes; i++)
		off[votes[i].question + 1]++;
	for (q = 0; q < n_questions; q++)
		off[q + 1] += off[q];
	memcpy(fill, off, (n_questions + 1) * sizeof(*fill));
	for (i = 0; i < n_votes; i++)
		code[fill[votes[i].question]++] = votes[i].rater * (uint32_t)A + votes[i].answer;

	/* Initialise from the mean answer score. */
	for (q = 0; q < n_questions; q++) {
		size_t n = off[q + 1] - off[q];
		double sum = 0.0;
		if (!n)
			continue;
		n_answered++;
		for (i = off[q]; i < off[q + 1]; i++)
			sum += (double)(code[i] % (uint32_t)A);
		posterior[q] = sum / ((double)n * (double)(A - 1));
	}

	while (it < params->max_iter) {
		double sum_t = 0.0, logit_prior;
		size_t r;
		int a;

		it++;
		/* M-step: expected counts per (rater, answer) under T = 1 and T = 0. */
		memset(cnt1, 0, n_cells * sizeof(*cnt1));
		memset(cnt0, 0, n_cells * sizeof(*cnt0));
		for (q = 0; q < n_questions; q++) {
			double t = posterior[q];
			if (off[q] == off[q + 1])
				continue;
			sum_t += t;
			for (i = off[q]; i < off[q + 1]; i++) {
				cnt1[code[i]] += t;
				cnt0[code[i]] += 1.0 - t;
			}
		}
		p = (sum_t + s) / ((double)n_answered + 2.0 * s);
		for (r = 0; r < n_raters; r++) {
			double tot1 = 0.0, tot0 = 0.0;
			for (a = 0; a < A; a++) {
				tot1 += cnt1[r * A + a];  /* NOLINT(clang-analyzer-core.uninitialized.Assign): cnt0/cnt1 are zeroed for every rater and answer */
				tot0 += cnt0[r * A + a];
			}
			for (a = 0; a < A; a++) {
				double p1 = (cnt1[r * A + a] + s) / (tot1 + A * s);
				double p0 = (cnt0[r * A + a] + s) / (tot0 + A * s);
				if (params->fixed && params->fixed[r]) {
					p1 = params->fixed_confusion[(r * 2 + 1) * A + a];
					p0 = params->fixed_confusion[(r * 2 + 0) * A + a];
				}
				lr[r * A + a] = log(p1) - log(p0);
				if (confusion) {
					confusion[(r * 2 + 1) * A + a] = p1;
					confusion[(r * 2 + 0) * A + a] = p0;
				}
			}
		}
		/* E-step: posterior log-odds = prior log-odds + sum of the votes'
		 * log likelihood ratios. */
		logit_prior = log(p) - log(1.0 - p);
		delta = 0.0;
		for (q = 0; q < n_questions; q++) {
			double l = logit_prior, t, d;
			if (off[q] == off[q + 1])
				continue;
			for (i = off[q]; i < off[q + 1]; i++)
				l += lr[code[i]];
			t = 1.0 / (1.0 + exp(-l));
			d = fabs(t - posterior[q]);
			if (d > delta)
				delta = d;
			posterior[q] = t;
		}
		if (delta <= params->tolerance) {
			converged = 1;
			break;
		}
	}
	for (q = 0; q < n_questions; q++)
		if (off[q] == off[q + 1])
			posterior[q] = p;
	if (stats) {
		stats->iterations = it;
		stats->converged = converged;
		stats->max_delta = delta;
		stats->prior = p;
	}
	rc = 0;
out:
	MLFY_FREE_ALL(off, fill, code, cnt1, cnt0, lr);
	return rc;
}

int mlfy_ds_confusion_from_truth(const struct mlfy_vote *votes, size_t n_votes,
				 size_t n_questions, size_t n_raters, int n_answers,
				 const double *truth, double smoothing, double *confusion,
				 uint32_t *answered, struct mlfy_err *err)
{
	const int A = n_answers;
	size_t i, r;
	int rc, a;

	if (!(smoothing > 0.0) || !isfinite(smoothing))
		return mlfy_err_set(err, MLFY_EINVAL, "confusion from truth: smoothing must be a positive number (got %g)",
				    smoothing);
	if ((rc = check_votes(votes, n_votes, n_questions, n_raters, n_answers, err)))
		return rc;
	for (i = 0; i < n_questions; i++)
		if (!(truth[i] <= 1.0))
			return mlfy_err_set(err, MLFY_EINVAL, "confusion from truth: truth of question %zu is %g, not in"
					    " [0, 1] (or negative for unknown)", i, truth[i]);
	/* confusion doubles as the count table, then is normalised per row */
	for (i = 0; i < n_raters * 2 * (size_t)A; i++)
		confusion[i] = 0.0;
	if (answered)
		memset(answered, 0, n_raters * sizeof(*answered));
	for (i = 0; i < n_votes; i++) {
		double t = truth[votes[i].question];
		if (t < 0.0)
			continue;
		r = votes[i].rater;
		confusion[(r * 2 + 1) * A + votes[i].answer] += t;
		confusion[(r * 2 + 0) * A + votes[i].answer] += 1.0 - t;
		if (answered)
			answered[r]++;
	}
	for (r = 0; r < n_raters * 2; r++) {
		double *row = confusion + r * A, tot = 0.0;
		for (a = 0; a < A; a++)
			tot += row[a];
		for (a = 0; a < A; a++)
			row[a] = (row[a] + smoothing) / (tot + A * smoothing);
	}
	return 0;
}

/* rater_files.c - raters of one ReaL-style vote file scored against the
 * experts of another (see rater_files.h): both read with votes.c's
 * mlfy_vote_set_read_npz, made dense, their questions matched by (image,
 * label); the scoring is evaluate/rater_quality.c's. */
#include "review/rater_files.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/votes.h"
#include "util/vec.h"

/* One vote file in memory: the sparse set and its dense answers. */
struct vote_file {
	struct mlfy_vote_set set;
	int8_t *ans;               /* [set.n_raters x set.n_questions] -1 / 0 / 1 / 2 */
	int64_t *ids;              /* [set.n_raters] rater ids */
};

static void vote_file_free(struct vote_file *v)
{
	mlfy_vote_set_release(&v->set);
	MLFY_FREE_ALL(v->ans, v->ids);
	v->ans = NULL;
	v->ids = NULL;
}

/* A rater id: the whole name a decimal int64. */
static int parse_id(const char *name, int64_t *out)
{
	char *end;
	long long x;
	if (!*name)
		return -1;
	errno = 0;
	x = strtoll(name, &end, 10);
	if (errno || *end || end == name)
		return -1;
	*out = (int64_t)x;
	return 0;
}

/* Loads path into *v (zeroed first): the set, its rater ids and the dense
 * answers.  Errors as mlfy_rater_quality_files. */
static int vote_file_load(const char *path, struct vote_file *v, struct mlfy_err *err)
{
	const struct mlfy_vote_set *s = &v->set;
	size_t R, N, i;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = mlfy_vote_set_read_npz(path, &v->set, err)))
		return rc;
	R = s->n_raters;
	N = s->n_questions;
	if (s->n_answers != 3) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor must be a raters x questions x 3 array (no, maybe, yes),"
				  " got %d answer options", path, s->n_answers);
		goto out;
	}
	if (R && N > SIZE_MAX / R) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: tensor is too large (%zu x %zu)", path, R, N);
		goto out;
	}
	if (!(v->ids = malloc((R ? R : 1) * sizeof(*v->ids))) || !(v->ans = malloc(R * N > 0 ? R * N : 1))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < R; i++)
		if (parse_id(s->rater[i], &v->ids[i])) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: rater %zu ('%s') is not an integer id", path, i,
					  s->rater[i]);
			goto out;
		}
	memset(v->ans, -1, R * N);
	for (i = 0; i < s->n_votes; i++)
		v->ans[(size_t)s->votes[i].rater * N + s->votes[i].question] = (int8_t)s->votes[i].answer;
out:
	if (rc)
		vote_file_free(v);
	return rc;
}

/* A question of the experts' file as a search key: (image, label) and its
 * index there. */
struct question_key {
	const char *image;    /* borrowed */
	int32_t label;
	uint32_t index;
};

/* Orders keys by image, then label. */
static int cmp_key(const void *a, const void *b)
{
	const struct question_key *x = a, *y = b;
	int c = strcmp(x->image, y->image);
	return c ? c : (x->label > y->label) - (x->label < y->label);
}

/* truth[0..votes' questions) from gold's experts (-1 where unmatched or
 * unanswered); *matched counts the questions found in gold.  gold holds
 * each question once (mlfy_vote_set_read_npz refuses repeats). */
static int match_truth(const struct vote_file *votes, const struct vote_file *gold, int8_t *truth, size_t *matched,
		       struct mlfy_err *err)
{
	const struct mlfy_vote_set *v = &votes->set, *g = &gold->set;
	struct question_key *keys = malloc((g->n_questions ? g->n_questions : 1) * sizeof(*keys));
	int8_t *gtruth = malloc(g->n_questions ? g->n_questions : 1);
	size_t i;
	int rc;

	*matched = 0;
	if (!keys || !gtruth) {
		MLFY_FREE_ALL(keys, gtruth);
		return mlfy_err_oom(err);
	}
	if ((rc = mlfy_rater_quality_truth(g->n_raters, g->n_questions, gold->ans, gtruth, err)))
		goto out;
	for (i = 0; i < g->n_questions; i++) {
		keys[i].image = g->image[i];
		keys[i].label = g->label[i];
		keys[i].index = (uint32_t)i;
	}
	qsort(keys, g->n_questions, sizeof(*keys), cmp_key);
	for (i = 0; i < v->n_questions; i++) {
		struct question_key want = { v->image[i], v->label[i], 0 };
		const struct question_key *k = g->n_questions ?
			bsearch(&want, keys, g->n_questions, sizeof(*keys), cmp_key) : NULL;
		truth[i] = k ? gtruth[k->index] : -1;
		*matched += k != NULL;
	}
out:
	MLFY_FREE_ALL(keys, gtruth);
	return rc;
}

int mlfy_rater_quality_files(const char *votes_path, const char *gold_path, struct mlfy_rater_quality_report *out,
			     struct mlfy_err *err)
{
	struct vote_file votes, gold;
	int8_t *truth = NULL;
	size_t matched = 0, N;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&gold, 0, sizeof(gold));
	if ((rc = vote_file_load(votes_path, &votes, err)))
		return rc;
	N = votes.set.n_questions;
	if ((rc = vote_file_load(gold_path, &gold, err)))
		goto out;
	if (!(truth = malloc(N ? N : 1))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	if ((rc = match_truth(&votes, &gold, truth, &matched, err)))
		goto out;
	if (!matched) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: none of its %zu questions is in %s (matched by info's"
				  " (file, label))", votes_path, N, gold_path);
		goto out;
	}
	if ((rc = mlfy_rater_quality_compute(votes.set.n_raters, N, votes.ans, truth, votes.ids, out, err)))
		goto out;
	out->n_matched = matched;
	if (!out->n_with_truth) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no expert answered any of the %zu questions it shares with %s",
				  gold_path, matched, votes_path);
		goto out;
	}
	if (!(out->votes_path = strdup(votes_path)) || !(out->gold_path = strdup(gold_path)))
		rc = mlfy_err_oom(err);
out:
	free(truth);
	vote_file_free(&votes);
	vote_file_free(&gold);
	if (rc)
		mlfy_rater_quality_report_release(out);
	return rc;
}

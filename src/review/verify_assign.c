/* verify_assign.c - who answers which verification question
 * (review/verify.h, mlfy_verify_assign): K raters per question, balanced,
 * each label's questions in runs, extending earlier runs.
 *
 * The rule, in three steps:
 *  1. targets: the missing slots S are shared by "water filling": every
 *     candidate ends at max(load, h) questions, h the highest level the
 *     slots reach, the remainder one each to the candidates at that level
 *     in name order; so the loads of those who get work end within one of
 *     each other, and no one already above the level gets more;
 *  2. the slots are laid out round by round (round r: every question still
 *     missing more than r raters, ordered by label then question id) and
 *     cut into consecutive runs, one per candidate in name order, of the
 *     length of its quota (McNaughton's wrap-around rule, 1959): a run no
 *     longer than a round never holds a question twice, and each run holds
 *     whole stretches of one label's questions, so a grid page fills up;
 *  3. a slot whose run owner is already on the question (only possible
 *     after earlier runs or with uneven rounds) goes, at the end, to the
 *     eligible candidate with the fewest assigned questions (ties by name);
 *  4. where the questions' raters force an uneven outcome (a rater who is
 *     already on every question still open cannot take more), assignments
 *     of this run move from a rater to a candidate at least two questions
 *     less loaded who is not on the question, until no such move is left.
 * On a fresh project with K <= candidates every quota is at most a round,
 * so steps 3 and 4 never happen and the loads end within one of each
 * other.  After any run: every assignment it made to a rater A leaves no
 * candidate B off that question with load(B) <= load(A) - 2.
 */
#include "review/verify.h"
#include "store/accounts.h"
#include "store/verify.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

void mlfy_verify_assign_result_release(struct mlfy_verify_assign_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_loads; i++)
		free(r->loads[i].name);
	free(r->loads);
	memset(r, 0, sizeof(*r));
}

static int cmp_person(const void *x, const void *y)
{
	return strcmp(((const struct mlfy_vq_person *)x)->name, ((const struct mlfy_vq_person *)y)->name);
}

/* The candidates: the named accounts (sorted by name) or every enabled annotator. */
static int candidates(struct mlfy_store *s, const struct mlfy_verify_assign_opts *o, struct mlfy_vq_person **out,
		      size_t *n, struct mlfy_err *err)
{
	struct mlfy_vq_person *p;
	size_t i, j;
	int rc;

	if (!o->annotators || !o->n_annotators)
		return mlfy_vq_store_annotators(s, out, n, err);
	*n = 0;
	if (!(p = *out = calloc(o->n_annotators, sizeof(*p))))
		return mlfy_err_oom(err);
	for (i = 0; i < o->n_annotators; i++) {
		struct mlfy_user u;
		for (j = 0; j < i; j++)
			if (!strcmp(o->annotators[i], o->annotators[j]))
				return mlfy_err_set(err, MLFY_EINVAL, "annotators: '%s' named twice", o->annotators[i]);
		if ((rc = mlfy_users_get(s, o->annotators[i], &u, err)))
			return rc == MLFY_ENOTFOUND ? mlfy_err_set(err, MLFY_EINVAL, "annotators: no account '%s'",
								   o->annotators[i]) : rc;
		if (u.disabled) {
			mlfy_user_release(&u);
			return mlfy_err_set(err, MLFY_EINVAL, "annotators: account '%s' is disabled", o->annotators[i]);
		}
		p[i].id = u.id;
		p[i].name = u.name;   /* steals the name */
		u.name = NULL;
		mlfy_user_release(&u);
		*n = i + 1;
		if ((rc = mlfy_vq_store_load(s, p[i].id, &p[i].load, err)))
			return rc;
	}
	qsort(p, *n, sizeof(*p), cmp_person);
	return 0;
}

/* Step 1: quota[c] = the questions candidate c gets of the S slots. */
static void water_fill(const struct mlfy_vq_person *p, size_t nl, int64_t S, int64_t *quota)
{
	int64_t lo = 0, hi = 0, need, rem;
	size_t c;

	for (c = 0; c < nl; c++)
		hi = p[c].load > hi ? p[c].load : hi;
	hi += S + 1;
	/* the highest h with sum max(0, h - load) <= S */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;
		for (need = 0, c = 0; c < nl && need <= S; c++)
			need += mid > p[c].load ? mid - p[c].load : 0;
		if (need <= S)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (rem = S, c = 0; c < nl; c++) {
		quota[c] = lo > p[c].load ? lo - p[c].load : 0;
		rem -= quota[c];
	}
	for (c = 0; c < nl && rem > 0; c++)
		if (p[c].load <= lo) {
			quota[c]++;
			rem--;
		}
}

static int cmp_pair(const void *x, const void *y)
{
	const struct mlfy_vq_pair *a = x, *b = y;
	if (a->question_id != b->question_id)
		return a->question_id < b->question_id ? -1 : 1;
	return (a->annotator_id > b->annotator_id) - (a->annotator_id < b->annotator_id);
}

struct qpos {
	int64_t question_id;
	size_t qi;
};

static int cmp_qpos(const void *x, const void *y)
{
	const struct qpos *a = x, *b = y;
	return (a->question_id > b->question_id) - (a->question_id < b->question_id);
}

/* Step 4: moves an assignment of this run from rater a to a candidate b
 * not on the question while load(b) <= load(a) - 2, to the least loaded
 * such b, until no such move is left.  Each move lowers the sum of the
 * squared loads, so it ends; afterwards every assignment of the run to a
 * satisfies load(b) >= load(a) - 1 for every candidate b not on its
 * question: no single hand-over could even the loads further. */
static void rebalance(struct mlfy_vq_person *p, size_t nl, unsigned char *on, struct mlfy_vq_pair *add, size_t n_add,
		      const struct qpos *pos, size_t nq, int64_t *added)
{
	size_t i, c, a, b;
	int moved = 1;

	while (moved) {
		moved = 0;
		for (i = 0; i < n_add; i++) {
			struct qpos key = { add[i].question_id, 0 };
			const struct qpos *hit = bsearch(&key, pos, nq, sizeof(*pos), cmp_qpos);
			size_t qi;
			if (!hit)
				continue;
			qi = hit->qi;
			for (a = 0; a < nl && p[a].id != add[i].annotator_id; a++)
				;
			if (a == nl)
				continue;
			for (b = nl, c = 0; c < nl; c++)
				if (!on[qi * nl + c] && p[c].load <= p[a].load - 2 && (b == nl || p[c].load < p[b].load))
					b = c;
			if (b == nl)
				continue;
			on[qi * nl + a] = 0;
			on[qi * nl + b] = 1;
			p[a].load--;
			added[a]--;
			p[b].load++;
			added[b]++;
			add[i].annotator_id = p[b].id;
			moved = 1;
		}
	}
}

static int assign_tx(struct mlfy_store *s, const struct mlfy_verify_assign_opts *o, struct mlfy_verify_assign_result *r,
		     struct mlfy_err *err)
{
	struct mlfy_vq_person *p = NULL;
	struct mlfy_vq_row *q = NULL;
	struct mlfy_vq_pair *have = NULL, *add = NULL;
	struct qpos *pos = NULL;
	unsigned char *on = NULL;         /* on[qi * nl + c]: candidate c answers question qi */
	int64_t *quota = NULL, *added = NULL, S = 0;
	size_t *left = NULL, n_left = 0, nl = 0, nq = 0, nh = 0, n_add = 0, i, c, qi, round, cur;
	const int K = o->per_question;
	int rc;

	if ((rc = candidates(s, o, &p, &nl, err)))
		goto out;
	if (K < 1 || (size_t)K > nl) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "per-question: %d needs at least that many raters; %zu available",
				  K, nl);
		goto out;
	}
	if ((rc = mlfy_vq_store_list(s, &q, &nq, err)) || (rc = mlfy_vq_store_assignments(s, &have, &nh, err)))
		goto out;
	if (!nq) {
		rc = mlfy_err_set(err, MLFY_ENOTFOUND, "the project has no verification questions: run 'mlfy questions'"
				  " first");
		goto out;
	}
	r->questions = (int64_t)nq;
	if (!(on = calloc(nq * nl, 1)) || !(pos = malloc(nq * sizeof(*pos))) || !(quota = calloc(nl, sizeof(*quota))) ||
	    !(added = calloc(nl, sizeof(*added)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	/* who is on each question already (candidates only; q[].have counts everyone) */
	for (qi = 0; qi < nq; qi++)
		pos[qi] = (struct qpos){ q[qi].question_id, qi };
	qsort(pos, nq, sizeof(*pos), cmp_qpos);
	for (i = 0; i < nh; i++) {
		struct qpos key = { have[i].question_id, 0 }, *hit = bsearch(&key, pos, nq, sizeof(*pos), cmp_qpos);
		for (c = 0; hit && c < nl; c++)
			if (p[c].id == have[i].annotator_id)
				on[hit->qi * nl + c] = 1;
	}
	for (qi = 0; qi < nq; qi++)
		S += q[qi].have < K ? K - q[qi].have : 0;
	if (!(add = malloc((size_t)(S ? S : 1) * sizeof(*add))) || !(left = malloc((size_t)(S ? S : 1) * sizeof(*left)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	/* steps 1 and 2 */
	water_fill(p, nl, S, quota);
	for (cur = 0, round = 0; round < (size_t)K; round++)
		for (qi = 0; qi < nq; qi++) {
			if (q[qi].have + (int)round >= K)
				continue;
			while (cur < nl && !quota[cur])
				cur++;
			if (cur == nl || on[qi * nl + cur]) {
				left[n_left++] = qi;
				continue;
			}
			on[qi * nl + cur] = 1;
			quota[cur]--;
			p[cur].load++;
			added[cur]++;
			add[n_add++] = (struct mlfy_vq_pair){ q[qi].question_id, p[cur].id };
		}
	/* step 3 */
	for (i = 0; i < n_left; i++) {
		size_t best = nl;
		qi = left[i];
		for (c = 0; c < nl; c++)
			if (!on[qi * nl + c] && (best == nl || p[c].load < p[best].load))
				best = c;
		if (best == nl)
			continue;   /* counted short below */
		on[qi * nl + best] = 1;
		p[best].load++;
		added[best]++;
		add[n_add++] = (struct mlfy_vq_pair){ q[qi].question_id, p[best].id };
	}
	/* step 4 */
	rebalance(p, nl, on, add, n_add, pos, nq, added);
	/* write in question order */
	qsort(add, n_add, sizeof(*add), cmp_pair);
	for (i = 0; i < n_add && !o->dry_run; i++)
		if ((rc = mlfy_vq_store_assign(s, add[i].question_id, add[i].annotator_id, err)))
			goto out;
	r->added = (int64_t)n_add;
	{
		/* raters per question = earlier ones (any account) + those added now */
		int64_t *now = calloc(nq, sizeof(*now));
		if (!now) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = 0; i < n_add; i++) {
			struct qpos key = { add[i].question_id, 0 }, *hit = bsearch(&key, pos, nq, sizeof(*pos), cmp_qpos);
			if (hit)
				now[hit->qi]++;
		}
		for (qi = 0; qi < nq; qi++)
			r->short_questions += q[qi].have + now[qi] < K;
		free(now);
	}
	if (!(r->loads = calloc(nl ? nl : 1, sizeof(*r->loads)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (c = 0; c < nl; c++) {
		r->loads[c].name = p[c].name;
		p[c].name = NULL;
		r->loads[c].questions = p[c].load;
		r->loads[c].added = added[c];
		r->n_loads++;
	}
out:
	mlfy_vq_people_free(p, nl);
	MLFY_FREE_ALL(q, have, add, pos, on, quota, added, left);
	return rc;
}

struct assign_args {
	const struct mlfy_verify_assign_opts *o;
	struct mlfy_verify_assign_result *r;
};

static int assign_run(struct mlfy_store *s, void *ctx, struct mlfy_err *err)
{
	struct assign_args *a = ctx;
	return assign_tx(s, a->o, a->r, err);
}

int mlfy_verify_assign(struct mlfy_store *s, const struct mlfy_verify_assign_opts *o,
		       struct mlfy_verify_assign_result *r, struct mlfy_err *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->per_question < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "per-question: %d is not a number of raters >= 1", o->per_question);
	if (o->n_annotators && !o->annotators)
		return mlfy_err_set(err, MLFY_EINVAL, "annotators: %zu names announced, none given", o->n_annotators);
	/* a dry run only reads (one snapshot), so it works on a read-only handle */
	rc = mlfy_store_run(s, o->dry_run, assign_run, &(struct assign_args){ o, r }, err);
	if (rc)
		mlfy_verify_assign_result_release(r);
	return rc;
}

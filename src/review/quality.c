/* quality.c - per-person quality of human work: gold and final scores,
 * Dawid-Skene error rates, behaviour, time and pace, flags (quality.h). */
#include "review/quality.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "review/aggregate.h"
#include "review/labelset.h"
#include "store/accounts.h"
#include "store/annotations.h"
#include "store/quality_input.h"
#include "store/taskview.h"
#include "util/vec.h"

/* ---- scoring sets ---------------------------------------------------------- */

/* |a n b| of two ascending arrays (review/labelset.h) */
static size_t inter(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	struct mlfy_labelset x = { a, na }, y = { b, nb };
	return mlfy_labelset_intersection(x, y);
}

void mlfy_set_acc_add(struct mlfy_set_acc *acc, const int32_t *a, size_t na, const int32_t *t, size_t nt)
{
	size_t k = inter(a, na, t, nt), u = na + nt - k;
	double j = u ? (double)k / (double)u : 1.0;

	acc->n++;
	acc->exact += k == na && k == nt;
	acc->inter += k;
	acc->truth += nt;
	acc->chosen += na;
	acc->jsum += j;
	acc->jsq += j * j;
}

void mlfy_set_scores_finish(const struct mlfy_set_acc *acc, struct mlfy_set_scores *out)
{
	mlfy_proportion(acc->exact, acc->n, MLFY_Z95, &out->exact);
	mlfy_proportion(acc->inter, acc->truth, MLFY_Z95, &out->sensitivity);
	mlfy_proportion(acc->inter, acc->chosen, MLFY_Z95, &out->precision);
	out->jaccard = out->jaccard_lo = out->jaccard_hi = NAN;
	if (acc->n) {
		double n = (double)acc->n, m = acc->jsum / n;
		double var = acc->n > 1 ? (acc->jsq - n * m * m) / (n - 1) : 0;
		double h = MLFY_Z95 * sqrt(var > 0 ? var : 0) / sqrt(n);
		out->jaccard = m;
		out->jaccard_lo = m - h < 0 ? 0 : m - h;
		out->jaccard_hi = m + h > 1 ? 1 : m + h;
	}
}

double mlfy_two_proportion_p(size_t k1, size_t n1, size_t k2, size_t n2)
{
	double p, se, z;
	if (!n1 || !n2)
		return NAN;
	p = (double)(k1 + k2) / (double)(n1 + n2);
	if (p <= 0 || p >= 1)
		return NAN;
	se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
	z = ((double)k1 / (double)n1 - (double)k2 / (double)n2) / se;
	return 2 * gsl_cdf_ugaussian_Q(fabs(z));
}

/* ---- the walk ---------------------------------------------------------------- */

struct person_acc {
	int64_t id;
	int is_expert;
	struct mlfy_set_acc gold, final;
	size_t scored, top1_only, labels, search, none, unsure;
	double *secs;
	size_t n_secs, cap_secs;
	time_t first, last;
};

struct dsvote {
	int64_t image;
	int32_t cls;
	uint32_t rater;
	uint8_t yes;
};

struct walk {
	struct mlfy_quality *q;
	struct person_acc *acc;
	size_t n_acc;              /* people loaded (q->n_people shrinks at the end) */
	struct dsvote *votes;
	size_t n_votes, cap_votes;
	double *team_secs;
	size_t n_team, cap_team;
	size_t team_top1, team_scored;
	struct mlfy_err *err;
};

int mlfy_quality_time_parse(const char *t, time_t *out)
{
	struct tm tm, want, back;
	const char *end;
	time_t v;

	memset(&tm, 0, sizeof(tm));
	/* exactly YYYY-MM-DDTHH:MM:SSZ: strptime alone takes "2026-2-8T1:2:3Z" */
	if (!t || strlen(t) != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':')
		return -1;
	if (!(end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm)) || strcmp(end, "Z"))
		return -1;
	want = tm;   /* timegm normalises tm in place */
	v = timegm(&tm);
	/* a real date and time: 2026-02-30 would roll over to March */
	if (v == (time_t)-1 || !gmtime_r(&v, &back) || back.tm_mday != want.tm_mday || back.tm_mon != want.tm_mon ||
	    back.tm_hour != want.tm_hour || back.tm_min != want.tm_min || back.tm_sec != want.tm_sec)
		return -1;
	*out = v;
	return 0;
}

static time_t iso_time(const char *t)
{
	time_t v;
	return mlfy_quality_time_parse(t, &v) ? (time_t)-1 : v;
}

static size_t person_of(struct walk *w, const struct mlfy_quality_row *r)
{
	size_t i;
	for (i = 0; i < w->q->n_people; i++)
		if (w->acc[i].id == r->annotator_id)
			return i;
	return (size_t)-1;
}

static int walk_row(const struct mlfy_quality_row *r, void *ctx)
{
	struct walk *w = ctx;
	struct mlfy_person_quality *p;
	struct person_acc *a;
	size_t i = person_of(w, r), k;
	int timed;
	time_t t0, t1;

	if (i == (size_t)-1)
		return 0;   /* an admin's annotation: not a person of the team */
	p = &w->q->people[i];
	a = &w->acc[i];
	if (r->stage == MLFY_STAGE_ANNOTATE) {
		p->answers++;
		p->gold_tasks += r->gold_task != 0;
	} else {
		p->refinements++;
	}
	for (k = 0; k < MLFY_N_TAGS; k++)
		p->tags[k] += (r->tags >> k) & 1u;
	if (r->unsure) {
		a->unsure++;
		if (r->unsure - 1 < MLFY_N_UNSURE)
			p->unsure_reasons[r->unsure - 1]++;
	}
	/* time: stage ii for annotators, stage iv for experts */
	timed = a->is_expert ? r->stage == MLFY_STAGE_REFINE : r->stage == MLFY_STAGE_ANNOTATE;
	if (timed) {
		if (MLFY_GROW(a->secs, a->cap_secs, a->n_secs + 1))
			return mlfy_err_oom(w->err);
		a->secs[a->n_secs++] = r->seconds;
		t0 = iso_time(r->first_at);
		t1 = iso_time(r->created_at);
		if (t0 != (time_t)-1 && (a->first == (time_t)-1 || t0 < a->first))
			a->first = t0;
		if (t1 != (time_t)-1 && t1 > a->last)
			a->last = t1;
		if (!a->is_expert) {
			if (MLFY_GROW(w->team_secs, w->cap_team, w->n_team + 1))
				return mlfy_err_oom(w->err);
			w->team_secs[w->n_team++] = r->seconds;
		}
	}
	if (r->unsure)
		return 0;   /* deferred to an expert: not scored */
	if (r->stage == MLFY_STAGE_ANNOTATE) {
		int only = r->top1 >= 0 && r->n_labels == 1 && r->labels[0] == r->top1;
		a->scored++;
		a->top1_only += only;
		a->labels += r->n_labels;
		a->search += r->n_search;
		a->none += r->n_labels == 0;
		if (!a->is_expert) {
			w->team_scored++;
			w->team_top1 += only;
		}
		for (k = 0; k < r->n_shown; k++) {
			if (MLFY_GROW(w->votes, w->cap_votes, w->n_votes + 1))
				return mlfy_err_oom(w->err);
			w->votes[w->n_votes].image = r->image_id;
			w->votes[w->n_votes].cls = r->shown[k];
			w->votes[w->n_votes].rater = (uint32_t)i;
			w->votes[w->n_votes].yes = inter(r->labels, r->n_labels, r->shown + k, 1) == 1;
			w->n_votes++;
		}
	}
	if (r->is_gold) {
		int from_this = r->gold_annotation && r->annotation_id == r->gold_annotation;
		if (!from_this)
			mlfy_set_acc_add(&a->gold, r->labels, r->n_labels, r->gold, r->n_gold);
	}
	if (r->decided && r->final_stage && strcmp(r->final_stage, "agreed") &&
	    r->annotation_id != r->final_annotation && !r->gold_task)
		mlfy_set_acc_add(&a->final, r->labels, r->n_labels, r->final, r->n_final);
	return 0;
}

static int cmp_vote(const void *x, const void *y)
{
	const struct dsvote *a = x, *b = y;
	if (a->image != b->image)
		return a->image < b->image ? -1 : 1;
	return (a->cls > b->cls) - (a->cls < b->cls);
}

/* Dawid-Skene over the stage-ii votes; fills ds_* of every person. */
static int dawid_skene(struct walk *w, struct mlfy_err *err)
{
	struct mlfy_vote *v;
	struct mlfy_ds_stats st;
	double *post = NULL, *conf = NULL, *eff;
	size_t nq = 0, i, np = w->q->n_people;
	int rc;

	if (!w->n_votes)
		return 0;
	qsort(w->votes, w->n_votes, sizeof(*w->votes), cmp_vote);
	if (!(v = malloc(w->n_votes * sizeof(*v))))
		return mlfy_err_oom(err);
	for (i = 0; i < w->n_votes; i++) {
		if (i && cmp_vote(&w->votes[i - 1], &w->votes[i]))
			nq++;
		v[i].question = (uint32_t)nq;
		v[i].rater = w->votes[i].rater;
		v[i].answer = w->votes[i].yes;
	}
	nq++;
	post = malloc(nq * sizeof(*post));
	conf = malloc(np * 4 * sizeof(*conf));
	eff = calloc(np * 4, sizeof(*eff));   /* per rater: n1, k1, n0, k0 */
	if (!post || !conf || !eff) {
		MLFY_FREE_ALL(v, post, conf, eff);
		return mlfy_err_oom(err);
	}
	rc = mlfy_dawid_skene(v, w->n_votes, nq, np, 2, NULL, post, conf, &st, err);
	if (!rc) {
		for (i = 0; i < w->n_votes; i++) {
			double p1 = post[v[i].question];
			double *e = eff + (size_t)v[i].rater * 4;
			e[0] += p1;
			e[1] += p1 * v[i].answer;
			e[2] += 1 - p1;
			e[3] += (1 - p1) * (1 - v[i].answer);
		}
		for (i = 0; i < np; i++) {
			struct mlfy_person_quality *p = &w->q->people[i];
			double *e = eff + i * 4;
			if (e[0] + e[2] <= 0)
				continue;
			p->ds = 1;
			mlfy_proportion((size_t)llround(e[1]), (size_t)llround(e[0]), MLFY_Z95, &p->ds_sensitivity);
			mlfy_proportion((size_t)llround(e[3]), (size_t)llround(e[2]), MLFY_Z95, &p->ds_specificity);
			p->ds_sensitivity.p = conf[(i * 2 + 1) * 2 + 1];
			p->ds_specificity.p = conf[(i * 2 + 0) * 2 + 0];
		}
		w->q->ds_questions = nq;
		w->q->ds_iterations = st.iterations;
		w->q->ds_converged = st.converged;
	}
	MLFY_FREE_ALL(v, post, conf, eff);
	return rc;
}

/* ---- time, pace and flags ------------------------------------------------- */

static void fmt_time(time_t t, char out[32])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = 0;
}

static double median_of(double *v, size_t n, double *q1, double *q3)
{
	if (!n) {
		if (q1)
			*q1 = *q3 = NAN;
		return NAN;
	}
	gsl_sort(v, 1, n);
	if (q1) {
		*q1 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.25);
		*q3 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.75);
	}
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

static int time_stats(struct mlfy_store *s, struct mlfy_person_quality *p, struct person_acc *a, time_t now,
		      double stall_s, struct mlfy_err *err)
{
	struct mlfy_time_stats *t = &p->time;
	struct mlfy_task_list tl;
	double sum = 0, span;
	size_t i;
	int rc;

	t->n = a->n_secs;
	t->median = median_of(a->secs, a->n_secs, &t->q1, &t->q3);
	for (i = 0; i < a->n_secs; i++)
		sum += a->secs[i];
	t->per_hour = sum > 0 ? 3600.0 * (double)a->n_secs / sum : NAN;
	if ((rc = mlfy_tasks_list(s, a->id, a->is_expert ? MLFY_STAGE_REFINE : MLFY_STAGE_ANNOTATE, &tl, err)))
		return rc;
	t->queue_total = (int64_t)tl.n;
	t->queue_done = (int64_t)tl.n_done;
	mlfy_task_list_release(&tl);
	t->pace_per_day = t->remaining_hours = NAN;
	t->eta[0] = 0;
	t->last_answer[0] = 0;
	if (a->last > 0)   /* 0: no answer with a time */
		fmt_time(a->last, t->last_answer);
	t->stalled = t->queue_total > t->queue_done && !p->disabled &&
		     (!t->last_answer[0] || difftime(now, a->last) > stall_s);
	if (t->queue_total == t->queue_done) {
		snprintf(t->eta, sizeof(t->eta), "%s", t->queue_total ? "done" : "");
		t->remaining_hours = t->queue_total ? 0 : NAN;
		return 0;
	}
	if (t->n)
		t->remaining_hours = (double)(t->queue_total - t->queue_done) * t->median / 3600.0;
	span = a->first != (time_t)-1 && a->last > a->first ? difftime(a->last, a->first) : 0;
	if (a->n_secs >= 2 && span > 0) {
		t->pace_per_day = (double)(a->n_secs - 1) * 86400.0 / span;
		if (!p->disabled)   /* a disabled account finishes nothing */
			fmt_time(now + (time_t)((double)(t->queue_total - t->queue_done) / t->pace_per_day * 86400.0),
				 t->eta);
	}
	return 0;
}

static void flags(struct mlfy_quality *q, struct mlfy_person_quality *p, struct person_acc *a)
{
	const struct mlfy_set_scores *sc[2] = { &p->gold, &p->final };
	static const char *const what[2] = { "gold", "final-label" };
	size_t i, rest_k = 0, rest_n = 0;
	double rest;

	for (i = 0; i < 2; i++)
		if (sc[i]->exact.n && sc[i]->exact.hi < q->min_accuracy && !(p->flags & MLFY_FLAG_LOW_ACCURACY)) {
			p->flags |= MLFY_FLAG_LOW_ACCURACY;
			snprintf(p->reason[0], sizeof(p->reason[0]),
				 "%s exact-set accuracy %.3f, 95%% interval [%.3f, %.3f] (n = %zu), lies below %.2f",
				 what[i], sc[i]->exact.p, sc[i]->exact.lo, sc[i]->exact.hi, sc[i]->exact.n,
				 q->min_accuracy);
		}
	if (a->is_expert)
		return;
	if (p->time.n && isfinite(q->team_median_seconds) && p->time.median < q->team_median_seconds / 3) {
		p->flags |= MLFY_FLAG_SPEEDER;
		snprintf(p->reason[1], sizeof(p->reason[1]),
			 "median %.1f s per image, below a third of the team's median %.1f s", p->time.median,
			 q->team_median_seconds);
	}
	rest_k = q->team_top1_only.k - a->top1_only;
	rest_n = q->team_top1_only.n - a->scored;
	rest = rest_n ? (double)rest_k / (double)rest_n : NAN;
	if (p->top1_only.n && isfinite(rest) && p->top1_only.lo > rest + (1 - rest) / 2) {
		p->flags |= MLFY_FLAG_RUBBER_STAMP;
		snprintf(p->reason[2], sizeof(p->reason[2]),
			 "%.1f%% of answers are the model's top-1 alone, 95%% interval [%.1f%%, %.1f%%] (n = %zu),"
			 " against %.1f%% for the rest of the team (more than half the way to 100%%)", 100 * p->top1_only.p, 100 * p->top1_only.lo,
			 100 * p->top1_only.hi, p->top1_only.n, 100 * rest);
	}
}

/* ---- the whole ----------------------------------------------------------------- */

void mlfy_quality_release(struct mlfy_quality *q)
{
	size_t i;
	if (!q)
		return;
	for (i = 0; i < q->n_people; i++)
		free(q->people[i].name);
	free(q->people);
	memset(q, 0, sizeof(*q));
}

static int people_load(struct mlfy_store *s, struct walk *w, struct mlfy_err *err)
{
	struct mlfy_user *u = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = mlfy_users_list(s, &u, &n, err)))
		return rc;
	w->q->people = calloc(n ? n : 1, sizeof(*w->q->people));
	w->acc = calloc(n ? n : 1, sizeof(*w->acc));
	if (!w->q->people || !w->acc) {
		mlfy_users_free(u, n);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n; i++) {
		struct mlfy_person_quality *p = &w->q->people[w->q->n_people];
		if (u[i].role == MLFY_ROLE_ADMIN)
			continue;
		p->name = u[i].name;
		u[i].name = NULL;
		snprintf(p->role, sizeof(p->role), "%s", u[i].role == MLFY_ROLE_EXPERT ? "expert" : "annotator");
		p->disabled = u[i].disabled;
		w->acc[w->q->n_people].id = u[i].id;
		w->acc[w->q->n_people].is_expert = u[i].role == MLFY_ROLE_EXPERT;
		w->acc[w->q->n_people].first = (time_t)-1;
		w->q->n_people++;
	}
	w->n_acc = w->q->n_people;
	mlfy_users_free(u, n);
	return 0;
}

static int finish(struct mlfy_store *s, struct walk *w, time_t now, struct mlfy_err *err)
{
	struct mlfy_quality *q = w->q;
	time_t slowest = 0;
	int64_t stage_total = 0;
	int unknown = 0;
	size_t i, keep = 0;
	int rc;

	q->team_median_seconds = median_of(w->team_secs, w->n_team, NULL, NULL);
	mlfy_proportion(w->team_top1, w->team_scored, MLFY_Z95, &q->team_top1_only);
	if ((rc = dawid_skene(w, err)))
		return rc;
	for (i = 0; i < q->n_people; i++) {
		struct mlfy_person_quality *p = &q->people[i];
		struct person_acc *a = &w->acc[i];
		mlfy_set_scores_finish(&a->gold, &p->gold);
		mlfy_set_scores_finish(&a->final, &p->final);
		mlfy_proportion(a->top1_only, a->scored, MLFY_Z95, &p->top1_only);
		mlfy_proportion(a->search, a->labels, MLFY_Z95, &p->search_share);
		mlfy_proportion(a->none, a->scored, MLFY_Z95, &p->none_rate);
		mlfy_proportion(a->unsure, p->answers, MLFY_Z95, &p->unsure_rate);
		if ((rc = time_stats(s, p, a, now, q->stall_hours * 3600.0, err)))
			return rc;
		flags(q, p, a);
		if (!a->is_expert)
			stage_total += p->time.queue_total;
		if (!a->is_expert && p->time.queue_total > p->time.queue_done) {
			q->stage_remaining += p->time.queue_total - p->time.queue_done;
			if (p->disabled)
				q->stage_disabled += p->time.queue_total - p->time.queue_done;
			if (!p->time.eta[0])
				unknown = 1;
			else if (iso_time(p->time.eta) > slowest)
				slowest = iso_time(p->time.eta);
		}
	}
	if (!q->stage_remaining && stage_total)
		snprintf(q->stage_eta, sizeof(q->stage_eta), "done");
	else if (!unknown && slowest)
		fmt_time(slowest, q->stage_eta);
	/* people with neither work nor tasks are left out */
	for (i = 0; i < q->n_people; i++) {
		struct mlfy_person_quality *p = &q->people[i];
		if (!p->answers && !p->refinements && !p->time.queue_total) {
			free(p->name);
			continue;
		}
		q->people[keep++] = *p;
	}
	q->n_people = keep;
	return 0;
}

int mlfy_quality_compute(struct mlfy_store *s, const struct mlfy_quality_opts *opts, struct mlfy_quality *out,
			 struct mlfy_err *err)
{
	struct walk w;
	time_t now = time(NULL);
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	out->min_accuracy = opts ? opts->min_accuracy : 0.8;
	out->stall_hours = opts && opts->stall_hours > 0 ? opts->stall_hours : 24;
	if (!(out->min_accuracy >= 0 && out->min_accuracy <= 1))
		return mlfy_err_set(err, MLFY_EINVAL, "--min-accuracy: %g is not in [0, 1]", out->min_accuracy);
	if (opts && opts->now && mlfy_quality_time_parse(opts->now, &now))
		return mlfy_err_set(err, MLFY_EINVAL, "now: '%s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ", opts->now);
	w.q = out;
	w.err = err;
	if (!(rc = people_load(s, &w, err)) && !(rc = mlfy_quality_foreach(s, walk_row, &w, err)))
		rc = finish(s, &w, now, err);
	for (i = 0; w.acc && i < w.n_acc; i++)
		free(w.acc[i].secs);
	MLFY_FREE_ALL(w.acc, w.votes, w.team_secs);
	if (rc)
		mlfy_quality_release(out);
	return rc;
}

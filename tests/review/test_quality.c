/* test_quality.c - the quality of human work (src/review/quality.c,
 * gold.c, anchoring.c): a simulated crowd with known sensitivity and
 * specificity, a speeder and a rubber-stamper answers gold and ordinary
 * tasks through the real save path; `mlfy quality`'s figures must recover
 * what was simulated, flag exactly the speeder and the rubber-stamper, and
 * gold answers must never touch an image's own decision.  A simulated
 * anchoring effect must be recovered per arm.  Plus hand-computed scores. */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "store/people_fixture.h"
#include "review/analyze.h"
#include "review/anchoring.h"
#include "review/gold.h"
#include "review/quality.h"
#include "review/quality_format.h"
#include "review/refine.h"
#include "review/review_tx.h"
#include "store/accounts_tx.h"
#include "store/flags.h"
#include "store/gold.h"
#include "store/arms.h"

#define NC 50         /* classes */
#define NI 400        /* images, 8 batches of 50 */
#define K 20          /* proposals shown */

/* The simulated truth of image id (1-based): the fixture proposes classes
 * (id-1+r) % NC at rank r.  10 %: the top-1 is wrong, the truth is rank 2;
 * 30 %: two objects, ranks 0 and 1; else the top-1 alone. */
static size_t truth_of(int64_t id, int32_t t[2])
{
	unsigned h = (unsigned)id * 2654435761u % 1000;
	int32_t r0 = (int32_t)((id - 1) % NC), r1 = (int32_t)(id % NC), r2 = (int32_t)((id + 1) % NC);
	if (h < 100) {
		t[0] = r2;
		return 1;
	}
	if (h < 400) {
		t[0] = r0 < r1 ? r0 : r1;
		t[1] = r0 < r1 ? r1 : r0;
		return 2;
	}
	t[0] = r0;
	return 1;
}

struct sim {
	const char *name;
	double sens, spec, secs;
	int stamper;
	double unsure;     /* share answered unsure */
};

static const struct sim crowd[] = {
	{ "ann1", 0.97, 0.998, 20, 0, 0 },
	{ "ann2", 0.93, 0.998, 24, 0, 0.05 },
	{ "ann3", 0.90, 0.998, 18, 0, 0 },
	{ "ann4", 0.95, 0.998, 22, 0, 0 },
	{ "speedy", 0.90, 0.995, 3, 0, 0 },
	{ "stamp", 0, 0, 15, 1, 0 },
};
#define NCROWD (sizeof(crowd) / sizeof(crowd[0]))

static struct mlfy_store *crowd_project(int64_t *ids)
{
	static const struct fixture_spec spec = { NC, NI, 50, K, 0, NULL, 0, NULL, 0 };
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	size_t i;

	test_tmpfile(path, sizeof(path), "crowd.mlfy");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	for (i = 0; i < NCROWD; i++)
		ids[i] = add_user(s, crowd[i].name, MLFY_ROLE_ANNOTATOR, NULL);
	return s;
}

/* Makes every 3rd image gold, with its simulated truth. */
static void add_gold(struct mlfy_store *s)
{
	struct mlfy_err err;
	int64_t id;

	assert_int_equal(mlfy_store_begin(s, &err), 0);
	for (id = 3; id <= NI; id += 3) {
		int32_t t[2];
		size_t n = truth_of(id, t);
		assert_int_equal(mlfy_gold_put(s, id, t, n, "simulated", 0, NULL, &err), 0);
	}
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

/* One simulated answer of person c to image id, saved as the page would. */
static void answer(struct mlfy_store *s, gsl_rng *rng, const struct sim *c, int64_t who, int64_t id)
{
	struct mlfy_label_choice l[K];
	struct mlfy_annotation_save in;
	struct mlfy_err err;
	int32_t t[2];
	size_t nt = truth_of(id, t), n = 0, r;
	int64_t v = 0;

	memset(&in, 0, sizeof(in));
	in.image_id = id;
	in.annotator_id = who;
	in.stage = MLFY_STAGE_ANNOTATE;
	for (r = 0; r < K; r++) {
		int32_t cls = (int32_t)((id - 1 + (int64_t)r) % NC);
		int valid = cls == t[0] || (nt == 2 && cls == t[1]);
		int pick = c->stamper ? r == 0 : gsl_rng_uniform(rng) < (valid ? c->sens : 1 - c->spec);
		if (pick) {
			l[n].class_idx = cls;
			l[n++].source = MLFY_SOURCE_PROPOSAL;
		}
	}
	in.labels = l;
	in.n_labels = n;
	in.seconds = c->secs * (0.7 + 0.6 * gsl_rng_uniform(rng));
	if (c->unsure > 0 && gsl_rng_uniform(rng) < c->unsure)
		in.unsure = 2;   /* too_small_or_blurred */
	if (nt == 2 && !c->stamper)
		in.tags = 1u;    /* multiple_objects */
	if (mlfy_annotations_save(s, &in, &v, &err))
		fail_msg("save of image %lld by %s: %s", (long long)id, c->name, err.msg);
}

static void everyone_answers(struct mlfy_store *s, const int64_t *ids, gsl_rng *rng)
{
	size_t i, j;
	for (i = 0; i < NCROWD; i++) {
		struct mlfy_task_list tl;
		struct mlfy_err err;
		assert_int_equal(mlfy_tasks_list(s, ids[i], MLFY_STAGE_ANNOTATE, &tl, &err), 0);
		for (j = 0; j < tl.n; j++)
			answer(s, rng, &crowd[i], ids[i], tl.image_ids[j]);
		mlfy_task_list_release(&tl);
	}
}

static const struct mlfy_person_quality *person(const struct mlfy_quality *q, const char *name)
{
	size_t i;
	for (i = 0; i < q->n_people; i++)
		if (!strcmp(q->people[i].name, name))
			return &q->people[i];
	fail_msg("no person %s", name);
	return NULL;
}

static void simulated_crowd(void **state)
{
	int64_t ids[NCROWD];
	struct mlfy_store *s = crowd_project(ids);
	struct mlfy_gold_placed *placed = NULL;
	struct mlfy_assign_report rep;
	struct mlfy_task_list tl0;
	struct mlfy_quality q;
	struct mlfy_err err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t n_placed = 0, i;
	int64_t gold_id = 0;
	(void)state;

	gsl_rng_set(rng, 13);
	add_gold(s);
	/* too many wanted: nothing is written, batches included */
	{
		struct mlfy_gold_opts bad = { 2, 200, 0.2, 7, 0 };
		assert_int_equal(mlfy_gold_assign(s, &bad, NULL, 0, &rep, &placed, &n_placed, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "nothing was assigned"));
		assert_null(placed);
		assert_int_equal(mlfy_tasks_list(s, ids[0], MLFY_STAGE_ANNOTATE, &tl0, &err), 0);
		assert_int_equal(tl0.n, 0);
		mlfy_task_list_release(&tl0);
	}
	/* batches and gold tasks in one run */
	{
		struct mlfy_gold_opts go = { 2, 5, 0.2, 7, 0 };
		assert_int_equal(mlfy_gold_assign(s, &go, NULL, 0, &rep, &placed, &n_placed, &err), 0);
		assert_int_equal(rep.complete, 8);
		mlfy_assign_report_release(&rep);
	}
	assert_int_equal(n_placed, NCROWD);
	for (i = 0; i < n_placed; i++) {
		/* N first, then about m P / (1 - P) */
		assert_int_equal(placed[i].wanted, 5 + llround((double)placed[i].own * 0.2 / 0.8));
		assert_int_equal(placed[i].placed, placed[i].wanted);
	}
	mlfy_gold_placed_free(placed, n_placed);
	/* the first 5 tasks of each queue are gold, never of their own batches */
	for (i = 0; i < NCROWD; i++) {
		struct mlfy_task_list tl;
		size_t j, gold = 0;
		assert_int_equal(mlfy_tasks_list(s, ids[i], MLFY_STAGE_ANNOTATE, &tl, &err), 0);
		for (j = 0; j < tl.n; j++) {
			int is = mlfy_gold_task_is(s, ids[i], tl.image_ids[j], &err);
			assert_true(is >= 0);
			if (j < 5)
				assert_int_equal(is, 1);
			gold += (size_t)is;
			if (is && !gold_id)
				gold_id = tl.image_ids[j];
		}
		assert_true(gold > 5);
		mlfy_task_list_release(&tl);
	}
	everyone_answers(s, ids, rng);

	assert_int_equal(mlfy_quality_compute(s, NULL, &q, &err), 0);
	assert_int_equal(q.n_people, NCROWD);
	for (i = 0; i < 4; i++) {
		const struct mlfy_person_quality *p = person(&q, crowd[i].name);
		/* the simulated sensitivity lies in the interval, on gold and by Dawid-Skene */
		assert_true(p->gold.sensitivity.n > 30);
		if (!(p->gold.sensitivity.lo <= crowd[i].sens && crowd[i].sens <= p->gold.sensitivity.hi))
			fail_msg("%s: gold sensitivity [%g, %g] misses %g", p->name, p->gold.sensitivity.lo,
				 p->gold.sensitivity.hi, crowd[i].sens);
		assert_true(p->ds);
		if (!(p->ds_sensitivity.lo <= crowd[i].sens && crowd[i].sens <= p->ds_sensitivity.hi))
			fail_msg("%s: Dawid-Skene sensitivity %g [%g, %g] misses %g", p->name, p->ds_sensitivity.p,
				 p->ds_sensitivity.lo, p->ds_sensitivity.hi, crowd[i].sens);
		/* specificity near 1 from a few false positives: DS takes some of
		 * them for true labels, so only closeness is asked */
		if (fabs(p->ds_specificity.p - crowd[i].spec) > 0.003)
			fail_msg("%s: Dawid-Skene specificity %g far from %g", p->name, p->ds_specificity.p,
				 crowd[i].spec);
		assert_int_equal(p->flags, 0);
		assert_true(p->time.median > 10);
		assert_true(p->tags[0] > 0);   /* multiple objects tagged */
	}
	/* exactly the speeder and the rubber-stamper are flagged, with reasons */
	assert_true(person(&q, "speedy")->flags & MLFY_FLAG_SPEEDER);
	assert_false(person(&q, "speedy")->flags & MLFY_FLAG_RUBBER_STAMP);
	assert_non_null(strstr(person(&q, "speedy")->reason[1], "below a third"));
	assert_true(person(&q, "stamp")->flags & MLFY_FLAG_RUBBER_STAMP);
	assert_false(person(&q, "stamp")->flags & MLFY_FLAG_SPEEDER);
	assert_true(person(&q, "stamp")->top1_only.p > 0.99);
	/* the rubber-stamper's gold exact accuracy is the share of top-1-only truths (~0.6) */
	assert_true(person(&q, "stamp")->gold.exact.hi < 0.8);
	/* unsure answers counted with their reason */
	assert_true(person(&q, "ann2")->unsure_reasons[1] > 0);
	assert_int_equal(person(&q, "ann1")->unsure_rate.k, 0);
	/* projections: every queue is done */
	assert_string_equal(q.stage_eta, "done");
	assert_int_equal(q.stage_remaining, 0);
	/* the tables, and the JSON fields the issue names */
	assert_int_equal(mlfy_quality_print(stdout, &q, NULL), 0);
	{
		json_t *j = mlfy_quality_json(&q, NULL), *a = json_array_get(json_object_get(j, "annotators"), 0);
		assert_non_null(a);
		assert_true(json_is_string(json_object_get(a, "name")));
		assert_true(json_is_string(json_object_get(a, "role")));
		assert_true(json_is_real(json_object_get(json_object_get(json_object_get(a, "gold"), "exact"), "ci_low")));
		assert_true(json_is_integer(json_object_get(json_object_get(a, "final"), "n")));
		assert_true(json_is_object(json_object_get(json_object_get(a, "gold"), "sensitivity")));
		assert_true(json_is_object(json_object_get(json_object_get(a, "gold"), "precision")));
		json_decref(j);
	}
	mlfy_quality_release(&q);

	/* a gold answer never counts toward the image's own labels */
	{
		struct mlfy_annotation *a = NULL;
		size_t n = 0;
		assert_int_equal(mlfy_annotations_of_image(s, gold_id, MLFY_STAGE_ANNOTATE, &a, &n, &err), 0);
		assert_int_equal(n, 2);   /* the two assigned annotators, not the gold answers */
		for (i = 0; i < n; i++)
			assert_int_equal(mlfy_gold_task_is(s, a[i].annotator_id, gold_id, &err), 0);
		mlfy_annotations_free(a, n);
	}
	gsl_rng_free(rng);
	mlfy_store_close(s);
}

/* One simulated refinement of image id by expert who: shown, each
 * pre-checked label is kept with probability 0.9 whatever it is (the
 * anchoring); blind, the truth is found with sensitivity 0.95. */
static void refine_one(struct mlfy_store *s, gsl_rng *rng, int64_t who, int64_t id)
{
	struct mlfy_label_choice l[K + 4];
	struct mlfy_refine_shown sh;
	struct mlfy_annotation_save in;
	struct mlfy_err err;
	int32_t t[2];
	size_t nt = truth_of(id, t), n = 0, r, i;
	int64_t v = 0;

	assert_int_equal(mlfy_refine_shown_get(s, id, &sh, &err), 0);
	for (r = 0; r < K; r++) {
		int32_t cls = (int32_t)((id - 1 + (int64_t)r) % NC);
		int valid = cls == t[0] || (nt == 2 && cls == t[1]), pre = 0, pick;
		for (i = 0; i < sh.n_prefill; i++)
			pre |= sh.prefill[i] == cls;
		if (sh.arm == MLFY_ARM_SHOWN)
			pick = pre ? gsl_rng_uniform(rng) < 0.9 : valid && gsl_rng_uniform(rng) < 0.5;
		else
			pick = gsl_rng_uniform(rng) < (valid ? 0.95 : 0.002);
		if (pick) {
			l[n].class_idx = cls;
			l[n++].source = pre ? MLFY_SOURCE_PREFILL : MLFY_SOURCE_PROPOSAL;
		}
	}
	memset(&in, 0, sizeof(in));
	in.image_id = id;
	in.annotator_id = who;
	in.stage = MLFY_STAGE_REFINE;
	in.labels = l;
	in.n_labels = n;
	in.comment = "simulated";
	in.seconds = sh.arm == MLFY_ARM_SHOWN ? 20 + 10 * gsl_rng_uniform(rng) : 40 + 10 * gsl_rng_uniform(rng);
	mlfy_refine_shown_release(&sh);
	if (mlfy_annotations_save(s, &in, &v, &err))
		fail_msg("refinement of image %lld: %s", (long long)id, err.msg);
}

/* A known anchoring effect is recovered: in the shown arm 90 % of the
 * pre-checked labels (and 90 % of the planted wrong ones) are kept. */
static void anchoring_recovered(void **state)
{
	static const char *const experts[] = { "exp1", "exp2" };
	int64_t ids[NCROWD], ex[2];
	struct mlfy_store *s = crowd_project(ids);
	struct mlfy_analyze_opts ao;
	struct mlfy_analysis an;
	struct mlfy_arms_drawn d;
	struct mlfy_anchoring a;
	struct mlfy_expert_load *load = NULL;
	struct mlfy_assign_report rep;
	struct mlfy_err err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t n_load = 0, i, j;
	(void)state;

	gsl_rng_set(rng, 99);
	add_gold(s);
	ex[0] = add_user(s, "exp1", MLFY_ROLE_EXPERT, NULL);
	ex[1] = add_user(s, "exp2", MLFY_ROLE_EXPERT, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	everyone_answers(s, ids, rng);
	memset(&ao, 0, sizeof(ao));
	assert_int_equal(mlfy_rule_parse("paper", &ao.rule, &err), 0);
	ao.top = 10;
	ao.max_missing = 20;
	assert_int_equal(mlfy_analyze(s, &ao, &an, &err), 0);
	assert_true(an.refine > 100);
	assert_true(an.reasons[MLFY_REASON_UNSURE] > 0);   /* ann2's unsure answers went to an expert */
	mlfy_analysis_release(&an);
	assert_int_equal(mlfy_queue_assign_experts(s, experts, 2, &load, &n_load, &err), 0);
	mlfy_expert_loads_free(load, n_load);
	assert_int_equal(mlfy_arms_draw(s, 0.5, 1.0, 5, &d, &err), 0);
	assert_true(d.blind > 50 && d.shown > 50 && d.planted > 10);
	assert_true(llabs(d.blind - d.shown) <= 2);   /* half of each expert's tasks */
	/* drawn once: a second run keeps every arm */
	assert_int_equal(mlfy_arms_draw(s, 0.9, 0, 6, &d, &err), 0);
	assert_int_equal(d.blind + d.shown, 0);
	for (i = 0; i < 2; i++) {
		struct mlfy_task_list tl;
		assert_int_equal(mlfy_tasks_list(s, ex[i], MLFY_STAGE_REFINE, &tl, &err), 0);
		for (j = 0; j < tl.n; j++)
			refine_one(s, rng, ex[i], tl.image_ids[j]);
		mlfy_task_list_release(&tl);
	}
	/* a kept planted label is measured but never final, and `mlfy check` agrees */
	{
		struct mlfy_review_check chk;
		int64_t id, kept = 0;
		for (id = 1; id <= NI; id++) {
			struct mlfy_arm_row arm;
			struct mlfy_annotation ref;
			struct mlfy_final f;
			assert_int_equal(mlfy_arm_get(s, id, &arm, &err), 0);
			if (arm.planted < 0 || mlfy_final_get(s, id, &f, &err))
				continue;
			for (i = 0; i < f.n; i++)
				assert_int_not_equal(f.classes[i], arm.planted);
			mlfy_final_release(&f);
			assert_int_equal(mlfy_annotations_latest(s, id, MLFY_STAGE_REFINE, &ref, &err), 0);
			for (i = 0; i < ref.n_labels; i++)
				kept += ref.labels[i].class_idx == arm.planted;
			mlfy_annotation_release(&ref);
		}
		assert_true(kept > 0);   /* the experts kept some: the history has them */
		assert_int_equal(mlfy_review_check(s, &chk, &err), 0);
		assert_int_equal(chk.refined_set_differs, 0);
	}
	assert_int_equal(mlfy_anchoring_compute(s, &a, &err), 0);
	if (!(a.arm[0].kept.lo <= 0.9 && 0.9 <= a.arm[0].kept.hi))
		fail_msg("shown arm: kept %g [%g, %g] misses 0.9", a.arm[0].kept.p, a.arm[0].kept.lo, a.arm[0].kept.hi);
	if (!(a.arm[0].planted_accepted.lo <= 0.9 && 0.9 <= a.arm[0].planted_accepted.hi))
		fail_msg("planted accepted %g [%g, %g] misses 0.9", a.arm[0].planted_accepted.p,
			 a.arm[0].planted_accepted.lo, a.arm[0].planted_accepted.hi);
	assert_true(a.arm[1].kept.p < a.arm[0].kept.p);   /* blind experts drop the wrong labels */
	assert_true(a.p_kept < 0.05);
	assert_int_equal(a.arm[1].planted_accepted.n, 0);   /* nothing is planted in the blind arm */
	assert_true(a.arm[1].mean_seconds > a.arm[0].mean_seconds);
	assert_true(a.p_seconds < 0.05);
	assert_true(a.arm[1].gold_exact.n > 0);
	assert_true(a.arm[1].gold_exact.p > a.arm[0].gold_exact.p);
	/* gold taken from the experts' own final sets scores none of those answers */
	{
		struct mlfy_anchoring b;
		int64_t added = 0, kept = 0;
		assert_int_equal(mlfy_gold_from_final(s, &added, &kept, &err), 0);
		assert_true(added > 50 && kept > 10);
		assert_int_equal(mlfy_anchoring_compute(s, &b, &err), 0);
		assert_int_equal(b.arm[0].gold_exact.n, a.arm[0].gold_exact.n);
		assert_int_equal(b.arm[1].gold_exact.n, a.arm[1].gold_exact.n);
	}
	{
		struct mlfy_quality q;
		json_t *jq, *arms;
		assert_int_equal(mlfy_quality_compute(s, NULL, &q, &err), 0);
		jq = mlfy_quality_json(&q, &a);
		arms = json_object_get(json_object_get(jq, "anchoring"), "arms");
		assert_true(json_is_integer(json_object_get(json_object_get(arms, "blind"), "n")));
		assert_true(json_is_real(json_object_get(json_object_get(json_object_get(arms, "shown"), "kept"), "p")));
		assert_true(json_is_real(json_object_get(json_object_get(json_object_get(jq, "anchoring"), "p_values"),
							 "kept")));
		json_decref(jq);
		assert_int_equal(mlfy_quality_print(stdout, &q, &a), 0);
		mlfy_quality_release(&q);
	}
	mlfy_store_close(s);
	gsl_rng_free(rng);
}

/* Scores against hand-computed values. */
static void hand_computed(void **state)
{
	static const int32_t t1[] = { 1, 2 }, a1[] = { 1, 3 }, t2[] = { 5 }, a2[] = { 5 }, t3[] = { 0 };
	struct mlfy_set_acc acc;
	struct mlfy_set_scores sc;
	(void)state;

	memset(&acc, 0, sizeof(acc));
	mlfy_set_acc_add(&acc, a1, 2, t1, 2);   /* inter 1, union 3: J 1/3 */
	mlfy_set_acc_add(&acc, a2, 1, t2, 1);   /* exact: J 1 */
	mlfy_set_acc_add(&acc, NULL, 0, t3, 1); /* none of these on {0}: J 0 */
	mlfy_set_acc_add(&acc, NULL, 0, NULL, 0);   /* both empty: exact, J 1 */
	mlfy_set_scores_finish(&acc, &sc);
	assert_int_equal(sc.exact.k, 2);
	assert_int_equal(sc.exact.n, 4);
	assert_int_equal(sc.sensitivity.k, 2);   /* 1 + 1 of 2 + 1 + 1 */
	assert_int_equal(sc.sensitivity.n, 4);
	assert_int_equal(sc.precision.k, 2);     /* of 2 + 1 chosen */
	assert_int_equal(sc.precision.n, 3);
	assert_true(fabs(sc.jaccard - (1.0 / 3 + 1 + 0 + 1) / 4) < 1e-12);
	/* Wilson for 2/4 at z 1.96: (0.5 + 0.4802 -+ 1.96 sqrt(0.0625 + 0.0600)) / 1.9604 */
	assert_true(fabs(sc.exact.lo - 0.15003570882) < 1e-6);
	assert_true(fabs(sc.exact.hi - 0.84996429118) < 1e-6);
	/* two-proportion z: 30/50 vs 20/50, pooled 0.5, z = 0.2 / 0.1 = 2, p = 2 Q(2) */
	assert_true(fabs(mlfy_two_proportion_p(30, 50, 20, 50) - 0.0455002639) < 1e-8);
	assert_true(isnan(mlfy_two_proportion_p(0, 0, 1, 2)));
}

/* Pace and projected finish against hand-computed values: 14 of 28 tasks
 * saved 20 minutes apart from 00:00 (13 answers in 260 minutes: 72 a day),
 * "now" 05:00, so the other 14 take 14/72 of a day = 4 h 40 min more. */
static void projection(void **state)
{
	static const struct fixture_spec spec = { 10, 28, 4, 5, 0, NULL, 0, NULL, 0 };
	const char *one[] = { "a1" };
	struct mlfy_assign_report rep;
	struct mlfy_quality_opts o = { .min_accuracy = 0.8, .now = "2026-01-01T05:00:00Z" };
	struct mlfy_store *s = NULL;
	struct mlfy_quality q;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	sqlite3 *db;
	char path[4096], sql[256];
	int64_t a1, v;
	size_t i;
	(void)state;

	test_tmpfile(path, sizeof(path), "pace.mlfy");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(tl.n, 28);
	for (i = 0; i < 14; i++) {
		struct mlfy_annotation_save in;
		memset(&in, 0, sizeof(in));
		in.image_id = tl.image_ids[i];
		in.annotator_id = a1;
		in.stage = MLFY_STAGE_ANNOTATE;
		in.seconds = (double)(10 + i);   /* 10..23 s: median 16.5, quartiles 13.25 and 19.75 */
		assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	}
	/* the saves' times (a test-only rewrite of the append-only history) */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER annotations_append_only_u", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 14; i++) {
		snprintf(sql, sizeof(sql), "UPDATE annotations SET created_at = '2026-01-01T%02zu:%02zu:00Z' WHERE image_id = %lld",
			 i * 20 / 60, i * 20 % 60, (long long)tl.image_ids[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(db);
	mlfy_task_list_release(&tl);
	assert_int_equal(mlfy_quality_compute(s, &o, &q, &err), 0);
	assert_int_equal(q.n_people, 1);
	assert_true(fabs(q.people[0].time.median - 16.5) < 1e-9);
	assert_true(fabs(q.people[0].time.q1 - 13.25) < 1e-9);
	assert_true(fabs(q.people[0].time.q3 - 19.75) < 1e-9);
	assert_true(fabs(q.people[0].time.per_hour - 3600.0 * 14 / 231) < 1e-9);   /* 14 images in 231 s */
	assert_int_equal(q.people[0].time.queue_total, 28);
	assert_int_equal(q.people[0].time.queue_done, 14);
	assert_true(fabs(q.people[0].time.pace_per_day - 72) < 1e-9);
	assert_true(fabs(q.people[0].time.remaining_hours - 14 * 16.5 / 3600) < 1e-9);
	assert_string_equal(q.people[0].time.eta, "2026-01-01T09:40:00Z");
	assert_string_equal(q.stage_eta, "2026-01-01T09:40:00Z");
	assert_int_equal(q.stage_remaining, 14);
	mlfy_quality_release(&q);
	/* a disabled account finishes nothing: no projection for it or for the stage */
	assert_int_equal(mlfy_users_set_disabled_tx(s, "a1", 1, &err), 0);
	assert_int_equal(mlfy_quality_compute(s, &o, &q, &err), 0);
	assert_int_equal(q.people[0].disabled, 1);
	assert_string_equal(q.people[0].time.eta, "");
	assert_string_equal(q.stage_eta, "");
	assert_int_equal(q.stage_disabled, 14);
	mlfy_quality_release(&q);
	/* a malformed "now" is refused, and so is a date that does not exist */
	{
		static const char *const bad[] = { "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
						   "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00", "",
						   "2026-2-28T00:00:00Z", "2026-02-28T0:00:00Z" };
		time_t tt;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_int_equal(mlfy_quality_time_parse(bad[i], &tt), -1);
		assert_int_equal(mlfy_quality_time_parse("2024-02-29T23:59:59Z", &tt), 0);
		assert_int_equal((long long)tt, 1709251199LL);
	}
	o.now = "yesterday";
	assert_int_equal(mlfy_quality_compute(s, &o, &q, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "yesterday"));
	mlfy_store_close(s);
}

static void flags_validated(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_label_choice l[1] = { { 1, MLFY_SOURCE_SEARCH } };
	struct mlfy_annotation_save in;
	struct mlfy_err err;
	int64_t v;
	(void)state;

	memset(&in, 0, sizeof(in));
	in.image_id = 1;
	in.annotator_id = 1;
	in.stage = MLFY_STAGE_REFINE;
	in.labels = l;
	in.n_labels = 1;
	in.unsure = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "unsure: only in stage ii"));
	in.stage = MLFY_STAGE_ANNOTATE;
	in.unsure = MLFY_N_UNSURE + 1;
	assert_int_equal(mlfy_annotation_check(&in, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "unsure:"));
	in.unsure = 0;
	in.tags = 1u << MLFY_N_TAGS;
	assert_int_equal(mlfy_annotation_check(&in, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "tags:"));
	assert_int_equal(mlfy_tag_index("multiple_objects"), 0);
	assert_int_equal(mlfy_unsure_index("image_broken"), 2);
	assert_int_equal(mlfy_unsure_index("nope"), -1);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_computed),
		cmocka_unit_test(flags_validated),
		cmocka_unit_test(projection),
		cmocka_unit_test(simulated_crowd),
		cmocka_unit_test(anchoring_recovered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

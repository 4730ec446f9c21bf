/* test_review.c - src/store/review.c: stage-ii reads, final labels,
 * refinement queue and expert split, finalisation, zero-label reviews,
 * counts, votes, aggregation rows, the export cursor and provenance, on a
 * small fixture project with hand-written expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/refine.h"
#include "store/dashboard.h"
#include "store/provenance.h"
#include "store/queue.h"
#include "store/review_input.h"
#include "store/review_stats.h"
#include "store/votes.h"
#include "store/zero_label.h"
#include "store/final_labels.h"
#include "testutil.h"
#include "review/review_fixture.h"
#include "review/review_test.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 6 images, 5 classes, batches of 3 (batch 1: img01-03, batch 2: img04-06),
 * top-3 proposals; annotators ann1 (id 1), ann2 (id 2) on batch 1 only;
 * experts exp1 (3), exp2 (4); ann3 (5) an annotator; exp3 (6) disabled. */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_project(e->path, sizeof(e->path), "review.mlfy");
	if (rfix_create(&e->f, e->path, 5, 6, 3, 3) ||
	    rfix_user(&e->f, 1, "ann1", "annotator") || rfix_user(&e->f, 2, "ann2", "annotator") ||
	    rfix_user(&e->f, 3, "exp1", "expert") || rfix_user(&e->f, 4, "exp2", "expert") ||
	    rfix_user(&e->f, 5, "ann3", "annotator") || rfix_user(&e->f, 6, "exp3", "expert") ||
	    rfix_exec(&e->f, "UPDATE annotators SET disabled = 1 WHERE id = 6") ||
	    rfix_assign(&e->f, 1, 1) || rfix_assign(&e->f, 1, 2))
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	mlfy_store_close(e->s);
	rfix_close(&e->f);
	free(e);
	return 0;
}

struct seen {
	int n;
	char names[8][32];
	size_t n_ann[8];
	int64_t ann_id[8][2];
	int32_t labels0[8][8];
	size_t n_labels0[8];
	size_t n_shown0[8];
	int32_t shown0[8][8];
	int original[8];
	int queued[8];
};

static int collect(const struct mlfy_review_image *img, void *ctx)
{
	struct seen *s = ctx;
	size_t i;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", img->name);
	s->n_ann[s->n] = img->n_ann;
	s->original[s->n] = img->original_label;
	s->queued[s->n] = img->queued;
	for (i = 0; i < img->n_ann && i < 2; i++)
		s->ann_id[s->n][i] = img->ann[i].annotation_id;
	if (img->n_ann) {
		s->n_labels0[s->n] = img->ann[0].n_labels;
		memcpy(s->labels0[s->n], img->ann[0].labels, img->ann[0].n_labels * sizeof(int32_t));
		s->n_shown0[s->n] = img->ann[0].n_shown;
		memcpy(s->shown0[s->n], img->ann[0].shown, img->ann[0].n_shown * sizeof(int32_t));
	}
	s->n++;
	return 0;
}

static void foreach_reads_current_versions(void **state)
{
	struct env *e = *state;
	struct seen seen;
	struct mlfy_err err;
	const int a[] = { 3, 0 }, b[] = { 0 }, c[] = { 1, 4 };
	long long id_new;
	(void)state;
	/* img01: ann1 saved twice (the 2nd version counts), ann2 once; img02:
	 * only ann1 (ann2 missing); img03: nobody */
	assert_true(rfix_annotate(&e->f, 1, 1, "annotate", b, 1, "") > 0);
	assert_true((id_new = rfix_annotate(&e->f, 1, 1, "annotate", a, 2, "v2")) > 0);
	assert_true(rfix_annotate(&e->f, 1, 2, "annotate", b, 1, "") > 0);
	assert_true(rfix_annotate(&e->f, 2, 1, "annotate", c, 2, "") > 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mlfy_review_foreach_image(e->s, collect, &seen, &err), 0);
	assert_int_equal(seen.n, 6);
	assert_string_equal(seen.names[0], "img01.jpg");
	assert_string_equal(seen.names[5], "img06.jpg");
	assert_int_equal(seen.n_ann[0], 2);      /* batch 1: ann1, ann2 */
	assert_int_equal(seen.n_ann[3], 0);      /* batch 2: unassigned */
	assert_int_equal(seen.ann_id[0][0], id_new);
	assert_int_equal(seen.n_labels0[0], 2);  /* {0, 3} ascending */
	assert_int_equal(seen.labels0[0][0], 0);
	assert_int_equal(seen.labels0[0][1], 3);
	/* img01 proposals: classes 0, 1, 2 */
	assert_int_equal(seen.n_shown0[0], 3);
	assert_int_equal(seen.shown0[0][0], 0);
	assert_int_equal(seen.shown0[0][2], 2);
	assert_true(seen.ann_id[1][0] > 0);
	assert_int_equal(seen.ann_id[1][1], 0);  /* ann2 missing on img02 */
	assert_int_equal(seen.ann_id[2][0], 0);
	assert_int_equal(seen.original[1], 1);
}

static void final_update_keeps_identical_decisions(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	const int l[] = { 4, 1, 4 }, same[] = { 1, 4 }, other[] = { 1 };
	int changed = -1;
	(void)state;
	assert_int_equal(mlfy_review_final_update(e->s, 1, MLFY_FINAL_AGREED, l, 3, 0, &changed, &err),
			 MLFY_EINVAL); /* no transaction */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_review_final_update(e->s, 1, MLFY_FINAL_AGREED, l, 3, 0, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_exec(&e->f, "UPDATE final_status SET decided_at = 'then' WHERE image_id = 1"), 0);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	/* the same set in another order: nothing written, decided_at kept */
	assert_int_equal(mlfy_review_final_update(e->s, 1, MLFY_FINAL_AGREED, same, 2, 0, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE decided_at = 'then'"), 1);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	/* another set, or another stage, is written */
	assert_int_equal(mlfy_review_final_update(e->s, 1, MLFY_FINAL_AGREED, other, 1, 0, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(mlfy_review_final_update(e->s, 1, MLFY_FINAL_AGGREGATED, other, 1, 0, &changed, &err), 0);
	assert_int_equal(changed, 1);
	/* an unknown class is refused and nothing changes */
	{
		const int bad[] = { 9 };
		assert_int_equal(mlfy_review_final_update(e->s, 2, MLFY_FINAL_AGREED, bad, 1, 0, &changed, &err),
				 MLFY_ENOTFOUND);
	}
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_labels WHERE image_id = 1"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE stage = 'aggregated'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status"), 1);
}

static void queue_and_even_split(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	struct mlfy_queue_entry *q;
	struct mlfy_queue_entry one;
	struct mlfy_expert_load *load;
	const char *two[] = { "exp1", "exp2" };
	const char *bad_role[] = { "ann3" };
	const char *disabled[] = { "exp3" };
	const char *unknown[] = { "nobody" };
	const char *dup[] = { "exp1", "exp1" };
	size_t n, n_load;
	int i;
	(void)state;
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	for (i = 1; i <= 5; i++)
		assert_int_equal(mlfy_review_queue_put(e->s, i, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 2, "paper", "original_label_not_chosen", &err), 0);
	assert_int_equal(mlfy_review_queue_remove(e->s, 5, &err), 0);
	assert_int_equal(mlfy_review_queue_remove(e->s, 5, &err), 0); /* absent: fine */
	/* 4 rows split 2/2 between two experts, in name order alternating */
	assert_int_equal(mlfy_review_queue_assign(e->s, two, 2, &load, &n_load, &err), 0);
	assert_int_equal(n_load, 2);
	assert_int_equal(load[0].assigned, 2);
	assert_int_equal(load[1].assigned, 2);
	assert_int_equal(load[0].added, 2);
	mlfy_expert_loads_free(load, n_load);
	assert_int_equal(mlfy_review_queue_assign(e->s, bad_role, 1, NULL, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "ann3"));
	assert_int_equal(mlfy_review_queue_assign(e->s, disabled, 1, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_review_queue_assign(e->s, unknown, 1, NULL, NULL, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_review_queue_assign(e->s, dup, 2, NULL, NULL, &err), MLFY_EINVAL);
	/* the queue grows by 2: a re-run keeps the 4 and gives one more to each */
	assert_int_equal(mlfy_review_queue_put(e->s, 5, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 6, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_assign(e->s, two, 2, &load, &n_load, &err), 0);
	assert_int_equal(load[0].assigned, 3);
	assert_int_equal(load[1].assigned, 3);
	assert_int_equal(load[0].added + load[1].added, 2);
	mlfy_expert_loads_free(load, n_load);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);

	assert_int_equal(mlfy_review_queue_list(e->s, 0, &q, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_string_equal(q[0].image, "img01.jpg");
	assert_string_equal(q[0].expert, "exp1");
	assert_string_equal(q[1].expert, "exp2");     /* alternating in name order */
	assert_string_equal(q[1].reason, "original_label_not_chosen");
	assert_string_equal(q[2].expert, "exp1");
	mlfy_queue_entries_free(q, n);
	assert_int_equal(mlfy_review_queue_list(e->s, 3, &q, &n, &err), 0);  /* exp1's */
	assert_int_equal(n, 3);
	mlfy_queue_entries_free(q, n);
	assert_int_equal(mlfy_review_queue_list(e->s, -1, &q, &n, &err), 0); /* unassigned */
	assert_int_equal(n, 0);
	free(q);
	assert_int_equal(mlfy_review_queue_get(e->s, 4, &one, &err), 0);
	assert_string_equal(one.rule, "paper");
	assert_int_equal(one.expert_id, 4);   /* img04 is the 4th in name order -> exp2 */
	mlfy_queue_entry_release(&one);
	assert_int_equal(mlfy_review_queue_get(e->s, 5, &one, &err), 0);
	assert_non_null(one.expert);
	mlfy_queue_entry_release(&one);
	assert_int_equal(mlfy_review_queue_get(e->s, 99, &one, &err), MLFY_ENOTFOUND);
}

static void finalize_and_zero_label_review(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	struct mlfy_review_stats st;
	struct mlfy_zero_review z;
	const char *two[] = { "exp1", "exp2" };
	const int set[] = { 2, 0 };
	long long r1, r2;
	int64_t done, waiting, *pending;
	size_t n_pending;
	int changed;
	(void)state;
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 1, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 2, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_assign(e->s, two, 2, NULL, NULL, &err), 0);  /* 1 -> exp1, 2 -> exp2 */
	assert_int_equal(mlfy_review_finalize(e->s, 1, &changed, &err), MLFY_ENOTFOUND);  /* nothing saved */
	assert_int_equal(mlfy_review_finalize(e->s, 3, &changed, &err), MLFY_ENOTFOUND);  /* not queued */
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	/* exp2 (not the assignee) refines img01 first, then exp1 does: exp1's counts */
	assert_true(rfix_annotate(&e->f, 1, 4, "refine", set, 1, "other") > 0);
	assert_true((r1 = rfix_annotate(&e->f, 1, 3, "refine", set, 2, "added the second object")) > 0);
	/* exp2 refines img02 to the empty set */
	assert_true((r2 = rfix_annotate(&e->f, 2, 4, "refine", NULL, 0, "nothing fits")) > 0);

	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_review_finalize(e->s, 1, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(mlfy_review_finalize(e->s, 1, &changed, &err), 0);
	assert_int_equal(changed, 0);    /* idempotent */
	assert_int_equal(mlfy_review_finalize_all(e->s, &done, &waiting, &err), 0);
	assert_int_equal(done, 1);       /* img02 */
	assert_int_equal(waiting, 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT annotation_id FROM final_status WHERE image_id = 1"), r1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_labels WHERE image_id = 1"), 2);
	assert_int_equal(rfix_int(&e->f, "SELECT annotation_id FROM final_status WHERE image_id = 2"), r2);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_labels WHERE image_id = 2"), 0);

	/* img02 now awaits a zero-label review */
	assert_int_equal(mlfy_review_zero_pending(e->s, &pending, &n_pending, &err), 0);
	assert_int_equal(n_pending, 1);
	assert_int_equal(pending[0], 2);
	free(pending);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	/* refused: img01 has labels; img03 undecided; annotator account; bad names */
	assert_int_equal(mlfy_review_zero_add(e->s, 1, 3, "low_resolution", "agree", NULL, NULL, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "img01.jpg"));
	assert_int_equal(mlfy_review_zero_add(e->s, 3, 3, "low_resolution", "agree", NULL, NULL, &err),
			 MLFY_EINVAL);
	assert_int_equal(mlfy_review_zero_add(e->s, 2, 1, "low_resolution", "agree", NULL, NULL, &err),
			 MLFY_EPERM);
	assert_int_equal(mlfy_review_zero_add(e->s, 2, 4, "blurry", "agree", NULL, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "fine_grained"));
	assert_int_equal(mlfy_review_zero_add(e->s, 2, 4, "low_resolution", "maybe", NULL, NULL, &err),
			 MLFY_EINVAL);
	/* two reviews: the later one counts */
	assert_int_equal(mlfy_review_zero_add(e->s, 2, 4, "low_resolution", "unsure", NULL, NULL, &err), 0);
	assert_int_equal(mlfy_review_zero_add(e->s, 2, 4, "fine_grained", "disagree", "a rare breed", NULL, &err),
			 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(mlfy_review_zero_get(e->s, 2, &z, &err), 0);
	assert_string_equal(z.category, "fine_grained");
	assert_string_equal(z.verdict, "disagree");
	assert_string_equal(z.expert, "exp2");
	assert_string_equal(z.comment, "a rare breed");
	mlfy_zero_review_release(&z);
	assert_int_equal(mlfy_review_zero_get(e->s, 1, &z, &err), MLFY_ENOTFOUND);

	assert_int_equal(mlfy_review_stats_get(e->s, &st, &err), 0);
	assert_int_equal(st.images, 6);
	assert_int_equal(st.refined, 2);
	assert_int_equal(st.undecided, 4);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.queue_assigned, 2);
	assert_int_equal(st.queue_refined, 2);
	assert_int_equal(st.zero_label, 1);
	assert_int_equal(st.zero_reviewed, 1);
	assert_int_equal(st.by_category[mlfy_zero_category_index("fine_grained")], 1);
	assert_int_equal(st.by_category[mlfy_zero_category_index("low_resolution")], 0);
	assert_int_equal(st.by_verdict[mlfy_zero_verdict_index("disagree")], 1);
}

static void check_counts(struct env *e, int64_t agreed, int64_t without, int64_t differs, int64_t not_final)
{
	struct mlfy_review_check c;
	struct mlfy_err err;
	assert_int_equal(mlfy_review_check(e->s, &c, &err), 0);
	assert_int_equal(c.queued_and_agreed, agreed);
	assert_int_equal(c.refined_without_refinement, without);
	assert_int_equal(c.refined_set_differs, differs);
	assert_int_equal(c.refinements_not_final, not_final);
}

/* mlfy_review_check: a sound project counts nothing; refinements not yet
 * finalised are counted (a note, not a violation); each violation of the
 * invariants of docs/schema.md ("review"), made with raw SQL, is counted. */
static void check_finds_violations(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	const char *two[] = { "exp1", "exp2" };
	const int set[] = { 2, 0 };
	long long r1;
	int64_t done;
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 1, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 2, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_assign(e->s, two, 2, NULL, NULL, &err), 0);  /* 1 -> exp1, 2 -> exp2 */
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	check_counts(e, 0, 0, 0, 0);
	assert_true((r1 = rfix_annotate(&e->f, 1, 3, "refine", set, 2, "two")) > 0);
	assert_true(rfix_annotate(&e->f, 2, 4, "refine", NULL, 0, "none") > 0);
	check_counts(e, 0, 0, 0, 2);   /* saved outside mlfy serve: not final yet */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_review_finalize_all(e->s, &done, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(done, 2);
	check_counts(e, 0, 0, 0, 0);

	/* img01's final set loses a label: it no longer equals its refinement */
	assert_int_equal(rfix_exec(&e->f, "DELETE FROM final_labels WHERE image_id = 1 AND class_idx = 2"), 0);
	check_counts(e, 0, 0, 1, 0);
	/* img02's final set names img01's refinement */
	assert_int_equal(rfix_exec(&e->f, "UPDATE final_status SET annotation_id = %lld WHERE image_id = 2", r1), 0);
	check_counts(e, 0, 1, 2, 1);
	/* img01 queued and agreed */
	assert_int_equal(rfix_exec(&e->f, "UPDATE final_status SET stage = 'agreed' WHERE image_id = 1"), 0);
	check_counts(e, 1, 1, 1, 2);
}

struct vote_seen {
	int n;
	int answers[16];
	char raters[16][16];
};

static int vote_cb(const struct mlfy_vote_row *v, void *ctx)
{
	struct vote_seen *s = ctx;
	s->answers[s->n] = v->answer;
	snprintf(s->raters[s->n], sizeof(s->raters[0]), "%s", v->rater);
	s->n++;
	return 0;
}

static void votes_and_aggregations(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	struct vote_seen seen;
	int64_t q1, q2, q1b, nv, nq, deleted;
	(void)state;
	assert_int_equal(mlfy_votes_question(e->s, "a.jpg", 3, &q1, &err), MLFY_EINVAL); /* no tx */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_votes_question(e->s, "a.jpg", 3, &q1, &err), 0);
	assert_int_equal(mlfy_votes_question(e->s, "a.jpg", 4, &q2, &err), 0);
	assert_int_equal(mlfy_votes_question(e->s, "a.jpg", 3, &q1b, &err), 0);
	assert_int_equal(q1, q1b);
	assert_true(q1 != q2);
	assert_int_equal(mlfy_votes_put(e->s, q1, "r2", 2, "file", &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, q1, "r1", 0, "file", &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, q1, "r1", 1, "file", &err), 0);  /* replaces */
	assert_int_equal(mlfy_votes_put(e->s, q2, "r1", 2, "other", &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, q2, "r1", 3, "other", &err), MLFY_EINVAL);
	assert_int_equal(mlfy_aggregations_put(e->s, q1, "dawid-skene", 0.9, 1, 0.5, &err), 0);
	assert_int_equal(mlfy_aggregations_put(e->s, q1, "dawid-skene", 1.5, 1, 0.5, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_aggregations_put(e->s, q1, "mean", 0.5, 1, 0.5, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(mlfy_votes_foreach(e->s, "file", vote_cb, &seen, &err), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.raters[0], "r1");   /* by question, then rater */
	assert_int_equal(seen.answers[0], 1);
	assert_int_equal(seen.answers[1], 2);
	assert_int_equal(mlfy_votes_count(e->s, NULL, &nv, &nq, &err), 0);
	assert_int_equal(nv, 3);
	assert_int_equal(nq, 2);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_votes_delete_source(e->s, "file", &deleted, &err), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	/* q1 lost all votes: gone, and its aggregation row with it */
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM questions"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM aggregations"), 0);
}

static void export_cursor_and_provenance(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	struct mlfy_export_cursor *c;
	struct mlfy_export_row row;
	struct mlfy_provenance p;
	const int l[] = { 3, 1 };
	const int a1[] = { 1 }, a2[] = { 1, 3 }, ex[] = { 1, 3 };
	int rc, n = 0;
	(void)state;
	assert_true(rfix_annotate(&e->f, 1, 1, "annotate", a1, 1, "only one") > 0);
	assert_true(rfix_annotate(&e->f, 1, 2, "annotate", a2, 2, "") > 0);
	assert_true(rfix_annotate(&e->f, 1, 2, "annotate", a2, 2, "again") > 0);
	assert_true(rfix_annotate(&e->f, 1, 3, "refine", ex, 2, "both are there") > 0);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_final_put(e->s, 2, MLFY_FINAL_AGREED, 0, l, 2, &err), 0);
	assert_int_equal(mlfy_review_queue_put(e->s, 1, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_finalize(e->s, 1, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);

	assert_int_equal(mlfy_export_open(e->s, &c, &err), 0);
	while ((rc = mlfy_export_next(c, &row, &err)) == 1) {
		n++;
		if (n == 1) {
			assert_string_equal(row.name, "img01.jpg");
			assert_string_equal(row.stage, "refined");
			assert_string_equal(row.comment, "both are there");
			assert_int_equal(row.n_labels, 2);
		} else if (n == 2) {
			assert_string_equal(row.stage, "agreed");
			assert_int_equal(row.n_labels, 2);
			assert_int_equal(row.labels[0], 1);
			assert_int_equal(row.labels[1], 3);
			assert_int_equal(row.original_label, 1);
			assert_string_equal(row.path, "/data/img02.jpg");
		} else {
			assert_null(row.stage);
			assert_int_equal(row.n_labels, 0);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 6);
	mlfy_export_close(c);

	assert_int_equal(mlfy_review_provenance(e->s, 1, &p, &err), 0);
	assert_int_equal(p.n_ann, 3);                       /* ann1, ann2 (stage ii), exp1 (refine) */
	assert_string_equal(p.ann[0].annotator, "ann1");
	assert_string_equal(p.ann[0].comment, "only one");
	assert_string_equal(p.ann[1].annotator, "ann2");
	assert_int_equal(p.ann[1].version, 2);
	assert_int_equal(p.ann[1].n_versions, 2);
	assert_string_equal(p.ann[1].comment, "again");
	assert_int_equal(p.ann[1].n_labels, 2);
	assert_string_equal(p.ann[1].sources[1], "search");  /* class 3 is not proposed for img01 */
	assert_string_equal(p.ann[2].stage, "refine");
	assert_string_equal(p.ann[2].role, "expert");
	assert_string_equal(p.queue_rule, "paper");
	assert_null(p.queue_expert);
	assert_int_equal(p.zero.id, 0);
	mlfy_provenance_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(foreach_reads_current_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(final_update_keeps_identical_decisions, setup, teardown),
		cmocka_unit_test_setup_teardown(queue_and_even_split, setup, teardown),
		cmocka_unit_test_setup_teardown(finalize_and_zero_label_review, setup, teardown),
		cmocka_unit_test_setup_teardown(check_finds_violations, setup, teardown),
		cmocka_unit_test_setup_teardown(votes_and_aggregations, setup, teardown),
		cmocka_unit_test_setup_teardown(export_cursor_and_provenance, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

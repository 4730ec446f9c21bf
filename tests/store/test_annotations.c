/* test_annotations.c - accounts, sessions, assignment, the append-only
 * annotation history with version checks, refinement rules (a refinement
 * save finalises the image and records its zero-label review through
 * store/review.h), task lists, the task view, class search and the
 * dashboard (src/store/annotations.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/save.h"
#include "store/accounts.h"
#include "store/annotations.h"
#include "store/assign.h"
#include "store/dashboard.h"
#include "store/queue.h"
#include "store/review_stats.h"
#include "store/taskview.h"
#include "store/zero_label.h"
#include "store/final_labels.h"
#include "fixture_project.h"
#include "testutil.h"

/* A project with 10 classes, 28 images in 7 batches of 4 (the paper's 7
 * batches), top-5 proposals, 2 exemplars per class. */
static struct mlfy_store *make_project(void)
{
	static const struct fixture_spec spec = { 10, 28, 4, 5, 2, NULL, 0, NULL, 0 };
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	test_tmpfile(path, sizeof(path), "ann.mlfy");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	return s;
}

static int64_t add_user(struct mlfy_store *s, const char *name, enum mlfy_role role, const char *pw)
{
	struct mlfy_err err;
	int64_t id = 0;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, name, role, pw, &id, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return id;
}

static void users_add_list_verify(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_user *list = NULL, u;
	struct mlfy_err err;
	size_t n = 0;

	(void)state;
	add_user(s, "zoe", MLFY_ROLE_EXPERT, "correct horse");
	add_user(s, "adam", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "zoe", MLFY_ROLE_ADMIN, "whatever1", NULL, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "zoe"));
	assert_int_equal(mlfy_users_add(s, "bad name", MLFY_ROLE_ADMIN, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_add(s, "-x", MLFY_ROLE_ADMIN, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_add(s, "short", MLFY_ROLE_ADMIN, "1234567", NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
	mlfy_store_rollback(s);

	assert_int_equal(mlfy_users_list(s, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "adam");
	assert_int_equal(list[0].has_password, 0);
	assert_string_equal(list[1].name, "zoe");
	assert_int_equal(list[1].role, MLFY_ROLE_EXPERT);
	assert_int_equal(list[1].has_password, 1);
	mlfy_users_free(list, n);

	assert_int_equal(mlfy_users_verify(s, "zoe", "correct horse", &u, &err), 0);
	assert_string_equal(u.name, "zoe");
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_verify(s, "zoe", "wrong horse", &u, &err), MLFY_EPERM);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_int_equal(mlfy_users_verify(s, "nobody", "correct horse", &u, &err), MLFY_EPERM);
	assert_string_equal(err.msg, "wrong user name or password");
	/* no password set: cannot log in whatever is typed */
	assert_int_equal(mlfy_users_verify(s, "adam", "", &u, &err), MLFY_EPERM);

	/* passwd then disable */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_set_password(s, "zoe", "battery staple", &err), 0);
	assert_int_equal(mlfy_users_set_password(s, "nobody", "battery staple", &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_users_verify(s, "zoe", "correct horse", &u, &err), MLFY_EPERM);
	assert_int_equal(mlfy_users_verify(s, "zoe", "battery staple", &u, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_set_disabled(s, "zoe", 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_users_verify(s, "zoe", "battery staple", &u, &err), MLFY_EPERM);
	mlfy_store_close(s);
}

static void sessions_expire_and_end(void **state)
{
	struct mlfy_store *s = make_project();
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1], token2[MLFY_TOKEN_LEN + 1];
	struct mlfy_session ss;
	struct mlfy_err err;
	int64_t id, n = 0;

	(void)state;
	id = add_user(s, "ann", MLFY_ROLE_ANNOTATOR, "password1");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 1000, token, csrf, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 1000, token2, csrf, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(strlen(token), MLFY_TOKEN_LEN);
	assert_string_not_equal(token, token2);

	/* idle 100 s, touch every 10 s */
	assert_int_equal(mlfy_sessions_lookup(s, token, 1005, 100, 10, &ss, &err), 0);
	assert_string_equal(ss.user.name, "ann");
	assert_int_equal(ss.last_seen, 1000);    /* younger than touch_s: not rewritten */
	mlfy_session_release(&ss);
	assert_int_equal(mlfy_sessions_lookup(s, token, 1090, 100, 10, &ss, &err), 0);
	assert_int_equal(ss.last_seen, 1090);    /* touched */
	mlfy_session_release(&ss);
	/* 150 s after creation but 60 s after the last request: alive */
	assert_int_equal(mlfy_sessions_lookup(s, token, 1150, 100, 10, &ss, &err), 0);
	mlfy_session_release(&ss);
	/* token2 was idle since 1000: expired and deleted */
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1150, 100, 10, &ss, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1000, 100, 10, &ss, &err), MLFY_ENOTFOUND);
	/* malformed and unknown tokens */
	assert_int_equal(mlfy_sessions_lookup(s, "../../etc", 1150, 100, 10, &ss, &err), MLFY_ENOTFOUND);
	token2[0] = token2[0] == 'a' ? 'b' : 'a';
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1150, 100, 10, &ss, &err), MLFY_ENOTFOUND);
	/* logout */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_delete(s, token, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 2000, token, csrf, &err), 0);
	assert_int_equal(mlfy_sessions_purge(s, 2050, 100, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mlfy_sessions_purge(s, 2101, 100, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_sessions_lookup(s, token, 2101, 100, 10, &ss, &err), MLFY_ENOTFOUND);

	/* disabling an account ends its sessions */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 3000, token, csrf, &err), 0);
	assert_int_equal(mlfy_users_set_disabled(s, "ann", 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_sessions_lookup(s, token, 3001, 100, 10, &ss, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

static int count_batches_of(const struct mlfy_assign_report *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n_load; i++)
		if (!strcmp(r->load[i].annotator, name))
			return r->load[i].batches;
	return -1;
}

static void assign_balanced_and_extends(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_assign_report rep;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	const char *pair[] = { "a1", "a2" };
	const char *unknown[] = { "a1", "ghost" };
	int64_t a1;
	sqlite3 *db;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a3", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "boss", MLFY_ROLE_ADMIN, NULL);

	assert_int_equal(mlfy_assign_batches(s, 4, NULL, 0, &rep, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_assign_batches(s, 2, unknown, 2, &rep, &err), MLFY_ENOTFOUND);
	/* 7 batches x 2 = 14 slots over 3 annotators: loads 5, 5, 4 batches */
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	assert_int_equal(rep.n_batches, 7);
	assert_int_equal(rep.added, 14);
	assert_int_equal(rep.complete, 7);
	assert_int_equal(rep.n_load, 3);   /* the admin is not a default candidate */
	assert_int_equal(count_batches_of(&rep, "a1") + count_batches_of(&rep, "a2") + count_batches_of(&rep, "a3"),
			 14);
	assert_true(count_batches_of(&rep, "a1") >= 4 && count_batches_of(&rep, "a1") <= 5);
	assert_true(count_batches_of(&rep, "a3") >= 4 && count_batches_of(&rep, "a3") <= 5);
	mlfy_assign_report_release(&rep);

	/* re-running changes nothing */
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	assert_int_equal(rep.added, 0);
	mlfy_assign_report_release(&rep);

	/* a new batch 8 with 4 images: only it is assigned, to the least loaded */
	assert_int_equal(sqlite3_open(mlfy_store_path(s), &db), SQLITE_OK);
	assert_int_equal(fixture_exec(db,
		"INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at)"
		" SELECT id + 100, 'new' || id, path, original_label, 8, sha256, width, height, bytes, added_at"
		" FROM images WHERE batch = 1"), 0);
	sqlite3_close(db);
	assert_int_equal(mlfy_assign_batches(s, 2, pair, 2, &rep, &err), 0);
	assert_int_equal(rep.added, 2);
	assert_int_equal(rep.n_batches, 8);
	assert_int_equal(rep.complete, 8);
	mlfy_assign_report_release(&rep);

	/* the task list: assigned batches' images, by batch then id */
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(tl.n % 4, 0);
	assert_true(tl.n >= 20);
	assert_int_equal(tl.n_done, 0);
	for (size_t i = 1; i < tl.n; i++)
		assert_true(tl.image_ids[i] > tl.image_ids[i - 1]);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_ANNOTATE, tl.image_ids[0], &err), 0);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_ANNOTATE, 99999, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_REFINE, tl.image_ids[0], &err), MLFY_EPERM);
	mlfy_task_list_release(&tl);
	mlfy_store_close(s);
}

/* The first image of batch b that user may label. */
static int64_t first_image(struct mlfy_store *s, int64_t user)
{
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t id;
	assert_int_equal(mlfy_tasks_list(s, user, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_true(tl.n > 0);
	id = tl.image_ids[0];
	mlfy_task_list_release(&tl);
	return id;
}

static void save_versions_and_conflicts(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice labels[3] = {
		{ 3, MLFY_SOURCE_PROPOSAL }, { 1, MLFY_SOURCE_PROPOSAL }, { 7, MLFY_SOURCE_SEARCH } };
	struct mlfy_annotation_save in;
	struct mlfy_annotation cur;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t a1, a2, a3, img, v = 0, n;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	a3 = add_user(s, "a3", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);

	memset(&in, 0, sizeof(in));
	in.image_id = img;
	in.annotator_id = a1;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.labels = labels;
	in.n_labels = 3;
	in.comment = "two fish";
	in.seconds = 12.5;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 1);
	/* a second tab still based on version 0: stale */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "version 1"));
	/* an empty set ("none of these") is a decision */
	in.base_version = 1;
	in.n_labels = 0;
	in.comment = NULL;
	in.seconds = 20;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 2);
	assert_int_equal(mlfy_annotations_current(s, img, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(cur.version, 2);
	assert_int_equal(cur.n_labels, 0);
	assert_string_equal(cur.comment, "");
	assert_true(fabs(cur.seconds - 20) < 1e-9);
	mlfy_annotation_release(&cur);
	/* back to three labels; the history keeps all versions */
	in.base_version = 2;
	in.n_labels = 3;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_n_versions(s, img, a1, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(mlfy_annotations_current(s, img, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(cur.n_labels, 3);
	assert_int_equal(cur.labels[0].class_idx, 1);   /* ordered by class */
	assert_int_equal(cur.labels[2].class_idx, 7);
	assert_int_equal(cur.labels[2].source, MLFY_SOURCE_SEARCH);
	mlfy_annotation_release(&cur);

	/* not assigned: a3 may not save; bad input is refused before writing */
	in.annotator_id = a3;
	in.base_version = 0;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);
	in.annotator_id = a2;
	labels[2].class_idx = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* duplicate */
	labels[2].class_idx = 10;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* no class 10 */
	assert_non_null(strstr(err.msg, "10"));
	labels[2].class_idx = 7;
	in.seconds = NAN;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	in.seconds = 3;
	in.zl_category = "low_resolution";
	in.zl_verdict = "agree";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* stage ii */
	in.zl_category = in.zl_verdict = NULL;
	assert_int_equal(mlfy_annotations_n_versions(s, img, a2, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	assert_int_equal(n, 0);

	/* done flags */
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(tl.n, 28);
	assert_int_equal(tl.n_done, 1);
	assert_int_equal(tl.done[0], 1);
	mlfy_task_list_release(&tl);
	mlfy_store_close(s);
}

/* The final set of img as "stage:a,b,c" ("-" when undecided). */
static void final_str(struct mlfy_store *s, int64_t img, char *out, size_t n)
{
	struct mlfy_final f;
	struct mlfy_err err;
	size_t i, k;
	if (mlfy_final_get(s, img, &f, &err) != 0) {
		snprintf(out, n, "-");
		return;
	}
	k = (size_t)snprintf(out, n, "%s:", mlfy_final_stage_name(f.stage));
	for (i = 0; i < f.n && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, i ? ",%d" : "%d", f.classes[i]);
	mlfy_final_release(&f);
}

static void refinement_rules(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" }, *experts[] = { "ex" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l1[] = { { 2, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_label_choice l2[] = { { 2, MLFY_SOURCE_PROPOSAL }, { 4, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_annotation_save in;
	struct mlfy_annotation *all = NULL, cur;
	struct mlfy_review_stats rs;
	struct mlfy_review_check ck;
	struct mlfy_zero_review z;
	struct mlfy_final f;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t a1, a2, ex, img, v, *pending, nv;
	size_t n;
	char fs[128];

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	ex = add_user(s, "ex", MLFY_ROLE_EXPERT, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);
	memset(&in, 0, sizeof(in));
	in.image_id = img;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.annotator_id = a1;
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	in.annotator_id = a2;
	in.labels = l2;
	in.n_labels = 2;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	/* a stage-ii save never decides anything */
	assert_int_equal(mlfy_final_get(s, img, &f, &err), MLFY_ENOTFOUND);

	/* the expert may refine only what is queued to them */
	in.annotator_id = ex;
	in.stage = MLFY_STAGE_REFINE;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_put(s, img, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);   /* queued, not theirs yet */
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n, 0);
	mlfy_task_list_release(&tl);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_assign(s, experts, 1, NULL, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.image_ids[0], img);
	assert_int_equal(tl.n_done, 0);
	mlfy_task_list_release(&tl);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_REFINE, img, &err), MLFY_EPERM);

	/* keeping the union {2, 4} needs no comment; the save is the final set */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2,4");
	assert_int_equal(mlfy_final_get(s, img, &f, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, img, ex, MLFY_STAGE_REFINE, &cur, &err), 0);
	assert_int_equal(f.annotation_id, cur.id);
	mlfy_annotation_release(&cur);
	mlfy_final_release(&f);
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n_done, 1);
	assert_int_equal(tl.done[0], 1);
	mlfy_task_list_release(&tl);

	/* changing it to {2} needs a comment; a refused save changes nothing */
	in.base_version = 1;
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "comment"));
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2,4");
	in.comment = "the second label is a background object";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2");

	/* an empty set without a review: decided, and awaiting the review */
	in.base_version = 2;
	in.n_labels = 0;
	in.comment = "nothing in the list fits";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:");
	assert_int_equal(mlfy_review_zero_pending(s, &pending, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pending[0], img);
	free(pending);

	/* the same with the zero-label review: stored through review.h */
	in.base_version = 3;
	in.zl_category = "fine_grained";
	in.zl_verdict = "unsure";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(mlfy_review_zero_get(s, img, &z, &err), 0);
	assert_string_equal(z.category, "fine_grained");
	assert_string_equal(z.verdict, "unsure");
	assert_string_equal(z.expert, "ex");
	assert_string_equal(z.comment, "nothing in the list fits");
	mlfy_zero_review_release(&z);
	assert_int_equal(mlfy_review_zero_pending(s, &pending, &n, &err), 0);
	assert_int_equal(n, 0);
	free(pending);
	assert_int_equal(mlfy_review_stats_get(s, &rs, &err), 0);
	assert_int_equal(rs.refined, 1);
	assert_int_equal(rs.queued, 1);
	assert_int_equal(rs.queue_refined, 1);
	assert_int_equal(rs.zero_label, 1);
	assert_int_equal(rs.zero_reviewed, 1);
	assert_int_equal(rs.by_category[mlfy_zero_category_index("fine_grained")], 1);
	assert_int_equal(rs.by_verdict[mlfy_zero_verdict_index("unsure")], 1);

	/* bad zero-label fields: nothing is written */
	in.base_version = 4;
	in.zl_category = "blurry";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "zero_label.category"));
	in.zl_category = "fine_grained";
	in.zl_verdict = "maybe";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	in.zl_verdict = "agree";
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* only for an empty set */
	assert_int_equal(mlfy_annotations_n_versions(s, img, ex, MLFY_STAGE_REFINE, &nv, &err), 0);
	assert_int_equal(nv, 4);

	/* back to {2}: the final set follows; the old review stays in the history
	 * but no longer counts (the set is not empty) */
	in.zl_category = in.zl_verdict = NULL;
	in.comment = "on second look, a 2";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2");
	assert_int_equal(mlfy_review_stats_get(s, &rs, &err), 0);
	assert_int_equal(rs.zero_label, 0);
	assert_int_equal(rs.zero_reviewed, 0);

	/* the invariants of docs/schema.md ("review") hold after every save */
	assert_int_equal(mlfy_review_check(s, &ck, &err), 0);
	assert_int_equal(ck.queued_and_agreed + ck.refined_without_refinement + ck.refined_set_differs +
			 ck.refinements_not_final, 0);

	/* stage-ii sets of the image, by annotator name */
	assert_int_equal(mlfy_annotations_of_image(s, img, MLFY_STAGE_ANNOTATE, &all, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].annotator, "a1");
	assert_int_equal(all[0].n_labels, 1);
	assert_string_equal(all[1].annotator, "a2");
	assert_int_equal(all[1].n_labels, 2);
	mlfy_annotations_free(all, n);
	mlfy_store_close(s);
}

static void task_view_and_search(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_task_view tv;
	struct mlfy_view_class *c = NULL;
	struct mlfy_err err;
	int idx[] = { 7, 3, 7, 42 };
	size_t n;
	char *path;
	char sha[65];

	(void)state;
	assert_int_equal(mlfy_task_view_get(s, 3, 20, &tv, &err), 0);
	assert_string_equal(tv.name, "img00003.jpg");
	assert_int_equal(tv.original_label, 2);
	assert_int_equal(tv.batch, 1);
	assert_int_equal(tv.n_proposals, 5);
	assert_int_equal(tv.proposals[0].class_idx, 2);
	assert_int_equal(tv.proposals[4].class_idx, 6);
	assert_true(fabs(tv.proposals[1].score - 0.25) < 1e-12);
	mlfy_task_view_release(&tv);
	assert_int_equal(mlfy_task_view_get(s, 999, 20, &tv, &err), MLFY_ENOTFOUND);

	assert_int_equal(mlfy_view_classes(s, idx, 4, &c, &n, &err), 0);
	assert_int_equal(n, 2);   /* distinct known ones */
	assert_int_equal(c[0].idx, 3);
	assert_string_equal(c[1].name, "class_7");
	assert_string_equal(c[1].synonyms, "class 7, thing 7");
	assert_int_equal(c[1].n_exemplars, 2);
	mlfy_view_classes_free(c, n);

	/* "class_1" prefix matches 1 (shortest name first); '_' is literal */
	assert_int_equal(mlfy_view_search_classes(s, "CLASS_1", 5, &c, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].idx, 1);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "thing", 3, &c, &n, &err), 0);
	assert_int_equal(n, 3);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "8", 3, &c, &n, &err), 0);
	assert_true(n >= 1);
	assert_int_equal(c[0].idx, 8);
	mlfy_view_classes_free(c, n);
	assert_int_equal(mlfy_view_search_classes(s, "%", 3, &c, &n, &err), 0);
	assert_int_equal(n, 0);
	mlfy_view_classes_free(c, n);

	assert_int_equal(mlfy_view_image_file(s, 3, &path, sha, &err), 0);
	assert_string_equal(path, "/nonexistent/img00003.jpg");
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 4, 1, 0, &path, sha, &err), 0);
	free(path);
	assert_int_equal(mlfy_view_exemplar_file(s, 4, 2, 0, &path, sha, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

static void dashboard_medians(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l[] = { { 0, MLFY_SOURCE_PROPOSAL }, { 1, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_annotation_save in;
	struct mlfy_dashboard d;
	struct mlfy_err err;
	int64_t a1, v;
	size_t i;
	/* batch 1 = images 1..4; a1 labels three: 40 s / 2 labels, 10 s / 0,
	 * 20 s / 1 (the first saved twice: only the latest version counts).
	 * Median of {10, 20, 40} = 20; labels per image (2 + 0 + 1) / 3 = 1. */
	const struct { int64_t img; double sec; size_t nl; } saves[] = {
		{ 1, 5, 1 }, { 1, 40, 2 }, { 2, 10, 0 }, { 3, 20, 1 } };

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	memset(&in, 0, sizeof(in));
	in.annotator_id = a1;
	in.labels = l;
	for (i = 0; i < 4; i++) {
		in.image_id = saves[i].img;
		in.seconds = saves[i].sec;
		in.n_labels = saves[i].nl;
		in.base_version = i == 1 ? 1 : 0;
		assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	}
	assert_int_equal(mlfy_dashboard_get(s, &d, &err), 0);
	assert_int_equal(d.n_images, 28);
	assert_int_equal(d.n_rows, 14);   /* 7 batches x 2 */
	assert_int_equal(d.rows[0].batch, 1);
	assert_string_equal(d.rows[0].annotator, "a1");
	assert_int_equal(d.rows[0].assigned, 4);
	assert_int_equal(d.rows[0].done, 3);
	assert_true(fabs(d.rows[0].median_seconds - 20) < 1e-9);
	assert_true(fabs(d.rows[0].labels_per_image - 1) < 1e-9);
	assert_int_equal(d.rows[0].empty, 1);
	assert_int_equal(d.rows[1].done, 0);
	assert_int_equal(d.review.queued, 0);
	assert_int_equal(d.review.images, 28);
	assert_int_equal(d.review.undecided, 28);
	mlfy_dashboard_release(&d);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(users_add_list_verify),
		cmocka_unit_test(sessions_expire_and_end),
		cmocka_unit_test(assign_balanced_and_extends),
		cmocka_unit_test(save_versions_and_conflicts),
		cmocka_unit_test(refinement_rules),
		cmocka_unit_test(task_view_and_search),
		cmocka_unit_test(dashboard_medians),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

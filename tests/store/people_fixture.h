/* people_fixture.h - the project the people-side store tests share (a
 * header of static helpers, as tests/fixture_project.h): 10 classes, 28
 * images in 7 batches of 4 (the paper's 7 batches), top-5 proposals, 2
 * exemplars per class; and adding an account in its own transaction. */
#ifndef MLFY_TESTS_PEOPLE_FIXTURE_H
#define MLFY_TESTS_PEOPLE_FIXTURE_H

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
#include "store/final_labels.h"
#include "store/queue.h"
#include "store/review_stats.h"
#include "store/taskview.h"
#include "store/zero_label.h"
#include "fixture_project.h"
#include "testutil.h"

/* A project with 10 classes, 28 images in 7 batches of 4 (the paper's 7
 * batches), top-5 proposals, 2 exemplars per class. */
static inline struct mlfy_store *make_project(void)
{
	static const struct fixture_spec spec = { 10, 28, 4, 5, 2, NULL, 0, NULL, 0 };
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	test_project(path, sizeof(path), "ann.mlfy");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	return s;
}

static inline int64_t add_user(struct mlfy_store *s, const char *name, enum mlfy_role role, const char *pw)
{
	struct mlfy_err err;
	int64_t id = 0;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, name, role, pw, &id, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return id;
}

/* The first image of batch b that user may label. */
static inline int64_t first_image(struct mlfy_store *s, int64_t user)
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

#endif

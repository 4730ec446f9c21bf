/* test_project_report.c - the report of a project (src/report/
 * project_report.c, the call `mlfy report PROJECT` and the admin console
 * share) on the small project of tests/evaluate/project_fixture.h: the
 * files and index.html naming the project, its warnings, the formats, the
 * options refused, the project_models hook's scatter, and one read
 * snapshot: a name changed by another connection while the report is
 * being gathered does not reach it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "evaluate/coverage.h"
#include "report/plot.h"
#include "report/project_report.h"
#include "testutil.h"
#include "evaluate/project_fixture.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;
	if (!f)
		fail_msg("missing %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static void set_name(struct mlfy_store *s, const char *name)
{
	struct mlfy_err err;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "name", name, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

static char *html_of(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/index.html", dir);
	return slurp(path);
}

/* The project's parts, its name in the title, one warning (image d is
 * undecided), the formats asked for only. */
static void test_project_files(void **state)
{
	char path[4096], dir[4096];
	struct mlfy_project_report_opts o;
	struct mlfy_report_warnings w = { 0 };
	struct mlfy_store *s;
	struct mlfy_err err;
	char *html;

	(void)state;
	s = project_fixture(path, sizeof(path), 1);
	set_name(s, "Birds & <Bees>");
	test_tmpfile(dir, sizeof(dir), "report");
	mlfy_project_report_opts_init(&o);
	o.k_max = 3;
	o.formats = MLFY_FIG_SVG | MLFY_FIG_PNG;
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_report_project(s, dir, &o, &w, &err), 0);
	assert_true(exists(dir, "index.html"));
	assert_true(exists(dir, "label_counts.svg") && exists(dir, "label_counts.png"));
	assert_false(exists(dir, "label_counts.pdf"));
	assert_true(exists(dir, "proposal_coverage.svg"));
	assert_false(exists(dir, "real_vs_top1.svg"));   /* no scatter asked for */
	html = html_of(dir);
	/* named after the project (HTML-escaped), in the title and the heading */
	assert_non_null(strstr(html, "<title>multilabelfy report: Birds &amp; &lt;Bees&gt;</title>"));
	assert_non_null(strstr(html, "<h1>multilabelfy report: Birds &amp; &lt;Bees&gt;</h1>"));
	/* 4 decided images: 0 labels 1, 1 label 1, 2 labels 2; coverage 4/5 in the top-3 */
	assert_non_null(strstr(html, "<td>2</td><td>2</td><td>50.00 %</td>"));
	assert_non_null(strstr(html, "outside the top-3: 20.00 %"));
	assert_non_null(strstr(html, "Quality of human work"));
	free(html);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.msg[0], "1 image not yet decided: left out of the label counts");
	mlfy_report_warnings_release(&w);
	assert_int_equal(w.n, 0);
	assert_false(mlfy_store_in_transaction(s));

	/* a title given wins; warnings may be dropped (w NULL) */
	test_tmpfile(dir, sizeof(dir), "report-titled");
	o.title = "Given";
	o.formats = MLFY_FIG_PDF;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), 0);
	assert_true(exists(dir, "label_counts.pdf"));
	assert_false(exists(dir, "label_counts.svg"));
	html = html_of(dir);
	assert_non_null(strstr(html, "<title>Given</title>"));
	free(html);

	/* without a name: the path the store was opened with */
	set_name(s, "");
	test_tmpfile(dir, sizeof(dir), "report-unnamed");
	o.title = NULL;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), 0);
	html = html_of(dir);
	{
		char want[4200];
		snprintf(want, sizeof(want), "<title>multilabelfy report: %s</title>", path);
		assert_non_null(strstr(html, want));
	}
	free(html);
	mlfy_store_close(s);
}

static void test_refusals(void **state)
{
	char path[4096], dir[4096];
	struct mlfy_project_report_opts o;
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_model_scores sc = { 0 };

	(void)state;
	s = project_fixture(path, sizeof(path), 0);
	test_tmpfile(dir, sizeof(dir), "refused");
	mlfy_project_report_opts_init(&o);
	o.k_max = 0;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "proposals per image"));
	o.k_max = MLFY_COVERAGE_MAX_K + 1;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	o.k_max = 3;
	o.formats = 0;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "formats"));
	o.formats = 8;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	o.formats = MLFY_FIG_SVG;
	o.outlier_t = 0;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	o.outlier_t = NAN;
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	o.outlier_t = 2;
	o.scores = &sc;   /* points without a fit */
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	o.scores = NULL;
	o.model = "no-such-model";
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_ENOTFOUND);
	o.model = NULL;
	/* inside a transaction: no snapshot of its own */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_report_project(s, dir, &o, NULL, &err), MLFY_EINVAL);
	mlfy_store_rollback(s);
	/* nothing was written by any of these */
	assert_false(exists(dir, "index.html"));
	/* and the handle is left without a snapshot: a write works */
	set_name(s, "ok");
	mlfy_store_close(s);
}

/* The hook: writes through another connection while the report is being
 * gathered (the name, read after it) and gives three models' points. */
struct hook_ctx {
	const char *path;
	int calls;
};

static int models_hook(struct mlfy_store *s, void *ctx, struct mlfy_model_scores *scores, struct mlfy_linfit *fit,
		       struct mlfy_report_warnings *w, struct mlfy_err *err)
{
	struct hook_ctx *h = ctx;
	static const char *names[3] = { "m1", "m2", "m3" };
	static const double top1[3] = { 70, 75, 80 }, real[3] = { 77, 82, 86 };
	struct mlfy_store *other = NULL;
	size_t i;

	h->calls++;
	assert_true(s != NULL);
	assert_int_equal(mlfy_store_open(h->path, 0, &other, err), 0);
	set_name(other, "Renamed meanwhile");
	mlfy_store_close(other);
	scores->n = 3;
	scores->model = calloc(3, sizeof(char *));
	scores->top1 = malloc(3 * sizeof(double));
	scores->real = malloc(3 * sizeof(double));
	assert_true(scores->model && scores->top1 && scores->real);
	for (i = 0; i < 3; i++) {
		scores->model[i] = strdup(names[i]);
		scores->top1[i] = top1[i];
		scores->real[i] = real[i];
	}
	scores->source = strdup("imported models");
	assert_int_equal(mlfy_linfit(scores->top1, scores->real, 3, fit, err), 0);
	return mlfy_report_warn(w, err, "hook warning %d", 7);
}

static void test_snapshot_and_hook(void **state)
{
	char path[4096], dir[4096];
	struct mlfy_project_report_opts o;
	struct mlfy_report_warnings w = { 0 };
	struct hook_ctx h = { 0 };
	struct mlfy_store *s;
	struct mlfy_err err;
	char *html, *v = NULL;

	(void)state;
	s = project_fixture(path, sizeof(path), 0);
	set_name(s, "Before");
	h.path = path;
	test_tmpfile(dir, sizeof(dir), "snapshot");
	mlfy_project_report_opts_init(&o);
	o.formats = MLFY_FIG_SVG;
	o.project_models = models_hook;
	o.project_models_ctx = &h;
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_report_project(s, dir, &o, &w, &err), 0);
	assert_int_equal(h.calls, 1);
	html = html_of(dir);
	/* the name was read after the other connection's commit, in the snapshot */
	assert_non_null(strstr(html, "<title>multilabelfy report: Before</title>"));
	assert_null(strstr(html, "Renamed meanwhile"));
	/* the hook's points became the scatter */
	assert_true(exists(dir, "real_vs_top1.svg"));
	assert_non_null(strstr(html, "<h2>ReaL accuracy vs top-1 accuracy</h2>"));
	assert_non_null(strstr(html, "<p>Source: imported models"));
	free(html);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.msg[1], "hook warning 7");
	mlfy_report_warnings_release(&w);
	/* after the report the handle sees the commit */
	assert_int_equal(mlfy_store_meta_get(s, "name", &v, &err), 0);
	assert_string_equal(v, "Renamed meanwhile");
	free(v);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_files),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_snapshot_and_hook),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mlfy_plot_shutdown();
	return rc;
}

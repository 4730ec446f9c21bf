/* project_report.c - the report of a project in one read snapshot
 * (project_report.h): gathers the project's parts and hands them to
 * mlfy_report_write.  The figures and the HTML are report.c's; the numbers
 * are evaluate's and review's. */
#include "report/project_report.h"
#include "evaluate/live.h"
#include "evaluate/coverage.h"
#include "evaluate/project_stats.h"
#include "report/plot.h"
#include "report/report.h"
#include "review/anchoring.h"
#include "review/quality.h"
#include "store/zero_label.h"
#include "util/vec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mlfy_report_warn(struct mlfy_report_warnings *w, struct mlfy_err *err, const char *fmt, ...)
{
	va_list ap;
	char *m;
	int n;

	if (!w)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (n < 0)
		return mlfy_err_oom(err);
	if (MLFY_GROW(w->msg, w->cap, w->n + 1)) {
		free(m);
		return mlfy_err_oom(err);
	}
	w->msg[w->n++] = m;
	return 0;
}

void mlfy_report_warnings_release(struct mlfy_report_warnings *w)
{
	size_t i;
	if (!w)
		return;
	for (i = 0; i < w->n; i++)
		free(w->msg[i]);
	free(w->msg);
	memset(w, 0, sizeof(*w));
}

int mlfy_report_live_models(struct mlfy_store *s, void *ctx, struct mlfy_model_scores *scores,
			    struct mlfy_linfit *fit, struct mlfy_report_warnings *w, struct mlfy_err *err)
{
	struct mlfy_live *lv = NULL;
	struct mlfy_err ferr;
	size_t n_models;
	int rc;

	(void)ctx;
	if ((rc = mlfy_live_open(s, &lv, err)))
		return rc;
	n_models = mlfy_live_view(lv)->results.n_models;
	mlfy_err_clear(&ferr);
	rc = mlfy_live_scores(mlfy_live_view(lv), scores, fit, &ferr);
	mlfy_live_free(lv);
	if (rc == MLFY_ENOTFOUND)   /* no figure: said when there were models enough to expect one */
		return n_models >= 3 ? mlfy_report_warn(w, err, "no ReaL vs top-1 figure of the project's models: %s",
							  ferr.msg)
				     : 0;
	if (rc)
		return mlfy_err_set(err, rc, "%s", ferr.msg);
	free(scores->source);
	if (!(scores->source = strdup("the project's imported models (rank-0 proposal) against its final labels so far"))) {
		mlfy_model_scores_release(scores);
		mlfy_linfit_release(fit);
		return mlfy_err_oom(err);
	}
	return 0;
}

void mlfy_project_report_opts_init(struct mlfy_project_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->k_max = 20;
	o->formats = MLFY_FIG_ALL;
	o->outlier_t = 2;
	o->project_models = mlfy_report_live_models;
}

static int opts_check(const struct mlfy_project_report_opts *o, struct mlfy_err *err)
{
	if (o->k_max < 1 || o->k_max > MLFY_COVERAGE_MAX_K)
		return mlfy_err_set(err, MLFY_EINVAL, "proposals per image: %d is not in 1..%d", o->k_max,
				    MLFY_COVERAGE_MAX_K);
	if (!o->formats || (o->formats & ~MLFY_FIG_ALL))
		return mlfy_err_set(err, MLFY_EINVAL, "formats: expected a non-empty set of svg, png, pdf");
	if (!(o->outlier_t > 0) || !isfinite(o->outlier_t))
		return mlfy_err_set(err, MLFY_EINVAL, "outlier threshold: %g is not a positive number", o->outlier_t);
	if (!o->scores != !o->fit)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: scatter points without their fit");
	return 0;
}

/* Everything read from the project, inside the snapshot. */
struct gathered {
	struct mlfy_project_stats ps;
	struct mlfy_quality q;
	struct mlfy_anchoring anch;
	int have_quality;
	struct mlfy_model_scores scores;   /* the project_models hook's */
	struct mlfy_linfit fit;
	char *title;                       /* "multilabelfy report: NAME" when no title was given */
};

static void gathered_release(struct gathered *g)
{
	if (g->have_quality)
		mlfy_quality_release(&g->q);
	mlfy_project_stats_release(&g->ps);
	mlfy_model_scores_release(&g->scores);
	mlfy_linfit_release(&g->fit);
	free(g->title);
}

/* The quality of human work and the anchoring arms, as `mlfy quality`
 * computes them; a failure leaves them out with a warning. */
static int gather_quality(struct mlfy_store *s, struct gathered *g, struct mlfy_report_warnings *w,
			  struct mlfy_err *err)
{
	struct mlfy_err qerr;

	mlfy_err_clear(&qerr);
	if (mlfy_quality_compute(s, NULL, &g->q, &qerr))
		return mlfy_report_warn(w, err, "quality of human work left out: %s", qerr.msg);
	if (mlfy_anchoring_compute(s, &g->anch, &qerr)) {
		mlfy_quality_release(&g->q);
		return mlfy_report_warn(w, err, "quality of human work left out: %s", qerr.msg);
	}
	g->have_quality = 1;
	return 0;
}

static int gather(struct mlfy_store *s, const struct mlfy_project_report_opts *o, struct gathered *g,
		  struct mlfy_report_warnings *w, struct mlfy_err *err)
{
	const struct mlfy_project_stats *ps = &g->ps;
	int rc;

	mlfy_label_counts_init(&g->ps.counts);
	if ((rc = mlfy_project_stats_get(s, o->model, o->k_max, &g->ps, err)))
		return rc;
	if (ps->undecided &&
	    (rc = mlfy_report_warn(w, err, "%lld image%s not yet decided: left out of the label counts",
				   (long long)ps->undecided, ps->undecided == 1 ? "" : "s")))
		return rc;
	if (ps->coverage && ps->coverage->n_no_proposals &&
	    (rc = mlfy_report_warn(w, err, "%zu decided image%s without proposals from '%s'",
				   ps->coverage->n_no_proposals, ps->coverage->n_no_proposals == 1 ? "" : "s",
				   ps->coverage_model)))
		return rc;
	if (!o->scores && o->project_models &&
	    (rc = o->project_models(s, o->project_models_ctx, &g->scores, &g->fit, w, err)))
		return rc;
	if ((rc = gather_quality(s, g, w, err)))
		return rc;
	if (!o->title) {
		/* the project's name (mlfy init --name), else the file's */
		char *pname = NULL;
		struct mlfy_err nerr;
		if (mlfy_store_meta_get(s, "name", &pname, &nerr) == 0 && pname && !*pname) {
			free(pname);
			pname = NULL;
		}
		rc = asprintf(&g->title, "multilabelfy report: %s", pname ? pname : mlfy_store_path(s));
		free(pname);
		if (rc < 0) {
			g->title = NULL;
			return mlfy_err_oom(err);
		}
	}
	return 0;
}

int mlfy_report_project(struct mlfy_store *s, const char *dir, const struct mlfy_project_report_opts *o,
			struct mlfy_report_warnings *w, struct mlfy_err *err)
{
	struct gathered g;
	struct mlfy_report_input in;
	const struct mlfy_project_stats *ps = &g.ps;
	int rc;

	memset(&g, 0, sizeof(g));
	if ((rc = opts_check(o, err)))
		return rc;
	if ((rc = mlfy_store_begin_read(s, err)))
		return rc;
	rc = gather(s, o, &g, w, err);
	mlfy_store_end_read(s);
	if (rc) {
		gathered_release(&g);
		return rc;
	}
	in = (struct mlfy_report_input){
		.title = o->title ? o->title : g.title,
		.counts = ps->counts.n_images ? &ps->counts : NULL,
		.counts_source = mlfy_store_path(s),
		.results = o->results && o->results->n_models ? o->results : NULL,
		.scores = o->scores ? o->scores : g.fit.n ? &g.scores : NULL,
		.fit = o->scores ? o->fit : g.fit.n ? &g.fit : NULL,
		.outlier_t = o->outlier_t,
		.coverage = ps->coverage,
		.coverage_model = ps->coverage_model,
		/* the zero-label review, when an expert reviewed any empty-set image */
		.n_zero = ps->review.zero_reviewed ? MLFY_ZERO_N_CATEGORIES : 0,
		.zero_counts = ps->review.by_category,
		.zero_pending = ps->review.zero_label - ps->review.zero_reviewed,
		.n_verdicts = ps->review.zero_reviewed ? MLFY_ZERO_N_VERDICTS : 0,
		.verdict_counts = ps->review.by_verdict,
		.quality = g.have_quality ? &g.q : NULL,
		.anchoring = g.have_quality ? &g.anch : NULL,
		.formats = o->formats,
	};
	rc = mlfy_report_write(dir, &in, err);
	gathered_release(&g);
	return rc;
}

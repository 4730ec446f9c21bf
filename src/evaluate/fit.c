/* fit.c - least-squares line with diagnostics (see fit.h).  GSL computes the
 * coefficients and their covariance; this file adds R^2, leverages and the
 * externally studentized residuals.  Owns nothing beyond the result arrays. */
#include "evaluate/fit.h"
#include "util/vec.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void mlfy_linfit_release(struct mlfy_linfit *f)
{
	if (!f)
		return;
	MLFY_FREE_ALL(f->residual, f->leverage, f->studentized);
	memset(f, 0, sizeof(*f));
}

int mlfy_linfit(const double *x, const double *y, size_t n, struct mlfy_linfit *out,
		struct mlfy_err *err)
{
	double c0, c1, cov00, cov01, cov11, sumsq;
	double xbar = 0, ybar = 0, sxx = 0, syy = 0;
	gsl_error_handler_t *old;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n < 3)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "a line fit needs at least 3 points (got %zu)", n);
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return mlfy_err_set(err, MLFY_EINVAL,
					    "point %zu: non-finite coordinate (%g, %g)", i + 1,
					    x[i], y[i]);
		xbar += x[i];
		ybar += y[i];
	}
	xbar /= (double)n;
	ybar /= (double)n;
	for (i = 0; i < n; i++) {
		sxx += (x[i] - xbar) * (x[i] - xbar);
		syy += (y[i] - ybar) * (y[i] - ybar);
	}
	if (!(sxx > 0))
		return mlfy_err_set(err, MLFY_EINVAL,
				    "all %zu points have the same x (%g): the slope is undefined",
				    n, x[0]);

	/* GSL's default handler aborts; report its status code instead. */
	old = gsl_set_error_handler_off();
	rc = gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
	gsl_set_error_handler(old);
	if (rc != GSL_SUCCESS)
		return mlfy_err_set(err, MLFY_EINVAL, "gsl_fit_linear: %s", gsl_strerror(rc));

	out->residual = malloc(n * sizeof(double));
	out->leverage = malloc(n * sizeof(double));
	out->studentized = malloc(n * sizeof(double));
	if (!out->residual || !out->leverage || !out->studentized) {
		mlfy_linfit_release(out);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory for %zu fit points", n);
	}
	out->n = n;
	out->slope = c1;
	out->intercept = c0;
	out->cov = cov01;
	out->se_slope = sqrt(cov11);
	out->se_intercept = sqrt(cov00);
	out->ss_tot = syy;

	/* Residuals recomputed here (rather than GSL's sumsq) so that SSres and
	 * the e_i used for t_i are the same numbers. */
	out->ss_res = 0;
	for (i = 0; i < n; i++) {
		double e = y[i] - (c0 + c1 * x[i]);
		out->residual[i] = e;
		out->leverage[i] = 1.0 / (double)n + (x[i] - xbar) * (x[i] - xbar) / sxx;
		out->ss_res += e * e;
	}
	out->resid_sd = sqrt(out->ss_res / (double)(n - 2));
	out->r2 = syy > 0 ? 1.0 - out->ss_res / syy : 1.0;

	for (i = 0; i < n; i++) {
		double e = out->residual[i], h = out->leverage[i];
		double s2;
		if (n < 4) {
			out->studentized[i] = NAN;
			continue;
		}
		/* s_(i)^2 = (SSres - e_i^2 / (1 - h_ii)) / (n - 3); h_ii < 1 since Sxx > 0
		 * and n >= 3.  Round-off can push it slightly below 0 when the other
		 * points are collinear: treat |s_(i)^2| below eps * SSres as 0. */
		s2 = (out->ss_res - e * e / (1.0 - h)) / (double)(n - 3);
		if (e == 0)
			out->studentized[i] = 0;
		else if (s2 <= 1e-12 * (out->ss_res / (double)(n - 3)))
			out->studentized[i] = copysign(INFINITY, e);
		else
			out->studentized[i] = e / (sqrt(s2) * sqrt(1.0 - h));
	}
	return 0;
}

struct outlier_key {
	size_t i;
	double a;
};

static int by_abs_desc(const void *pa, const void *pb)
{
	const struct outlier_key *a = pa, *b = pb;
	if (a->a != b->a)
		return a->a < b->a ? 1 : -1;
	return a->i < b->i ? -1 : a->i > b->i;
}

size_t mlfy_linfit_outliers(const struct mlfy_linfit *f, double threshold, size_t *idx,
			    size_t cap)
{
	struct outlier_key *k;
	size_t i, m = 0;

	for (i = 0; i < f->n; i++)
		if (fabs(f->studentized[i]) > threshold)
			m++;
	if (!cap || !m)
		return m;
	k = malloc(m * sizeof(*k));
	if (!k) {
		/* Without scratch memory fall back to input order. */
		size_t j = 0;
		for (i = 0; i < f->n && j < cap; i++)
			if (fabs(f->studentized[i]) > threshold)
				idx[j++] = i;
		return m;
	}
	m = 0;
	for (i = 0; i < f->n; i++)
		if (fabs(f->studentized[i]) > threshold)
			k[m++] = (struct outlier_key){ i, fabs(f->studentized[i]) };
	qsort(k, m, sizeof(*k), by_abs_desc);
	for (i = 0; i < m && i < cap; i++)
		idx[i] = k[i].i;
	free(k);
	return m;
}

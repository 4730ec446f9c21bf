/* fit.h - ordinary least-squares line y = intercept + slope * x with the
 * diagnostics the paper reports for its ReaL-vs-top-1 figure: standard
 * errors, R^2 and externally studentized residuals (outliers |t| > 2).
 *
 * The fit itself is GSL's gsl_fit_linear (unweighted least squares); this
 * file adds the regression diagnostics, computed from the textbook formulas
 * quoted with each field below.  Pure computation: no I/O.
 */
#ifndef MLFY_EVALUATE_FIT_H
#define MLFY_EVALUATE_FIT_H

#include <stddef.h>
#include "util/error.h"

/* Result of mlfy_linfit().  Scalars are in the units of y (slope: y per x).
 * The three arrays have n entries in the input order and are owned by the
 * struct (mlfy_linfit_release frees them). */
struct mlfy_linfit {
	size_t n;             /* number of points (>= 3) */
	double slope;         /* c1 of gsl_fit_linear */
	double intercept;     /* c0 of gsl_fit_linear */
	double se_slope;      /* sqrt(cov11) = s / sqrt(Sxx) */
	double se_intercept;  /* sqrt(cov00) = s * sqrt(1/n + xbar^2 / Sxx) */
	double cov;           /* cov01: covariance of intercept and slope */
	double resid_sd;      /* s = sqrt(SSres / (n - 2)), the residual standard deviation */
	double ss_res;        /* sum of squared residuals (GSL's sumsq) */
	double ss_tot;        /* sum of (y_i - ybar)^2 */
	double r2;            /* coefficient of determination 1 - SSres / SStot
			       * (equals the squared Pearson correlation for a line with intercept);
			       * 1 when SStot = 0 and SSres = 0 */
	double *residual;     /* [n] e_i = y_i - (intercept + slope * x_i) */
	double *leverage;     /* [n] h_ii = 1/n + (x_i - xbar)^2 / Sxx */
	double *studentized;  /* [n] externally studentized residual t_i (see below) */
};

/* Fits y = intercept + slope * x to n points (x[i], y[i]), arrays borrowed,
 * read with stride 1.  Fills *out (release with mlfy_linfit_release).
 *
 * Externally studentized residuals (a.k.a. "deleted" or "R-student"
 * residuals; Belsley, Kuh & Welsch 1980, "Regression Diagnostics", eq. 2.26;
 * Cook & Weisberg 1982, "Residuals and Influence in Regression", sec. 2.2;
 * what R's rstudent() returns):
 *     t_i = e_i / (s_(i) * sqrt(1 - h_ii)),
 *     s_(i)^2 = (SSres - e_i^2 / (1 - h_ii)) / (n - p - 1),   p = 2,
 * i.e. the residual scaled by the residual standard deviation of the fit
 * without point i.  t_i follows Student's t with n - p - 1 degrees of freedom
 * under the model, so |t_i| > 2 flags an outlier at roughly the 5 % level.
 * t_i is 0 when e_i = 0, and +-INFINITY when the other points lie exactly on
 * a line (s_(i) = 0) but point i does not.  Needs n >= 4 for s_(i); with
 * n == 3 every t_i is NAN.
 *
 * Errors (MLFY_EINVAL, message naming the point): n < 3, a non-finite
 * coordinate, all x equal (the slope is undefined).  MLFY_ENOMEM. */
int mlfy_linfit(const double *x, const double *y, size_t n, struct mlfy_linfit *out,
		struct mlfy_err *err);

/* Frees the arrays of f and zeroes it; accepts a zeroed struct and NULL. */
void mlfy_linfit_release(struct mlfy_linfit *f);

/* Writes to idx[0..cap) the indices i with |studentized[i]| > threshold
 * (NAN never qualifies), ordered by decreasing |t_i|, and returns how many
 * there are in total (may exceed cap; idx may be NULL when cap is 0). */
size_t mlfy_linfit_outliers(const struct mlfy_linfit *f, double threshold, size_t *idx,
			    size_t cap);

#endif

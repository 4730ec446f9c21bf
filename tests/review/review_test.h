/* review_test.h - helpers shared by the tests of src/review (header-only).
 * Include after <cmocka.h>. */
#ifndef MLFY_TESTS_REVIEW_H
#define MLFY_TESTS_REVIEW_H

#include <math.h>

/* Fails the test unless |a - b| <= tol (cmocka 1.1 only compares floats). */
#define assert_close(a, b, tol) do { \
	double a_ = (a), b_ = (b), t_ = (tol); \
	if (!(fabs(a_ - b_) <= t_)) \
		fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, t_); \
} while (0)

#endif

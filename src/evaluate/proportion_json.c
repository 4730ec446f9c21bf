/* proportion_json.c - proportions as JSON (proportion_json.h). */
#include "evaluate/proportion_json.h"

#include <math.h>

json_t *mlfy_real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *mlfy_proportion_json(const struct mlfy_proportion *p)
{
	json_t *o = json_pack("{s:I, s:I}", "k", (json_int_t)p->k, "n", (json_int_t)p->n);
	if (!o)
		return NULL;
	json_object_set_new(o, "p", p->n ? mlfy_real_or_null(p->p) : json_null());
	json_object_set_new(o, "ci_low", p->n ? mlfy_real_or_null(p->lo) : json_null());
	json_object_set_new(o, "ci_high", p->n ? mlfy_real_or_null(p->hi) : json_null());
	return o;
}

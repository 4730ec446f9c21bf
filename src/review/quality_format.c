/* quality_format.c - `mlfy quality` as text and JSON (quality_format.h). */
#include "review/quality_format.h"

#include <math.h>
#include <string.h>

#include "evaluate/proportion_json.h"
#include "store/flags.h"
#include "util/numfmt.h"

static const char *const flag_names[3] = { "low_accuracy", "speeder", "rubber_stamper" };

const char *mlfy_quality_flag_name(int i)
{
	return i >= 0 && i < 3 ? flag_names[i] : "?";
}

json_t *mlfy_set_scores_json(const struct mlfy_set_scores *s)
{
	return json_pack("{sIsososos{sososo}}", "n", (json_int_t)s->exact.n, "exact", mlfy_proportion_json(&s->exact),
			 "sensitivity", mlfy_proportion_json(&s->sensitivity), "precision",
			 mlfy_proportion_json(&s->precision), "jaccard", "mean", mlfy_real_or_null(s->jaccard), "ci_low",
			 mlfy_real_or_null(s->jaccard_lo), "ci_high", mlfy_real_or_null(s->jaccard_hi));
}

static json_t *person_json(const struct mlfy_person_quality *p)
{
	json_t *o, *reasons = json_object(), *tags = json_object(), *fl = json_array();
	int i;

	for (i = 0; i < MLFY_N_UNSURE; i++)
		json_object_set_new(reasons, mlfy_unsure_name(i), json_integer((json_int_t)p->unsure_reasons[i]));
	for (i = 0; i < MLFY_N_TAGS; i++)
		json_object_set_new(tags, mlfy_tag_name(i), json_integer((json_int_t)p->tags[i]));
	for (i = 0; i < 3; i++)
		if (p->flags & (1u << i))
			json_array_append_new(fl, json_pack("{ssss}", "flag", flag_names[i], "reason", p->reason[i]));
	o = json_pack("{sssssbsIsIsIsoso}", "name", p->name, "role", p->role, "disabled", p->disabled,
		      "answers", (json_int_t)p->answers,
		      "gold_tasks", (json_int_t)p->gold_tasks, "refinements", (json_int_t)p->refinements, "gold",
		      mlfy_set_scores_json(&p->gold), "final", mlfy_set_scores_json(&p->final));
	json_object_set_new(o, "dawid_skene",
			    p->ds ? json_pack("{soso}", "sensitivity", mlfy_proportion_json(&p->ds_sensitivity),
					      "specificity", mlfy_proportion_json(&p->ds_specificity))
				  : json_null());
	json_object_set_new(o, "behaviour",
			    json_pack("{sosososososo}", "top1_only", mlfy_proportion_json(&p->top1_only), "search_share",
				      mlfy_proportion_json(&p->search_share), "none_rate",
				      mlfy_proportion_json(&p->none_rate), "unsure_rate",
				      mlfy_proportion_json(&p->unsure_rate), "unsure_reasons", reasons, "tags", tags));
	json_object_set_new(o, "time",
			    json_pack("{sIsososososIsIsososs?}", "n", (json_int_t)p->time.n, "median_seconds",
				      mlfy_real_or_null(p->time.median), "q1_seconds", mlfy_real_or_null(p->time.q1),
				      "q3_seconds", mlfy_real_or_null(p->time.q3), "images_per_hour",
				      mlfy_real_or_null(p->time.per_hour), "queue_total", (json_int_t)p->time.queue_total,
				      "queue_done", (json_int_t)p->time.queue_done, "pace_per_day",
				      mlfy_real_or_null(p->time.pace_per_day), "remaining_hours",
				      mlfy_real_or_null(p->time.remaining_hours), "projected_finish",
				      p->time.eta[0] ? p->time.eta : NULL));
	json_object_set_new(json_object_get(o, "time"), "last_answer",
			    p->time.last_answer[0] ? json_string(p->time.last_answer) : json_null());
	json_object_set_new(json_object_get(o, "time"), "stalled", json_boolean(p->time.stalled));
	json_object_set_new(o, "flags", fl);
	return o;
}

static json_t *arm_json(const struct mlfy_arm_stats *a)
{
	return json_pack("{sIsososososos{sosososo}}", "n", (json_int_t)a->n, "kept", mlfy_proportion_json(&a->kept),
			 "added", mlfy_proportion_json(&a->added), "removed", mlfy_proportion_json(&a->removed),
			 "gold_exact", mlfy_proportion_json(&a->gold_exact), "planted_accepted",
			 mlfy_proportion_json(&a->planted_accepted), "seconds", "median",
			 mlfy_real_or_null(a->median_seconds), "mean", mlfy_real_or_null(a->mean_seconds), "ci_low",
			 mlfy_real_or_null(a->seconds_lo), "ci_high", mlfy_real_or_null(a->seconds_hi));
}

json_t *mlfy_quality_json(const struct mlfy_quality *q, const struct mlfy_anchoring *anch)
{
	json_t *o, *people = json_array();
	size_t i;

	for (i = 0; i < q->n_people; i++)
		json_array_append_new(people, person_json(&q->people[i]));
	o = json_pack("{sos{sosIsIsoss?s{sIsIsb}}so}", "min_accuracy", mlfy_real_or_null(q->min_accuracy), "team",
		      "median_seconds", mlfy_real_or_null(q->team_median_seconds), "stage_remaining",
		      (json_int_t)q->stage_remaining, "stage_remaining_disabled", (json_int_t)q->stage_disabled, "top1_only", mlfy_proportion_json(&q->team_top1_only),
		      "projected_finish", q->stage_eta[0] ? q->stage_eta : NULL, "dawid_skene",
		      "questions", (json_int_t)q->ds_questions, "iterations", (json_int_t)q->ds_iterations,
		      "converged", q->ds_converged, "annotators", people);
	if (o && anch)
		json_object_set_new(
			o, "anchoring",
			json_pack("{s{soso}s{sososososo}}", "arms", "shown", arm_json(&anch->arm[0]), "blind",
				  arm_json(&anch->arm[1]), "p_values", "kept", mlfy_real_or_null(anch->p_kept), "added",
				  mlfy_real_or_null(anch->p_added), "removed", mlfy_real_or_null(anch->p_removed),
				  "gold_exact", mlfy_real_or_null(anch->p_gold_exact), "seconds",
				  mlfy_real_or_null(anch->p_seconds)));
	return o;
}

/* "0.912 [0.871, 0.941]" or "-" (quality_format.h) */
static const char *pci(char *buf, size_t n, const struct mlfy_proportion *p)
{
	if (!p->n)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f [%.3f, %.3f]", p->p, p->lo, p->hi);
	return buf;
}

const char *mlfy_quality_pci(char *buf, size_t n, const struct mlfy_proportion *p)
{
	return pci(buf, n, p);
}

/* "12.5%" or "-" (n = 0) */
static const char *pct(char *buf, size_t n, const struct mlfy_proportion *p)
{
	if (!p->n)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", 100 * p->p);
	return buf;
}

static void print_anchoring(FILE *f, const struct mlfy_anchoring *a)
{
	static const char *const rows[] = { "stage-ii labels kept", "images with labels added",
					    "images with labels removed", "exact agreement with gold",
					    "planted wrong labels accepted" };
	char b0[64], b1[64], pv[32];
	int r;

	fprintf(f, "\nanchoring experiment: shown (pre-checked) n = %zu, blind n = %zu\n", a->arm[0].n, a->arm[1].n);
	fprintf(f, "  %-30s %-24s %-24s %s\n", "", "shown", "blind", "p (two-proportion z)");
	for (r = 0; r < 5; r++) {
		const struct mlfy_proportion *x, *y;
		double p;
		switch (r) {
		case 0: x = &a->arm[0].kept; y = &a->arm[1].kept; p = a->p_kept; break;
		case 1: x = &a->arm[0].added; y = &a->arm[1].added; p = a->p_added; break;
		case 2: x = &a->arm[0].removed; y = &a->arm[1].removed; p = a->p_removed; break;
		case 3: x = &a->arm[0].gold_exact; y = &a->arm[1].gold_exact; p = a->p_gold_exact; break;
		default: x = &a->arm[0].planted_accepted; y = &a->arm[1].planted_accepted; p = NAN; break;
		}
		fprintf(f, "  %-30s %-24s %-24s %s\n", rows[r], pci(b0, sizeof(b0), x), pci(b1, sizeof(b1), y),
			mlfy_fmt_real(pv, sizeof(pv), p, 4));
	}
	snprintf(b0, sizeof(b0), "%.1f [%.1f, %.1f]", a->arm[0].mean_seconds, a->arm[0].seconds_lo,
		 a->arm[0].seconds_hi);
	snprintf(b1, sizeof(b1), "%.1f [%.1f, %.1f]", a->arm[1].mean_seconds, a->arm[1].seconds_lo,
		 a->arm[1].seconds_hi);
	fprintf(f, "  %-30s %-24s %-24s %s (Welch z)\n", "mean seconds per image", a->arm[0].n ? b0 : "-",
		a->arm[1].n ? b1 : "-", mlfy_fmt_real(pv, sizeof(pv), a->p_seconds, 4));
}

int mlfy_quality_print(FILE *f, const struct mlfy_quality *q, const struct mlfy_anchoring *anch)
{
	char a[64], b[64], c[64], d[64], e[64];
	size_t i;
	int k, any = 0;

	fprintf(f, "accuracy per person (95%% Wilson intervals; unsure answers not scored)\n");
	fprintf(f, "%-16s %-9s %5s %-22s %-22s %5s %-22s %-22s %-22s\n", "NAME", "ROLE", "GOLD", "gold exact",
		"gold sensitivity", "FINAL", "final exact", "DS sensitivity", "DS specificity");
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		fprintf(f, "%-16s %-9s %5zu %-22s %-22s %5zu %-22s %-22s %-22s\n", p->name, p->role, p->gold.exact.n,
			pci(a, sizeof(a), &p->gold.exact), pci(b, sizeof(b), &p->gold.sensitivity), p->final.exact.n,
			pci(c, sizeof(c), &p->final.exact), p->ds ? pci(d, sizeof(d), &p->ds_sensitivity) : "-",
			p->ds ? pci(e, sizeof(e), &p->ds_specificity) : "-");
	}
	fprintf(f, "\nbehaviour and time (team: top-1 alone %s, median %s s per image)\n",
		pci(a, sizeof(a), &q->team_top1_only), mlfy_fmt_real(b, sizeof(b), q->team_median_seconds, 1));
	fprintf(f, "%-16s %6s %-22s %7s %7s %7s %14s %8s %11s  %s\n", "NAME", "ANSWERS", "top-1 alone", "search",
		"none", "unsure", "s/image (IQR)", "img/h", "queue", "projected finish");
	for (i = 0; i < q->n_people; i++) {
		const struct mlfy_person_quality *p = &q->people[i];
		char iqr[48], s1[16], s2[16], s3[16], qd[32];
		snprintf(iqr, sizeof(iqr), "%s (%s-%s)", mlfy_fmt_real(s1, sizeof(s1), p->time.median, 1),
			 mlfy_fmt_real(s2, sizeof(s2), p->time.q1, 0), mlfy_fmt_real(s3, sizeof(s3), p->time.q3, 0));
		snprintf(qd, sizeof(qd), "%lld/%lld", (long long)p->time.queue_done, (long long)p->time.queue_total);
		fprintf(f, "%-16s %6zu %-22s %7s %7s %7s %14s %8s %11s  %s\n", p->name, p->answers + p->refinements,
			pci(a, sizeof(a), &p->top1_only), pct(s1, sizeof(s1), &p->search_share),
			pct(s2, sizeof(s2), &p->none_rate), pct(s3, sizeof(s3), &p->unsure_rate), iqr,
			mlfy_fmt_real(b, sizeof(b), p->time.per_hour, 0), qd,
			p->time.eta[0] ? p->time.eta : p->disabled ? "never (account disabled)" : "unknown");
		if (p->time.stalled)
			fprintf(f, "%-16s stalled: %s%s (no save for %g h with tasks left)\n", "",
				p->time.last_answer[0] ? "last save " : "not started",
				p->time.last_answer, q->stall_hours);
	}
	if (!q->stage_remaining && !q->stage_eta[0])
		fprintf(f, "stage ii: no tasks assigned yet (mlfy assign)\n");
	else
		fprintf(f, "stage ii: %lld tasks left, projected finish %s\n", (long long)q->stage_remaining,
			q->stage_eta[0] ? q->stage_eta
			: q->stage_disabled ? "unknown (disabled accounts hold open tasks: reassign them)"
					    : "unknown (a queue has no pace yet)");
	if (q->ds_questions)
		fprintf(f, "Dawid-Skene: %zu questions, %d iterations, %s\n", q->ds_questions, q->ds_iterations,
			q->ds_converged ? "converged" : "not converged (the estimates are the last iteration's)");
	fprintf(f, "\nflags (min accuracy %.2f)\n", q->min_accuracy);
	for (i = 0; i < q->n_people; i++)
		for (k = 0; k < 3; k++)
			if (q->people[i].flags & (1u << k)) {
				fprintf(f, "  %-16s %-15s %s\n", q->people[i].name, flag_names[k], q->people[i].reason[k]);
				any = 1;
			}
	if (!any)
		fprintf(f, "  none\n");
	if (anch)
		print_anchoring(f, anch);
	return ferror(f) ? MLFY_EIO : 0;
}

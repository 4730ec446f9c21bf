/* analyze_report.c - the report of a stage-iii analysis as text and JSON
 * (see analyze_report.h): counts, batches, annotator pairs, disagreeing
 * classes, incomplete images.  Formatting only; review/analyze.c computes. */
#include "review/analyze_report.h"

#include <stdint.h>

#include "review/class_label.h"
#include "util/numfmt.h"

/* n with thousands separators into buf */
#define N(buf, n) mlfy_fmt_count((buf), sizeof(buf), (uint64_t)(n))

static const char *const reason_text[] = {
	"agreed", "sets differ", "original label not chosen", "majority tie", "mean jaccard below threshold",
	"an annotator was unsure",
};

/* 100 * part / whole, 0 when whole is 0 */
static double pct(int64_t part, int64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

json_t *mlfy_analysis_json(struct mlfy_store *s, const struct mlfy_analysis *a)
{
	json_t *o, *v;
	char buf[256];
	size_t i;
	int r;

	o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:I}", "rule", a->rule, "dry_run", a->dry_run,
		      "images", (json_int_t)a->images, "judged", (json_int_t)a->judged, "agreed", (json_int_t)a->agreed,
		      "refine", (json_int_t)a->refine, "agreed_pct", pct(a->agreed, a->judged),
		      "refine_pct", pct(a->refine, a->judged), "missing_annotations", (json_int_t)a->missing,
		      "unassigned", (json_int_t)a->unassigned, "kept", (json_int_t)a->kept);
	v = json_object();
	for (r = 1; r < MLFY_N_REASONS; r++)
		json_object_set_new(v, mlfy_rule_reason_code((enum mlfy_rule_reason)r), json_integer(a->reasons[r]));
	json_object_set_new(o, "reasons", v);
	json_object_set_new(o, "changes",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "new_agreed", (json_int_t)a->new_agreed,
				      "changed_agreed", (json_int_t)a->changed_agreed, "unagreed", (json_int_t)a->unagreed,
				      "queued", (json_int_t)a->queued, "unqueued", (json_int_t)a->unqueued));
	v = json_array();
	for (i = 0; i < a->n_batches; i++) {
		const struct mlfy_analysis_batch *b = &a->batches[i];
		json_array_append_new(v, json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "batch", b->batch,
						   "images", (json_int_t)b->images, "judged", (json_int_t)b->judged,
						   "agreed", (json_int_t)b->agreed, "refine", (json_int_t)b->refine,
						   "missing", (json_int_t)b->missing,
						   "unassigned", (json_int_t)b->unassigned));
	}
	json_object_set_new(o, "batches", v);
	v = json_array();
	for (i = 0; i < a->n_pairs; i++) {
		const struct mlfy_analysis_pair *p = &a->pairs[i];
		json_t *q = json_pack("{s:s, s:s, s:I, s:I, s:f, s:[f,f,f,f]}", "a", p->a, "b", p->b,
				      "images", (json_int_t)p->images, "identical", (json_int_t)p->identical,
				      "mean_jaccard", p->mean_jaccard, "shown_table", p->table[0], p->table[1],
				      p->table[2], p->table[3]);
		json_object_set_new(q, "cohen_kappa", p->kappa_defined ? json_real(p->kappa) : json_null());
		json_array_append_new(v, q);
	}
	json_object_set_new(o, "pairs", v);
	v = json_array();
	for (i = 0; i < a->n_class_pairs; i++) {
		char nb[256];
		json_array_append_new(v, json_pack("{s:i, s:s, s:i, s:s, s:I}", "a", a->class_pairs[i].a,
						   "a_name", mlfy_class_label(s, a->class_pairs[i].a, buf, sizeof(buf)),
						   "b", a->class_pairs[i].b,
						   "b_name", mlfy_class_label(s, a->class_pairs[i].b, nb, sizeof(nb)),
						   "count", (json_int_t)a->class_pairs[i].count));
	}
	json_object_set_new(o, "disagreeing_class_pairs", v);
	v = json_array();
	for (i = 0; i < a->n_classes; i++)
		json_array_append_new(v, json_pack("{s:i, s:s, s:I}", "class", a->classes[i].cls, "name",
						   mlfy_class_label(s, a->classes[i].cls, buf, sizeof(buf)), "count",
						   (json_int_t)a->classes[i].count));
	json_object_set_new(o, "partially_chosen_classes", v);
	v = json_array();
	for (i = 0; i < a->n_incomplete; i++)
		json_array_append_new(v, json_pack("{s:s, s:s}", "image", a->incomplete[i].image, "missing",
						   a->incomplete[i].missing));
	json_object_set_new(o, "incomplete", v);
	return o;
}

int mlfy_analysis_write_text(FILE *f, struct mlfy_store *s, const char *project, const struct mlfy_analysis *a,
			      struct mlfy_err *err)
{
	char n1[32], n2[32], n3[32], c1[256], c2[256];
	size_t i;
	int r, any = 0;

	fprintf(f, "%s: rule %s%s: %s images, %s judged (every assigned annotator submitted)\n", project, a->rule,
	       a->dry_run ? " (dry run: nothing changed)" : "", N(n1, a->images),
	       N(n2, a->judged));
	fprintf(f, "  agreed        %10s  (%6.2f %%)\n", N(n1, a->agreed), pct(a->agreed, a->judged));
	fprintf(f, "  to refine     %10s  (%6.2f %%)", N(n1, a->refine), pct(a->refine, a->judged));
	for (r = 1; r < MLFY_N_REASONS; r++) {
		if (!a->reasons[r])
			continue;
		fprintf(f, "%s%s %s", any ? ", " : ":  ", reason_text[r], N(n1, a->reasons[r]));
		any = 1;
	}
	fprintf(f, "\n");
	fprintf(f, "  not judged    %10s  (missing annotations %s, unassigned batches %s)\n",
	       N(n1, a->missing + a->unassigned), N(n2, a->missing),
	       N(n3, a->unassigned));
	fprintf(f, "%s: %s newly agreed, %s agreed sets replaced, %s no longer agreed, %s queued, %s left the queue",
	       a->dry_run ? "would change" : "changes", N(n1, a->new_agreed),
	       N(n2, a->changed_agreed), N(n3, a->unagreed),
	       N(c1, a->queued), N(c2, a->unqueued));
	fprintf(f, ", %s kept (refined or decided by another stage)\n", N(n1, a->kept));

	if (a->n_batches) {
		fprintf(f, "\nby batch:\n  %6s %9s %9s %9s %8s %9s %8s %9s\n", "batch", "images", "judged", "agreed", "%",
		       "refine", "%", "missing");
		for (i = 0; i < a->n_batches; i++) {
			const struct mlfy_analysis_batch *b = &a->batches[i];
			fprintf(f, "  %6d %9lld %9lld %9lld %7.2f%% %9lld %7.2f%% %9lld%s\n", b->batch, (long long)b->images,
			       (long long)b->judged, (long long)b->agreed, pct(b->agreed, b->judged),
			       (long long)b->refine, pct(b->refine, b->judged), (long long)b->missing,
			       b->unassigned ? "  (not assigned)" : "");
		}
	}
	if (a->n_pairs) {
		fprintf(f, "\nby annotator pair:\n  %-30s %8s %16s %8s %8s %10s\n", "annotators", "images", "identical sets",
		       "jaccard", "kappa", "proposals");
		for (i = 0; i < a->n_pairs; i++) {
			const struct mlfy_analysis_pair *p = &a->pairs[i];
			char who[128], k[16];
			snprintf(who, sizeof(who), "%s / %s", p->a, p->b);
			if (p->kappa_defined)
				snprintf(k, sizeof(k), "%.3f", p->kappa);
			else
				snprintf(k, sizeof(k), "n/a");
			fprintf(f, "  %-30s %8lld %8lld %6.2f%% %8.3f %8s %10.0f\n", who, (long long)p->images,
			       (long long)p->identical, pct(p->identical, p->images), p->mean_jaccard, k,
			       p->table[0] + p->table[1] + p->table[2] + p->table[3]);
		}
		fprintf(f, "  (kappa: Cohen's kappa of the two annotators' ticks over the proposals shown to both)\n");
	}
	if (a->n_class_pairs) {
		fprintf(f, "\nmost frequent disagreeing class pairs (one annotator chose a, the other b):\n");
		for (i = 0; i < a->n_class_pairs; i++)
			fprintf(f, "  %8lld  %s  /  %s\n", (long long)a->class_pairs[i].count,
			       mlfy_class_label(s, a->class_pairs[i].a, c1, sizeof(c1)),
			       mlfy_class_label(s, a->class_pairs[i].b, c2, sizeof(c2)));
	}
	if (a->n_classes) {
		fprintf(f, "\nclasses most often chosen by only some annotators:\n");
		for (i = 0; i < a->n_classes; i++)
			fprintf(f, "  %8lld  %s\n", (long long)a->classes[i].count,
			       mlfy_class_label(s, a->classes[i].cls, c1, sizeof(c1)));
	}
	if (a->missing) {
		fprintf(f, "\nimages with missing annotations: %s", N(n1, a->missing));
		if ((int64_t)a->n_incomplete < a->missing)
			fprintf(f, " (first %zu)", a->n_incomplete);
		fprintf(f, "\n");
		for (i = 0; i < a->n_incomplete; i++)
			fprintf(f, "  %s: not annotated by %s\n", a->incomplete[i].image, a->incomplete[i].missing);
	}
	return ferror(f) ? mlfy_err_set(err, MLFY_EIO, "write error") : 0;
}

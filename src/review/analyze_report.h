/* analyze_report.h - the report of `mlfy analyze` (a struct mlfy_analysis,
 * review/analyze.h) as text or JSON.  Classes are named "idx name" from the
 * project's catalog.
 *
 * JSON (docs/review.md): {"rule", "dry_run", "images", "judged", "agreed",
 * "refine", "agreed_pct", "refine_pct", "missing_annotations",
 * "unassigned", "kept", "reasons": {code: n}, "changes": {"new_agreed",
 * "changed_agreed", "unagreed", "queued", "unqueued"}, "batches": [{"batch",
 * "images", "judged", "agreed", "refine", "missing", "unassigned"}],
 * "pairs": [{"a", "b", "images", "identical", "mean_jaccard", "shown_table",
 * "cohen_kappa"}], "disagreeing_class_pairs": [{"a", "a_name", "b",
 * "b_name", "count"}], "partially_chosen_classes": [{"class", "name",
 * "count"}], "incomplete": [{"image", "missing"}]}.
 */
#ifndef MLFY_REVIEW_ANALYZE_REPORT_H
#define MLFY_REVIEW_ANALYZE_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include "review/analyze.h"
#include "store/store.h"
#include "util/error.h"

/* The report as text to f; project names the project in the first line.
 * Errors: MLFY_EIO on a write error. */
int mlfy_analysis_write_text(FILE *f, struct mlfy_store *s, const char *project, const struct mlfy_analysis *a,
			     struct mlfy_err *err);

/* The report as a new JSON object (json_decref it). */
json_t *mlfy_analysis_json(struct mlfy_store *s, const struct mlfy_analysis *a);

#endif

/* export.h - `mlfy export`: write a project's final labels in the formats
 * researchers use, streaming image by image in image-name order (constant
 * memory in the number of images; the class list is the only table held).
 *
 * Formats (docs/review.md shows an example of each):
 *   real          ReaL's real.json: a JSON list with one list of class indices
 *                 per image, in image-name order (= file order for ImageNet
 *                 val names).  An undecided image is written as [] (and
 *                 counted): the list must stay aligned with the images.
 *   multilabelfy  Multilabelfy's released format (ImageNetV2's
 *                 refined_labels.json): {"file": ["idx", ...], ...}, indices
 *                 as strings, ascending.  Undecided images are left out.
 *   csv           file,original_label,labels,label_count,stage,comment with
 *                 labels as space-separated indices; stage "undecided" for
 *                 images without a decision (RFC 4180 quoting).
 *   jsonl         one JSON object per image with the full provenance: final
 *                 set and names, stage, every annotator's current set (with
 *                 label sources, comment, seconds, version count), expert
 *                 refinements and changes against the stage-ii union,
 *                 refinement-queue row, latest zero-label review.
 *   labelstudio   Label Studio's task import JSON: one task per image with
 *                 data.image (the file path), data.file, and for decided
 *                 images an annotation whose result is a "choices" region
 *                 (from_name "label", to_name "image") listing the class
 *                 names (a name shared by several classes gets " (ext_id)").
 */
#ifndef MLFY_REVIEW_EXPORT_H
#define MLFY_REVIEW_EXPORT_H

#include <stdint.h>
#include <stdio.h>
#include "store/store.h"

enum mlfy_export_format {
	MLFY_EXPORT_REAL,
	MLFY_EXPORT_MULTILABELFY,
	MLFY_EXPORT_CSV,
	MLFY_EXPORT_JSONL,
	MLFY_EXPORT_LABELSTUDIO,
};

/* Parses "real", "multilabelfy", "csv", "jsonl", "labelstudio".
 * MLFY_EINVAL naming the text otherwise. */
int mlfy_export_format_parse(const char *name, enum mlfy_export_format *f, struct mlfy_err *err);

struct mlfy_export_summary {
	int64_t images;      /* images in the project */
	int64_t decided;     /* with final labels */
	int64_t undecided;   /* without (see the format for how they are written) */
	int64_t labels;      /* final labels written */
	int64_t zero_label;  /* decided with an empty set */
};

/* Writes the project in format f to out.  Errors: store errors, MLFY_EIO
 * when writing fails (errno's message), MLFY_ENOMEM. */
int mlfy_export(struct mlfy_store *s, enum mlfy_export_format f, FILE *out,
		struct mlfy_export_summary *sum, struct mlfy_err *err);

/* Writes s as one CSV field (RFC 4180: quoted when it holds a comma, quote,
 * CR or LF; quotes doubled). */
void mlfy_csv_field(FILE *out, const char *s);

#endif

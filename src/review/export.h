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
 *                 images without a decision (RFC 4180 quoting; a file name
 *                 or comment a spreadsheet would take for a formula gets a
 *                 "'" in front: mlfy_csv_write_text, util/csv.h).
 *   jsonl         one JSON object per image with the full provenance: final
 *                 set and names, stage, every annotator's current set (with
 *                 label sources, comment, seconds, version count), expert
 *                 refinements and changes against the stage-ii union,
 *                 refinement-queue row, latest zero-label review.
 *   labelstudio   Label Studio's task import JSON: one task per image with
 *                 data.image (the image's name -- its path below the folder
 *                 it was imported from -- after image_root when given;
 *                 never the server's absolute path), data.file, and for decided
 *                 images an annotation whose result is a "choices" region
 *                 (from_name "label", to_name "image") listing the class
 *                 names (a name shared by several classes gets " (ext_id)").
 *   real-votes    the raw votes of every source in ReaL's raters.npz layout
 *                 (tensor, info, ids, plus names); export_real.h.
 *   real-scores   the stored posteriors of one aggregation method in ReaL's
 *                 scores_split_a.npz layout (tensor, info); export_real.h.
 *                 Both are binary .npz archives; the summary counts
 *                 questions, raters and votes instead of images.
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
	MLFY_EXPORT_REAL_VOTES,
	MLFY_EXPORT_REAL_SCORES,
};
#define MLFY_EXPORT_N_FORMATS 7

/* Parses "real", "multilabelfy", "csv", "jsonl", "labelstudio",
 * "real-votes", "real-scores".
 * MLFY_EINVAL naming the text otherwise. */
int mlfy_export_format_parse(const char *name, enum mlfy_export_format *f, struct mlfy_err *err);

/* The name of f as parsed above (static string); NULL for a bad value. */
const char *mlfy_export_format_name(enum mlfy_export_format f);

/* The usual file name extension of f without the dot: "json" (real,
 * multilabelfy, labelstudio), "csv", "jsonl" or "npz" (real-votes,
 * real-scores); NULL for a bad value. */
const char *mlfy_export_format_ext(enum mlfy_export_format f);

struct mlfy_export_summary {
	int64_t images;      /* images in the project */
	int64_t decided;     /* with final labels */
	int64_t undecided;   /* without (see the format for how they are written) */
	int64_t labels;      /* final labels written */
	int64_t zero_label;  /* decided with an empty set */
	/* real-votes / real-scores only (the image counts stay 0): */
	int64_t questions;   /* (image, label) questions written */
	int64_t raters;      /* raters (real-votes) */
	int64_t votes;       /* votes (real-votes) or positive decisions (real-scores) */
};

/* Writes the project in format f to out.  image_root (NULL or "": none) is
 * put before the image names in Label Studio's data.image (joined with '/';
 * a root with "://" is a URL and the names are percent-encoded), e.g.
 * "https://files.example.org/val/" or "/data/local-files/?d=val/"; other
 * formats ignore it.  Errors: store errors, MLFY_EIO when writing fails
 * (errno's message), MLFY_ENOMEM, MLFY_EINVAL (a name that is not valid
 * UTF-8 in a JSON format).  Equivalent to the stream below run to its end. */
int mlfy_export(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root, FILE *out,
		struct mlfy_export_summary *sum, struct mlfy_err *err);

/* mlfy_export with the aggregation method whose posteriors real-scores
 * writes ("majority" or "dawid-skene"; NULL = "dawid-skene"; other formats
 * ignore it).  Extra errors: MLFY_ENOTFOUND (no votes for real-votes, no
 * stored results for real-scores), MLFY_EINVAL (bad method). */
int mlfy_export_with(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root, const char *method,
		     FILE *out, struct mlfy_export_summary *sum, struct mlfy_err *err);

/* The same export piece by piece, for callers that pull the output (the
 * web server streams it to a client as the socket drains): open, then call
 * next until it returns 0.  Each call writes one piece to out: the opening
 * bracket or CSV header, then one image (possibly nothing, e.g. an
 * undecided image in the multilabelfy format), then the closing; the
 * concatenation is byte for byte what mlfy_export writes.  Memory stays
 * constant in the number of images.
 *
 * The stream holds the export cursor, and with it a read transaction on s
 * when opened outside one (a consistent snapshot; mlfy_export_open), until
 * it is closed: s must not be used for writes meanwhile, so a server opens
 * a connection of its own for it. */
struct mlfy_export_stream;

/* Opens a stream of format f over s into *out (mlfy_export_stream_close);
 * image_root as for mlfy_export (copied).
 * Errors: as mlfy_export_open, MLFY_ENOMEM, MLFY_EINVAL (bad f). */
int mlfy_export_stream_open(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root,
			    struct mlfy_export_stream **out, struct mlfy_err *err);
/* The same with real-scores' method (as mlfy_export_with). */
int mlfy_export_stream_open_with(struct mlfy_store *s, enum mlfy_export_format f, const char *image_root,
				 const char *method, struct mlfy_export_stream **out, struct mlfy_err *err);

/* Writes the next piece to out: 1 when a piece was produced, 0 when the
 * export is complete (nothing written), or a negative MLFY_E* code as
 * mlfy_export (the stream is then unusable: close it). */
int mlfy_export_stream_next(struct mlfy_export_stream *es, FILE *out, struct mlfy_err *err);

/* The counts so far (complete once next has returned 0); borrowed. */
const struct mlfy_export_summary *mlfy_export_stream_summary(const struct mlfy_export_stream *es);

/* Closes the cursor and frees es.  Accepts NULL. */
void mlfy_export_stream_close(struct mlfy_export_stream *es);

#endif

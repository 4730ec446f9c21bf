/* rater_files.h - the raters of one ReaL-style vote file scored against the
 * experts of another (`mlfy quality --votes VOTES.npz --gold EXPERTS.npz`,
 * the raw-vote mode).  Both files are read with votes.h's
 * mlfy_vote_set_read_npz (the format is described there); the questions
 * are matched, the experts' truth taken and the raters scored by
 * evaluate/rater_quality.h, whose report this fills. */
#ifndef MLFY_REVIEW_RATER_FILES_H
#define MLFY_REVIEW_RATER_FILES_H

#include "evaluate/rater_quality.h"
#include "util/error.h"

/* Loads the vote file votes_path and the experts' file gold_path, matches
 * the questions of votes_path to those of gold_path by (image, label),
 * takes each matched question's truth from the experts' answers
 * (mlfy_rater_quality_truth) and scores the raters of votes_path
 * (mlfy_rater_quality_compute; rater ids are the file's ids).  Questions of
 * the vote file not in gold_path, or that no expert answered, are left out
 * (n_matched and n_with_truth count the others).  *out is overwritten
 * (release it with mlfy_rater_quality_report_release, also after an
 * error).  Errors, each naming the file: those of mlfy_vote_set_read_npz
 * (MLFY_ENOTFOUND, MLFY_EIO, MLFY_EINVAL for a malformed file or member, a
 * question or rater id listed twice), MLFY_EINVAL when a file's tensor
 * does not have 3 answer options (no, maybe, yes), a rater name is not an
 * integer id, no question of votes_path is in gold_path or no matched
 * question was answered by an expert; MLFY_ENOMEM. */
int mlfy_rater_quality_files(const char *votes_path, const char *gold_path, struct mlfy_rater_quality_report *out,
			     struct mlfy_err *err);

#endif

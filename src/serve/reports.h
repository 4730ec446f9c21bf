/* reports.h - the admin console's reports (reports.c): `mlfy report
 * PROJECT` generated on demand into the server's cache, listed, and
 * browsed file by file.  Admin only (the route table's roles). */
#ifndef MLFY_SERVE_REPORTS_H
#define MLFY_SERVE_REPORTS_H

#include "serve/state.h"

/* POST /api/admin/reports: generates a report (report/project_report.h,
 * the same call as `mlfy report PROJECT`) from one read snapshot of the
 * project into <cache>/reports/<id>/.  Body: none, or a JSON object with
 * "formats": a non-empty array of "svg", "png", "pdf" (default svg and
 * png).  One generation at a time per cache directory: another request
 * meanwhile gets 409.  Replies 200 {"id", "url", "generated_at",
 * "warnings": [text], "files": [name]}; 400 for a bad body; the library's
 * errors by their code.  Writes an audit row (action "report"). */
enum MHD_Result h_report_generate(struct req *r, const char *rest);

/* GET /api/admin/reports: {"reports": [{"id", "generated_at", "url",
 * "files" (count), "bytes"}]}, newest first. */
enum MHD_Result h_report_list(struct req *r, const char *rest);

/* GET /api/admin/reports/<id>/<file>: one file of a report (index.html, the
 * figures, results.csv/.json) with its Content-Type; 404 for anything else
 * (unknown id or file, another kind of file, a hidden file, a path, a
 * symbolic link). */
enum MHD_Result h_report_file(struct req *r, const char *rest);

#endif

/* tasks.h - what the annotation and refinement pages ask (tasks.c): the
 * vocabulary, a person's task list, one task's view, saving an annotation,
 * and the class search. */
#ifndef MLFY_SERVE_TASKS_H
#define MLFY_SERVE_TASKS_H

#include "serve/state.h"

enum MHD_Result h_vocabulary(struct req *r, const char *rest);
enum MHD_Result h_tasks(struct req *r, const char *rest);
/* GET /api/tasks/<id>, PUT /api/tasks/<id>/annotation. */
enum MHD_Result h_task(struct req *r, const char *rest);
enum MHD_Result h_classes(struct req *r, const char *rest);

#endif

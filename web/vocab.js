/* vocab.js - the words and limits the pages use, read once from GET
 * /api/vocabulary (the library defines them; nothing here copies them):
 * zero-label categories and verdicts, label sources, unsure reasons,
 * problem tags, proposals per image, group size, the longest comment.  The
 * reply is this module's state. */
import { api } from './api.js';

let pending = null;

/* resolves to the reply: {zero_label: {categories, verdicts}, label_sources,
 * unsure_reasons, problem_tags, proposals_per_image, group_size,
 * comment_max}; lists of {name, label} */
export function loadVocabulary() {
  if (!pending) {
    pending = api('GET', '/api/vocabulary');
    pending.catch(() => { pending = null; });   /* a failed read is tried again next time */
  }
  return pending;
}

/* the display label of `name` in a {name, label} list (the name itself when unknown) */
export function labelOf(list, name) {
  const e = (list || []).find((x) => x.name === name);
  return e ? e.label : name;
}

/* The label sources by role.  /api/vocabulary lists them in the library's
 * order (enum mlfy_label_source): a model proposal, a class search, a label
 * pre-checked from stage ii; the page sends their names. */
export function sourceRoles(v) {
  const [proposal, search, prefill] = v.label_sources;
  return { proposal: proposal.name, search: search.name, prefill: prefill.name };
}

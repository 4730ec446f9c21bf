/* status.js - what the annotation page says about its work: the top bar's
 * save state (saved, saving, loading, pending, failed) with its "retry"
 * link, and the banner under the top bar.  Owns what "retry" does and
 * whether the banner goes away with the next successful save. */
import { $ } from './dom.js';

let retryAction = null;       /* what "retry" does when it is not a save (a failed load) */
let bannerUntilSave = false;  /* the banner is about this image's saving */

/* kind: saved, saving, loading, pending or failed; a failed state shows the
 * "retry" link, which runs `action` (default: the handler given to onRetry) */
export function setState(kind, text, action) {
  const e = $('save-state');
  e.className = 'save-state ' + kind;
  e.textContent = text;
  e.title = text;
  $('retry').hidden = kind !== 'failed';
  retryAction = action || null;
}

/* the retry link: runs the failed load again, or `save` */
export function onRetry(save) {
  $('retry').addEventListener('click', (e) => {
    if (e.detail > 0) e.currentTarget.blur();   /* a mouse click gives the keys back to the page */
    if (retryAction) retryAction(); else save();
  });
}

export function showBanner(text, kind, untilSave) {
  const b = $('banner');
  b.textContent = text;
  b.className = 'banner ' + (kind || 'info');
  b.hidden = !text;
  bannerUntilSave = !!(text && untilSave);
}

/* a save succeeded: a banner about this image's saving has done its job */
export function savedClearsBanner() {
  if (bannerUntilSave) showBanner('');
}

/* draws the eye to the save state (a refused Enter) */
export function flash() {
  const e = $('save-state');
  e.classList.remove('flash');
  void e.offsetWidth;
  e.classList.add('flash');
}

/* clock.js - time on image: counts the milliseconds the tab is visible and
 * focused while an image is shown; each save records the cumulative
 * seconds.  The counters are this module's state. */

let base = 0;         /* seconds saved earlier for this image */
let activeMs = 0;     /* counted since the image was shown */
let since = null;     /* performance.now() when counting (re)started, null while paused */

const running = () => document.visibilityState === 'visible' && document.hasFocus();

function tick() {
  const now = performance.now();
  if (since !== null) activeMs += now - since;
  since = running() ? now : null;
}
['visibilitychange', 'focus', 'blur'].forEach((ev) => window.addEventListener(ev, tick));

/* starts counting a newly shown image that already has `seconds` */
export function restart(seconds) {
  base = seconds || 0;
  activeMs = 0;
  since = running() ? performance.now() : null;
}

/* the cumulative seconds on this image, to 0.1 s */
export function seconds() {
  tick();
  return Math.round((base + activeMs / 1000) * 10) / 10;
}

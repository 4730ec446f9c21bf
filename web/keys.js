/* keys.js - the annotation page's keyboard model.  Tab and Shift+Tab are
 * the browser's (focus moves from control to control).  The page's keys -
 * 1-5, Enter/→, ←, ↑/↓, N, Z, C, T, /, ?, on /annotate U, and on /refine
 * W and V - act
 * wherever the focus is, except where the key means something there: in a
 * text box, the comment or a select every key is theirs (Esc leaves the
 * field); on a button or link, Enter and Space press it; on a group tab,
 * ←/→/Home/End move between the tabs; in the problem tags Esc closes them.
 * While a dialog is open only its own
 * keys act (Esc and ? close it, Z the full image; in the full image +/−, 1
 * and 0).
 * What each key does is the page's (initKeys); this module owns no state. */
import { dialogOpen, close as closeDialog, zoomKey } from './overlays.js';

/* an element where typed keys are text (or a select's own) */
export function takesKeys(t) {
  if (!t || !t.tagName) return false;
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  return t.tagName === 'INPUT' && !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(t.type);
}

/* a held key acts once (auto-repeat would flip a label back and forth) */
const ONCE = /^[1-9nNzZcCwWvVuUtT/?]$/;

/* actions: {toggle(n), group(delta), tab(g), next(key), prev(), none(), full(),
 * comment(), search(), help(), zeroCategory(), zeroVerdict(), unsure(), tags(),
 * escape(target), ready()} where ready() says whether an image is shown (else
 * only ← acts: back from "all done"); unsure, zeroCategory, zeroVerdict and
 * escape return false when the key means nothing here */
export function initKeys(a) {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const k = e.key, t = e.target;
    const d = dialogOpen();
    if (d) {
      if (e.repeat && ONCE.test(k)) { e.preventDefault(); return; }
      if ((d === 'zoom' && (k === 'z' || k === 'Z')) || k === '?') closeDialog();
      else if (!(d === 'zoom' && zoomKey(k))) return;   /* Esc: the dialog's own; Tab: goes round the dialog */
      e.preventDefault();
      return;
    }
    if (takesKeys(t)) {
      if (k === 'Escape') { t.blur(); e.preventDefault(); }
      return;
    }
    if (k === 'Tab') return;
    if (k === 'Escape') { if (a.escape(t)) e.preventDefault(); return; }
    const onControl = t && (t.tagName === 'BUTTON' || t.tagName === 'A' || t.tagName === 'SUMMARY');
    if (onControl && (k === 'Enter' || k === ' ')) return;   /* the control's own click */
    if (t && t.getAttribute && t.getAttribute('role') === 'tab' && /^(ArrowLeft|ArrowRight|Home|End)$/.test(k)) {
      a.tab(k === 'Home' ? 'first' : k === 'End' ? 'last' : k === 'ArrowLeft' ? -1 : 1);
      e.preventDefault();
      return;
    }
    if (!a.ready()) { if (k === 'ArrowLeft') { a.prev(); e.preventDefault(); } return; }
    if (e.repeat && ONCE.test(k)) { e.preventDefault(); return; }
    if (k >= '1' && k <= '9') {
      if (!a.toggle(Number(k))) return;
    } else if (k === 'ArrowDown' || k === 'ArrowUp') {
      a.group(k === 'ArrowUp' ? -1 : 1);
    } else if (k === 'Enter' || k === 'ArrowRight') {
      a.next(k);
    } else if (k === 'ArrowLeft') {
      a.prev();
    } else if (k === 'n' || k === 'N') {
      a.none();
    } else if (k === 'z' || k === 'Z') {
      a.full();
    } else if (k === 'c' || k === 'C') {
      a.comment();
    } else if (k === 'w' || k === 'W') {
      if (!a.zeroCategory()) return;
    } else if (k === 'v' || k === 'V') {
      if (!a.zeroVerdict()) return;
    } else if (k === 'u' || k === 'U') {
      if (!a.unsure()) return;
    } else if (k === 't' || k === 'T') {
      a.tags();
    } else if (k === '/') {
      a.search();
    } else if (k === '?') {
      a.help();
    } else {
      return;
    }
    e.preventDefault();
  });
}

/* overlays.js - the annotation page's modal dialogs (<dialog>, opened with
 * showModal): the keyboard help, the full image and an exemplar.  Opening
 * one moves the focus into it and makes the page behind it inert; Escape,
 * its close button or a click outside it closes it, and the focus returns
 * to where it was.  The full image opens fitted to the screen (scaled up or
 * down), 1 shows it at 1:1 (one image pixel per screen pixel), 0 fits it
 * again, the wheel or +/− zoom, dragging pans.  Owns which dialog is open,
 * the control to return to, and the full image's scale and offset. */
import { $ } from './dom.js';

let openId = null;      /* the open dialog's id, or null */
let opener = null;      /* the element that had the focus when it opened */

/* the open dialog's id, or null */
export const dialogOpen = () => openId;

function open(id, focusSel) {
  if (openId) close();
  const d = $(id);
  opener = document.activeElement;
  openId = id;
  d.showModal();
  const first = focusSel ? d.querySelector(focusSel) : null;
  if (first) first.focus();
}

/* closes the open dialog and gives the focus back at once: a key pressed
 * right after must not reach a control of the closed dialog */
export function close() {
  if (!openId) return;
  const id = openId;
  $(id).close();
  closed(id);
}

function closed(id) {
  if (openId !== id) return;
  openId = null;
  const back = opener;
  opener = null;
  if (back && back.isConnected && back !== document.body && !back.closest('[hidden]')) back.focus({ preventScroll: true });
  else if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
}

/* the focusable controls of dialog d, in order */
const focusables = (d) => [...d.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter((e) => !e.disabled && e.getClientRects().length);

for (const id of ['help', 'zoom', 'lightbox']) {
  const d = $(id);
  /* Esc: closed as by the Close button (the native close would move the focus only later) */
  d.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  d.addEventListener('close', () => closed(id));
  /* a click on the backdrop (the dialog element itself, outside its content) closes it */
  d.addEventListener('click', (e) => { if (e.target === d) close(); });
  /* Tab and Shift+Tab go round the dialog's own controls */
  d.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const f = focusables(d);
    if (!f.length) { e.preventDefault(); return; }
    const i = f.indexOf(document.activeElement);
    const next = e.shiftKey ? (i <= 0 ? f.length - 1 : i - 1) : (i < 0 || i === f.length - 1 ? 0 : i + 1);
    f[next].focus();
    e.preventDefault();
  });
  for (const b of d.querySelectorAll('[data-close]')) b.addEventListener('click', close);
}

/* ---- help ------------------------------------------------------------------- */

export function openHelp() { open('help', '[data-close]'); }

/* ---- exemplar ------------------------------------------------------------------ */

export function openExemplar(src, caption) {
  $('lightbox-img').src = src;
  $('lightbox-caption').textContent = caption;
  open('lightbox', '[data-close]');
}
$('lightbox-img').addEventListener('click', close);

/* ---- the full image ---------------------------------------------------------------- */

const Z = { fit: true, scale: 1, x: 0, y: 0, drag: null };

/* the scale that shows all of the image in the stage, scaled up or down */
function fitScale() {
  const img = $('zoom-img'), stage = $('zoom-stage');
  if (!img.naturalWidth) return 1;
  return Math.min(stage.clientWidth / img.naturalWidth, stage.clientHeight / img.naturalHeight);
}

function apply() {
  const img = $('zoom-img');
  if (!img.naturalWidth) return;
  if (Z.fit) { Z.scale = fitScale(); Z.x = 0; Z.y = 0; }
  img.style.width = img.naturalWidth * Z.scale + 'px';
  img.style.height = img.naturalHeight * Z.scale + 'px';
  img.style.transform = `translate(calc(-50% + ${Z.x}px), calc(-50% + ${Z.y}px))`;
  const pct = Math.round(Z.scale * (window.devicePixelRatio || 1) * 100);
  $('zoom-level').textContent = Z.fit ? `fitted (${pct} %)` : `${pct} %`;
  $('zoom-fit').setAttribute('aria-pressed', Z.fit ? 'true' : 'false');
  $('zoom-actual').setAttribute('aria-pressed', !Z.fit && Math.abs(Z.scale * (window.devicePixelRatio || 1) - 1) < 1e-6
    ? 'true' : 'false');
}

export function openFull(src) {
  const img = $('zoom-img');
  Z.fit = true;
  img.style.width = img.style.height = '0px';
  if (img.getAttribute('src') !== src) img.src = src;
  open('zoom', '#zoom-fit');
  if (img.complete) apply();
}
$('zoom-img').addEventListener('load', apply);
window.addEventListener('resize', () => { if (openId === 'zoom') apply(); });

/* fitted to the screen */
export function zoomFit() { Z.fit = true; apply(); }

/* 1:1: one image pixel per screen (device) pixel */
export function zoomActual() { Z.fit = false; Z.scale = 1 / (window.devicePixelRatio || 1); Z.x = 0; Z.y = 0; apply(); }

export function zoomBy(f) {
  Z.fit = false;
  Z.scale = Math.min(16, Math.max(0.05, Z.scale * f));
  apply();
}

/* the full image's own keys; true when the key was one */
export function zoomKey(k) {
  if (k === '+' || k === '=') zoomBy(1.25);
  else if (k === '-') zoomBy(0.8);
  else if (k === '1') zoomActual();
  else if (k === '0') zoomFit();
  else return false;
  return true;
}

$('zoom-fit').addEventListener('click', zoomFit);
$('zoom-actual').addEventListener('click', zoomActual);
const stage = $('zoom-stage');
stage.addEventListener('wheel', (e) => { e.preventDefault(); zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2); }, { passive: false });
stage.addEventListener('pointerdown', (e) => { Z.drag = { x: e.clientX - Z.x, y: e.clientY - Z.y, moved: false }; });
stage.addEventListener('pointermove', (e) => {
  if (!Z.drag) return;
  const x = e.clientX - Z.drag.x, y = e.clientY - Z.drag.y;
  if (!Z.drag.moved && Math.hypot(x - Z.x, y - Z.y) < 3) return;
  Z.fit = false;
  Z.x = x; Z.y = y; Z.drag.moved = true;
  apply();
});
/* a click without a drag closes the view */
stage.addEventListener('pointerup', () => { const moved = Z.drag && Z.drag.moved; Z.drag = null; if (!moved) close(); });

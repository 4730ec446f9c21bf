/* dom.js - the small DOM helpers every page uses: $ (an element by id), el
 * (build an element with attributes, listeners and children) and fmt (a
 * count as the pages print it).  No state. */

export const $ = (id) => document.getElementById(id);

/* el('li', {class: 'x', text: 'y', onclick: f, 'aria-label': 'z'}, child, …):
 * null, undefined and false attributes and children are left out; true
 * makes an empty attribute; children that are not nodes become text. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const fmt = (n) => Number(n).toLocaleString('en-US');

/* Text people typed or named (comments, user names, file names, class
 * names) in a <bdi>: its direction marks (an unclosed U+202E RIGHT-TO-LEFT
 * OVERRIDE) stay inside it instead of reversing the text around it
 * (app.css: unicode-bidi: isolate). */
export const bdi = (text) => el('bdi', { class: 'user-text', text });

/* items with sep between them (for building children) */
export const joined = (items, sep) => items.flatMap((x, i) => (i ? [sep, x] : [x]));

/* search.js - the class search for labels outside the proposals: a
 * combobox (the text box) with a list of matches from GET /api/classes;
 * ↑/↓ choose, Enter picks and hands the keys back to the page, Escape
 * leaves; a query without a match says so ("no class matches '…'").
 * Owns the matches shown and the one chosen; what a pick does is the
 * page's (initSearch). */
import { $, el, bdi } from './dom.js';
import { api } from './api.js';

let timer = null;
let items = [];     /* the matches shown: class entries {idx, name, synonyms, …} */
let sel = -1;       /* the chosen match */
let onPick = () => {};

export function initSearch(pick) { onPick = pick; }

/* puts the focus in the search box (the / key) */
export function focusSearch() { $('search').focus(); }

/* the matches (or, for `noMatch`, the query nothing matched: said in the
 * results' place and announced, role=status) */
function render(noMatch) {
  const box = $('search'), ul = $('search-results'), none = $('search-none');
  ul.replaceChildren();
  /* open upwards when the box is near the bottom of the window */
  const r = box.getBoundingClientRect(), below = window.innerHeight - r.bottom;
  ul.classList.toggle('up', below < 330 && r.top > below);
  none.classList.toggle('up', below < 80 && r.top > below);
  if (noMatch) none.replaceChildren('no class matches \'', el('bdi', { text: noMatch }), '\'');
  else none.replaceChildren();
  items.forEach((c, i) => {
    ul.append(el('li', {
      id: 'search-opt-' + i, class: i === sel ? 'sel' : '', role: 'option', 'aria-selected': i === sel ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); pick(c); },
    }, el('b', {}, bdi(c.name)), ' ', el('span', { class: 'syn small', text: c.synonyms })));
  });
  ul.hidden = !items.length;
  box.setAttribute('aria-expanded', items.length ? 'true' : 'false');
  if (sel >= 0) {
    box.setAttribute('aria-activedescendant', 'search-opt-' + sel);
    ul.children[sel].scrollIntoView({ block: 'nearest' });
  } else {
    box.removeAttribute('aria-activedescendant');
  }
}

function clear() { items = []; sel = -1; render(); }

function pick(c) {
  $('search').value = '';
  clear();
  /* back to the page's keys (the next Enter saves and moves on); / searches again */
  $('search').blur();
  onPick(c);
}

$('search').addEventListener('input', () => {
  clearTimeout(timer);
  const q = $('search').value.trim();
  if (!q) { clear(); return; }
  timer = setTimeout(async () => {
    try {
      const r = await api('GET', '/api/classes?limit=12&q=' + encodeURIComponent(q));
      if ($('search').value.trim() !== q || document.activeElement !== $('search')) return;
      items = r.classes;
      sel = items.length ? 0 : -1;
      render(items.length ? null : q);
    } catch (e) { /* keep typing */ }
  }, 120);
});

$('search').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') { sel = Math.min(items.length - 1, sel + 1); render(); e.preventDefault(); }
  else if (e.key === 'ArrowUp') { sel = Math.max(0, sel - 1); render(); e.preventDefault(); }
  else if (e.key === 'Enter') {
    const c = items[sel];
    if (c) pick(c);
    else if (!$('search').value.trim()) $('search').blur();   /* empty box: leave it */
    e.preventDefault();
    e.stopPropagation();
  } else if (e.key === 'Escape') { clear(); $('search').blur(); e.stopPropagation(); }
});

$('search').addEventListener('blur', () => setTimeout(clear, 100));

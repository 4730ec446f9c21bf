#!/usr/bin/env bash
# layers.sh - the architecture of docs/architecture.md, checked on the
# source tree: no include cycle between units (a unit is x.c with x.h),
# each layer includes only what it may, SQLite's API only in
# src/store/sqlite*.c, libpq only in src/store/pg*, libmicrohttpd only in src/serve, the store's engine
# header only inside src/store, no transaction opened in src/cli, and no
# source file over 900 lines.  Prints every violation; exit 1 when any.
set -euo pipefail
root=${MLFY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null || { echo "skipping: python3 not installed"; exit 77; }
python3 - "$root/src" <<'PY'
import os, re, sys
src = sys.argv[1]
units, incs, text = {}, {}, {}
for d, _, fs in os.walk(src):
    for f in fs:
        if not f.endswith(('.c', '.h')):
            continue
        p = os.path.join(d, f)
        rel = os.path.relpath(p, src)
        t = open(p, encoding='utf-8', errors='replace').read()
        text[rel] = t
        incs[rel] = re.findall(r'^\s*#\s*include\s+"([^"]+)"', t, re.M)
        units.setdefault(rel[:-2], set()).add(rel)
bad = []

# 1. no include cycle between units
graph = {u: set() for u in units}
for rel, inc in incs.items():
    for h in inc:
        v = h[:-2]
        if v in units and v != rel[:-2]:
            graph[rel[:-2]].add(v)
color, stack = {}, []
def dfs(u):
    color[u] = 1
    stack.append(u)
    for v in sorted(graph[u]):
        if color.get(v) == 1:
            bad.append('include cycle: ' + ' -> '.join(stack[stack.index(v):] + [v]))
        elif not color.get(v):
            dfs(v)
    stack.pop()
    color[u] = 2
for u in sorted(graph):
    if not color.get(u):
        dfs(u)

# 2. layers: what each folder may include (docs/architecture.md)
may = {
    'util': {'util'},
    'store': {'store', 'util'},
    'evaluate': {'evaluate', 'ingest', 'store', 'util'},   # evaluation sets come from label files and projects
    'ingest': {'ingest', 'store', 'util'},
    'propose': {'propose', 'ingest', 'store', 'util'},
    'codec': {'codec', 'propose', 'ingest', 'util'},   # the image codec module: prep options, size limit
    'review': {'review', 'store', 'evaluate', 'util'},
    'report': {'report', 'review', 'evaluate', 'store', 'util'},
    'serve': {'serve', 'review', 'report', 'evaluate', 'store', 'ingest', 'util'},   # reports and the live view
    'cli': None,   # the top: anything
}
for rel, inc in incs.items():
    layer = rel.split('/')[0]
    allowed = may.get(layer)
    for h in inc:
        top = h.split('/')[0]
        if '/' not in h or allowed is None:
            continue
        if top not in allowed and top in may:
            bad.append('%s: includes %s (%s may include only %s)' % (rel, h, layer, ', '.join(sorted(allowed))))
        if h == 'store/engine.h' and layer != 'store':
            bad.append('%s: includes store/engine.h, which is internal to src/store' % rel)

# 3. one file per foreign API
for rel, t in text.items():
    if re.search(r'#\s*include\s*<sqlite3\.h>', t) and not re.fullmatch(r'store/sqlite[a-z_]*\.c', rel):
        bad.append('%s: includes sqlite3.h (only store/sqlite*.c may)' % rel)
    if re.search(r'#\s*include\s*<libpq-fe\.h>', t) and not re.fullmatch(r'store/pg[a-z_]*\.[ch]', rel):
        bad.append('%s: includes libpq-fe.h (only store/pg*.c may)' % rel)
    if re.search(r'#\s*include\s*<vips/', t) and not rel.startswith('codec/'):
        bad.append('%s: includes libvips (only src/codec, the module loaded on first use, may)' % rel)
    if re.search(r'#\s*include\s*<microhttpd\.h>', t) and not rel.startswith('serve/'):
        bad.append('%s: includes microhttpd.h (only src/serve may)' % rel)
    if rel.startswith('cli/') and re.search(r'\bmlfy_store_(begin|commit)\s*\(', t):
        bad.append('%s: opens a transaction (the library owns transactions)' % rel)
    n = t.count('\n')
    if n > 900:
        bad.append('%s: %d lines (split it: one job per file)' % (rel, n))

for b in bad:
    print('FAIL:', b)
print('layers: %d files, %d units, %d problems' % (len(text), len(units), len(bad)))
sys.exit(1 if bad else 0)
PY

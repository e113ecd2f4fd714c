/**
 * The page's script, kept as a string rather than a module because it runs in
 * the reader's browser, not in Node: it is inlined in the page (no URL, no
 * file next to the report), and the page's Content-Security-Policy allows it by
 * the SHA-256 of these exact bytes, so it is plain ES2020 that needs no build
 * step and any edit here changes the hash with it.
 *
 * It reads the embedded JSON and draws the matrix and the findings with one
 * innerHTML string each, listening only on containers (no per-cell listener).
 * Past a few hundred matching rows the matrix draws only the rows around the
 * viewport, between two spacer rows, so 2,000 × 100 scrolls and filters at
 * once; the findings table draws the first 500 matches and a "show all"
 * button. Every plan string goes through `esc`.
 */
export const CLIENT_JS = String.raw`
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('bg-data').textContent);
  const byId = (id) => document.getElementById(id);
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ESC[c]);
  const shortName = (arn) => { const i = arn.lastIndexOf('/'); return i >= 0 && i < arn.length - 1 ? arn.slice(i + 1) : arn; };
  // Model ids and route ids wrap after a dot or a slash, a colon before a letter, or a hyphen before a date
  // or a version (never inside v1:0); lists of Regions or route kinds wrap between items only.
  const nw = (s) => '<span class="nw">' + esc(s) + '</span>';
  const brk = (s) => String(s).split(/(?<=[./])|(?<=:)(?=[a-z])|(?<=-)(?=\d{6}|v\d+:)/i).map(nw).join('<wbr>');
  const list = (items) => items.map(nw).join(', ');
  // An empty cell says why it is empty.
  const none = (why) => '<span class="muted" title="' + esc(why) + '">—</span>';
  const debounce = (fn, ms) => { let t; return () => { clearTimeout(t); t = setTimeout(fn, ms); }; };
  let printing = false;

  // ---- matrix
  const ALL_ROWS = 400;
  const BUFFER = 40;
  const states = {};
  const bits = {};
  const cellHtml = {};
  data.states.forEach((s, i) => {
    states[s.code] = s;
    bits[s.code] = 1 << i;
    cellHtml[s.code] = '<td class="c c-' + s.code + '" title="' + esc(s.name) + '">' + esc(s.symbol) + '</td>';
  });
  const rows = data.rows;
  const cols = 3 + data.models.length;
  const hay = rows.map((r) => (r.p + ' ' + r.t.join(' ')).toLowerCase());
  const mask = rows.map((r) => { let m = 0; for (let j = 0; j < r.c.length; j++) m |= bits[r.c[j]] || 0; return m; });
  const rowCache = new Array(rows.length);
  const rowHtml = (i) => {
    if (rowCache[i]) return rowCache[i];
    const r = rows[i];
    const teams = r.t.join(', ');
    let h = '<tr data-i="' + i + '"><th scope="row" class="p"><a class="pl" href="#findings" data-p="' + i + '" title="' + esc(r.p) + '">' + esc(shortName(r.p)) + '</a>' +
      (r.x ? ' <span class="badge ex" title="exempt: reported, never touched">exempt</span>' : '') +
      '</th><td class="k">' + esc(r.k) + '</td><td class="t" title="' + esc(teams) + '">' + esc(teams) + '</td>';
    for (let j = 0; j < r.c.length; j++) h += cellHtml[r.c[j]] || cellHtml.n;
    return (rowCache[i] = h + '</tr>');
  };
  const pad = (px) => '<tr class="pad" aria-hidden="true"><td colspan="' + cols + '" style="height:' + px + 'px"></td></tr>';
  const wrap = byId('mx-wrap');
  const mxBody = byId('mx-body');
  let shown = [];
  let rowH = 0;
  let from = -1;
  let to = -1;
  const drawMatrix = (force) => {
    const n = shown.length;
    let a = 0;
    let b = n;
    if (n > ALL_ROWS && !printing) {
      const h = rowH || 23;
      const top = Math.max(0, wrap.scrollTop - byId('mx').tHead.offsetHeight);
      a = Math.min(Math.max(0, Math.floor(top / h) - BUFFER), n);
      b = Math.min(n, Math.ceil((top + wrap.clientHeight) / h) + BUFFER);
    }
    if (!force && a === from && b === to) return;
    from = a;
    to = b;
    const parts = [];
    for (let k = a; k < b; k++) parts.push(rowHtml(shown[k]));
    const h = rowH || 23;
    mxBody.innerHTML = (a > 0 ? pad(a * h) : '') + parts.join('') + (b < n ? pad((n - b) * h) : '');
    if (!rowH && b > a) {
      const tr = mxBody.querySelector('tr[data-i]');
      rowH = tr ? tr.getBoundingClientRect().height || 23 : 23;
      if (n > ALL_ROWS) drawMatrix(true);
    }
  };
  let raf = 0;
  wrap.addEventListener('scroll', () => {
    if (!raf) raf = requestAnimationFrame(() => { raf = 0; drawMatrix(false); });
  }, { passive: true });
  const mxFilter = byId('mx-filter');
  const mxStates = Array.from(document.querySelectorAll('input.mx-state'));
  const applyMatrix = () => {
    const q = mxFilter.value.trim().toLowerCase();
    let want = 0;
    let all = true;
    mxStates.forEach((b) => { if (b.checked) want |= bits[b.value]; else all = false; });
    shown = [];
    for (let i = 0; i < rows.length; i++) {
      if ((!q || hay[i].includes(q)) && (all || (mask[i] & want) !== 0)) shown.push(i);
    }
    byId('mx-count').textContent = shown.length + ' of ' + rows.length + ' principals';
    byId('mx-empty').hidden = shown.length !== 0;
    wrap.scrollTop = 0;
    drawMatrix(true);
  };
  mxFilter.addEventListener('input', debounce(applyMatrix, 60));
  mxStates.forEach((b) => b.addEventListener('change', applyMatrix));
  // Cell tooltips name the principal and the model, written on first hover.
  mxBody.addEventListener('mouseover', (e) => {
    const td = e.target.closest && e.target.closest('td.c');
    if (!td || td.dataset.t) return;
    const r = rows[td.parentNode.dataset.i];
    const s = states[r.c[td.cellIndex - 3]] || states.n;
    td.dataset.t = '1';
    td.title = shortName(r.p) + ' × ' + data.models[td.cellIndex - 3] + ': ' + s.name + ' (' + s.text + ')';
  });

  // ---- findings
  const LIMIT = 500;
  const F = data.findings;
  const sevRank = {};
  data.severities.forEach((s, i) => { sevRank[s] = i; });
  const stRank = { open: 0, contained: 1, exempt: 2 };
  const fCache = new Array(F.length);
  const fRowHtml = (i) => {
    if (fCache[i]) return fCache[i];
    const f = F[i];
    return (fCache[i] = '<tr data-i="' + i + '"><td><span class="badge sev-' + esc(f.severity) + '">' + esc(f.severity) + '</span></td>' +
      '<td><span class="badge st-' + esc(f.status) + '" title="' + esc('mode: ' + f.mode) + '">' + esc(f.status) + '</span></td>' +
      '<td class="rule"><code>' + esc(f.rule) + '</code>' + (f.line ? '<div class="muted" title="' + esc(data.policyFile + ':' + f.line) + '">line ' + esc(f.line) + '</div>' : '') + '</td>' +
      '<td><span class="pr" title="' + esc(f.principal) + '">' + esc(shortName(f.principal)) + '</span> <span class="muted">' + esc(f.kind) + '</span></td>' +
      '<td class="w">' + (f.model ? '<code>' + brk(f.model) + '</code>' : none('not about one model')) + '</td>' +
      '<td class="rg"' + (f.where ? ' title="' + esc(f.where) + '"' : '') + '>' + (f.regions.length ? list(f.regions) : none('not about one Region')) + '</td>' +
      '<td class="w">' + (f.route ? '<code>' + (f.kinds.length ? list(f.kinds) : brk(f.route)) + '</code>' : none('no route')) + '</td>' +
      '<td class="msg"' + (f.resources.length ? ' title="' + esc(f.resources.join('\n')) + '"' : '') + '>' + esc(f.message) +
      (f.exemptReason ? '<div class="muted">exempt: ' + esc(f.exemptReason) + '</div>' : '') +
      (f.evidence.length ? '<div class="ev">evidence: ' + f.evidence.map((e) => '<span class="nw" title="' + esc(e[1]) + '">' + esc(e[0]) + '</span>').join(', ') + '</div>' : '') +
      '<div class="fix">' + esc(f.remediation) + '</div></td></tr>');
  };
  const fHay = F.map((f) => [f.rule, f.severity, f.status, f.principal, f.model, f.regions.join(' '), f.route, f.message, f.remediation, f.exemptReason]
    .concat(f.evidence.map((e) => e[0])).join(' ').toLowerCase());
  const fBody = byId('f-body');
  const fFilter = byId('f-filter');
  const fMore = byId('f-more');
  const fStatuses = Array.from(document.querySelectorAll('input.f-status'));
  let fOrder = F.map((_, i) => i);
  let fLimit = LIMIT;
  const drawFindings = () => {
    const q = fFilter.value.trim().toLowerCase();
    const want = new Set(fStatuses.filter((b) => b.checked).map((b) => b.value));
    const match = fOrder.filter((i) => want.has(F[i].status) && (!q || fHay[i].includes(q)));
    const n = printing ? match.length : Math.min(match.length, fLimit);
    fBody.innerHTML = match.slice(0, n).map(fRowHtml).join('');
    byId('f-count').textContent = match.length + ' of ' + F.length + ' findings' + (n < match.length ? ', first ' + n + ' shown' : '');
    fMore.hidden = n >= match.length;
    fMore.textContent = 'Show all ' + match.length;
    if (F.length) byId('f-empty').hidden = match.length !== 0;
  };
  const refilterFindings = () => { fLimit = LIMIT; drawFindings(); };
  fFilter.addEventListener('input', debounce(refilterFindings, 60));
  fStatuses.forEach((b) => b.addEventListener('change', refilterFindings));
  fMore.addEventListener('click', () => { fLimit = Infinity; drawFindings(); });
  const keyOf = {
    severity: (f) => sevRank[f.severity],
    status: (f) => stRank[f.status],
    rule: (f) => f.rule,
    principal: (f) => shortName(f.principal).toLowerCase(),
    model: (f) => f.model,
    region: (f) => f.regions.join(', '),
    route: (f) => f.route,
  };
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  let sortKey = 'severity';
  let sortDir = 1;
  const sortFindings = () => {
    const k = keyOf[sortKey];
    fOrder = F.map((_, i) => i).sort((a, b) =>
      sortDir * cmp(k(F[a]), k(F[b])) || cmp(sevRank[F[a].severity], sevRank[F[b].severity]) ||
      cmp(stRank[F[a].status], stRank[F[b].status]) || cmp(F[a].principal, F[b].principal) || a - b);
    document.querySelectorAll('#f thead th[data-key]').forEach((th) => {
      if (th.dataset.key === sortKey) th.setAttribute('aria-sort', (sortKey === 'severity' ? -sortDir : sortDir) > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    drawFindings();
  };
  document.querySelector('#f thead').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-sort]');
    if (!b) return;
    sortDir = b.dataset.sort === sortKey ? -sortDir : 1;
    sortKey = b.dataset.sort;
    sortFindings();
  });
  // A principal in the matrix filters the findings to it.
  mxBody.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-p]');
    if (!a) return;
    fFilter.value = rows[a.dataset.p].p;
    refilterFindings();
  });
  // Printing shows everything: every matching row, every policy document.
  window.addEventListener('beforeprint', () => {
    printing = true;
    document.querySelectorAll('details').forEach((d) => { d.open = true; });
    drawMatrix(true);
    drawFindings();
  });
  window.addEventListener('afterprint', () => { printing = false; drawMatrix(true); drawFindings(); });
  applyMatrix();
  sortFindings();
  document.documentElement.dataset.ready = '1';
})();
`;

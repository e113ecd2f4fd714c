import { describe, expect, it } from 'vitest';
import { escapeHtml, scriptJson } from '../../shared/report/html/escape.js';
import { findingRegions, findingRouteKinds, findingRoutesByRegion } from '../../shared/report/html/findings.js';
import { renderHtmlReport } from '../../shared/report/html/page.js';
import { FOLDED, foldedPlan, HOSTILE, hostilePlan, largePlan, planFixture } from './plan-fixture.js';

/** The embedded JSON the page's script reads. */
function embedded(html: string) {
  const m = /<script type="application\/json" id="bg-data">([^<]*)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no embedded data');
  return JSON.parse(m[1]) as {
    models: string[];
    rows: { p: string; k: string; t: string[]; x: boolean; c: string }[];
    findings: {
      principal: string;
      message: string;
      evidence: [string, string][];
      model: string;
      regions: string[];
      route: string;
      kinds: string[];
      where: string;
    }[];
  };
}

/** The text of the element with the given id (tags dropped, whitespace collapsed). */
function textOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no #${id}`);
  const end = html.indexOf('</section>', start);
  return html
    .slice(start, end)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('escapeHtml and scriptJson', () => {
  it('escapes every character that can open markup or close an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
    );
  });

  it('writes JSON no string in it can break out of a script element', () => {
    const s = scriptJson({ a: '</script><!-- & \u2028' });
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual({ a: '</script><!-- & \u2028' });
  });
});

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(planFixture());

  it('is one complete page and the same bytes for the same plan', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(renderHtmlReport(planFixture())).toBe(html);
  });

  it('references nothing outside the page', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    for (const m of html.matchAll(/\bhref\s*=\s*["']?([^"'\s>]*)/gi)) {
      expect(m[1], m[0]).toMatch(/^(#|data:)/);
    }
    expect(html).toContain(`default-src 'none'`);
  });

  it('shows the header: account, partition, time, file, drift and self-check', () => {
    expect(html).toContain('<code>111122223333</code>');
    expect(html).toContain('<code>aws</code>');
    expect(html).toContain('2025-06-01T12:00:00.000Z');
    expect(html).toContain('<code>bedrock-guard.yaml</code>');
    expect(html).toMatch(/id="drift">yes/);
    expect(html).toMatch(/id="selfcheck">passed/);
    const clean = renderHtmlReport(planFixture({ drift: false }));
    expect(clean).toMatch(/id="drift">no/);
  });

  it('counts findings by status and severity and actions by type', () => {
    expect(textOf(html, 'count-status')).toContain('Findings 8 6 open 1 contained 1 exempt');
    expect(textOf(html, 'count-severity')).toContain('1 critical 4 high 2 medium 1 low 0 info');
    expect(textOf(html, 'count-actions')).toContain('Actions 5 2 put-deny (1 create, 1 update) 1 remove-deny 2 alert');
  });

  it('embeds the matrix with one state code per cell, and counts the rows having each state', () => {
    const data = embedded(html);
    expect(data.models).toHaveLength(4);
    expect(data.rows.map((r) => [r.p.split('/').pop(), r.c, r.x])).toEqual([
      ['AppBackend', 'acnn', false],
      ['DataScience', 'aand', false],
      ['alice', 'eeee', false],
      ['BreakGlassAdmin', 'eeee', true],
      ['ci-bot', 'ancn', false],
      ['LegacyBatch', 'annn', false],
    ]);
    const legend = [
      ...html.matchAll(
        /data-state="(\w+)" checked><span class="c c-\w sw">[^<]*<\/span>\w+ <span class="muted">(\d+)/g,
      ),
    ];
    expect(legend.map((m) => [m[1], Number(m[2])])).toEqual([
      ['approved', 4],
      ['excess', 2],
      ['contained', 2],
      ['denied', 1],
      ['none', 4],
    ]);
    expect(html).toContain('6 of 6 principals');
    expect(html).toContain('8 of 8 findings');
  });

  it('gives every cell state a symbol and a label besides its colour', () => {
    const symbols = [
      ...html.matchAll(/<label class="lg" title="(\w+): [^"]+"><input[^>]*><span class="c c-(\w) sw">([^<]*)</g),
    ];
    expect(symbols.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['approved', 'a', '✓'],
      ['excess', 'e', '!'],
      ['contained', 'c', '⊘'],
      ['denied', 'd', '✗'],
      ['none', 'n', ''],
    ]);
  });

  it('writes evidence as policy name #index (Sid)', () => {
    const data = embedded(html);
    expect(data.findings[0]?.evidence).toEqual([
      [
        'AppBedrockAccess #0 (InvokeAll)',
        `Allow · identity managed · arn:aws:iam::111122223333:policy/AppBedrockAccess`,
      ],
    ]);
    expect(data.findings[3]?.evidence[0]?.[0]).toBe('alice-inline #2');
  });

  it('lists every action type, put-deny with its policy document', () => {
    const actions = textOf(html, 'actions');
    expect(actions.indexOf('put-deny create')).toBeLessThan(actions.indexOf('put-deny update'));
    expect(actions.indexOf('put-deny update')).toBeLessThan(actions.indexOf('remove-deny'));
    expect(actions.indexOf('remove-deny')).toBeLessThan(actions.indexOf('alert'));
    expect(actions).toContain('1,234 of 6,144 characters (20%)');
    expect(actions).toContain('LegacyBatch no longer has excess access');
    expect(actions).toContain('2 findings');
    expect(html).toContain('<details><summary>Policy document</summary><pre><code>{\n  &#34;Version&#34;');
    expect(html).toMatch(/class="size near"[^]*5,900 of 6,144/);
  });

  it('lists warnings, and the self-check problems only when it failed', () => {
    expect(textOf(html, 'warnings')).toContain('SCPs were not readable');
    expect(html).not.toContain('id="self-check"');
    const failed = renderHtmlReport(
      planFixture({ selfCheck: { passed: false, problems: ['deny for alice blocks nova'] } }),
    );
    expect(failed).toMatch(/id="selfcheck" href="#self-check">failed \(1\)/);
    expect(textOf(failed, 'self-check')).toContain('deny for alice blocks nova');
  });

  it('says so when there is nothing to report', () => {
    const empty = renderHtmlReport(
      planFixture({ findings: [], actions: [], warnings: [], matrix: { models: [], regions: [], rows: [] } }),
    );
    expect(empty).toContain('No findings: the account matches the file.');
    expect(empty).toContain('No action');
    expect(empty).toContain('No warnings.');
    expect(empty).toContain('0 of 0 principals');
  });

  it('escapes every plan string: hostile principals, teams, models, messages and file names stay text', () => {
    const page = renderHtmlReport(hostilePlan());
    // Only the page's own two script elements, and no attribute the plan smuggled in.
    expect(page.match(/<script/gi)).toHaveLength(2);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<b onclick/i);
    // `<` is always escaped in text, so `<name` opens a real element: none carries an event handler.
    expect(page).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i);
    const markup = page.replace(/<script type="application\/json"[^]*?<\/script>/, '');
    expect(markup).not.toContain('"onmouseover=');
    // The static parts show them escaped…
    expect(page).toContain('&#60;/title&#62;&#60;script&#62;window.__pwned=6&#60;/script&#62;');
    expect(page).toContain('&#60;img src=x onerror=&#34;window.__pwned=3&#34;&#62;');
    // …and the data for the script carries them intact.
    const data = embedded(page);
    expect(data.rows[0]?.p).toBe(HOSTILE.principal);
    expect(data.rows[0]?.t).toEqual([HOSTILE.team]);
    expect(data.findings[0]?.message).toBe(HOSTILE.message);
    expect(data.models[3]).toBe('<script>window.__pwned=7</script>');
  });

  it('shows a folded finding by its Regions and route kinds, and where each route is', () => {
    const [folded, single, feature] = FOLDED;
    // The helpers: `regions` when there is no `region`, the kinds only when routes were folded.
    expect(findingRegions(folded)).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(findingRegions(single)).toEqual(['us-east-1']);
    expect(findingRegions(feature)).toEqual([]);
    expect(findingRouteKinds(folded)).toEqual(['invoke', 'invoke-stream', 'async', 'cross-region-profile']);
    expect(findingRouteKinds(single)).toEqual([]);
    expect(findingRouteKinds(feature)).toEqual([]);
    expect(findingRoutesByRegion(folded)).toBe(
      [
        'us-east-1: invoke, invoke-stream, async, cross-region-profile, cross-region-profile-stream',
        'us-east-2: cross-region-profile, cross-region-profile-stream',
        'us-west-2: cross-region-profile',
      ].join('\n'),
    );
    expect(findingRoutesByRegion(single)).toBe('');
    // The page's data carries them, and nothing undefined.
    const data = embedded(renderHtmlReport(foldedPlan()));
    expect(data.findings.map((f) => [f.model, f.regions, f.route, f.kinds])).toEqual([
      [
        'amazon.nova-pro-v1:0',
        ['us-east-1', 'us-east-2', 'us-west-2'],
        'invoke, invoke-stream, async, cross-region-profile',
        ['invoke', 'invoke-stream', 'async', 'cross-region-profile'],
      ],
      ['amazon.nova-micro-v1:0', ['us-east-1'], 'cross-region-profile:us.amazon.nova-micro-v1:0', []],
      ['', [], 'agents', []],
    ]);
    expect(data.findings[0]?.where).toContain('us-east-2: cross-region-profile');
  });

  it('stays compact for a large account', () => {
    const big = renderHtmlReport(largePlan(2000, 100));
    // About one byte per cell for the matrix; the findings dominate.
    expect(big.length).toBeLessThan(4_000_000);
    expect(embedded(big).rows).toHaveLength(2000);
  });
});

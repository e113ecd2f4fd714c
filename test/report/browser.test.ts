import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromFiles } from '../../shared/core/plan/plan.js';
import type { CellState, Plan } from '../../shared/core/plan/types.js';
import { loadPolicyFile } from '../../shared/core/policy-file/parse.js';
import { CELL_STATE_STYLE } from '../../shared/report/html/matrix.js';
import { renderHtmlReport } from '../../shared/report/html/page.js';
import { readSnapshotFiles } from '../../shared/snapshot/read-folder.js';
import { NOW } from '../support/snapshot-fixtures.js';
import { foldedPlan, HOSTILE, hostilePlan, largePlan, planFixture } from './plan-fixture.js';

/**
 * The report as a person sees it: Debian's Chromium, headless, through
 * playwright-core (never a downloaded browser). Locally the suite skips when
 * Chromium is missing; in CI it fails and says how to install it.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Opened {
  readonly page: Page;
  readonly url: string;
  /** Console errors, page errors and dialogs, as text. */
  readonly problems: string[];
  readonly requests: string[];
  /** Milliseconds from navigation to the script's `data-ready`. */
  readonly loadMs: number;
}

/**
 * The little of the DOM the page functions use: the project's TypeScript has no
 * DOM library, and the page's CSP forbids evaluating strings. Page functions
 * are sent as source, so each casts `globalThis` itself.
 */
interface PageWindow {
  readonly document: {
    getElementById(id: string): { readonly textContent: string | null } | null;
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
  getComputedStyle(e: unknown): { readonly position: string };
  readonly __pwned?: unknown;
}
const counter = (page: Page, id: string) => page.$eval(`#${id}`, (e) => e.textContent);

/** The visible matrix rows: short name and the cells' `state:symbol`. */
const matrixRows = (page: Page) =>
  page.$$eval('#mx-body tr[data-i]', (trs) =>
    trs.map((tr) => [
      tr.querySelector('th a')?.textContent ?? '',
      [...tr.querySelectorAll('td.c')]
        .map((td) => `${td.getAttribute('title') ?? ''}:${td.textContent ?? ''}`)
        .join(' '),
    ]),
  );

const visibleNames = async (page: Page) => (await matrixRows(page)).map(([name]) => name);

const shortName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** The seed examples: every `examples/<name>/` with a policy file and a snapshot. */
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const EXAMPLE_NAMES = readdirSync(EXAMPLES)
  .filter((d) => existsSync(join(EXAMPLES, d, 'bedrock-guard.yaml')) && existsSync(join(EXAMPLES, d, 'snapshot')))
  .sort();

/** The real plan of an example, as `plan --report` computes it (at the suite's fixed time). */
async function examplePlan(name: string): Promise<Plan> {
  const files = await readSnapshotFiles(join(EXAMPLES, name, 'snapshot'));
  const text = readFileSync(join(EXAMPLES, name, 'bedrock-guard.yaml'), 'utf8');
  const { policy } = loadPolicyFile(text, `examples/${name}/bedrock-guard.yaml`);
  return planFromFiles(files, policy, { now: NOW }).plan;
}

/** What `matrixRows` should read for a plan's rows. */
const expectedRows = (plan: Plan, keep: (cells: readonly CellState[]) => boolean = () => true) =>
  plan.matrix.rows
    .filter((r) => keep(r.cells))
    .map((r) => [shortName(r.principal), r.cells.map((c) => `${c}:${CELL_STATE_STYLE[c].symbol}`).join(' ')]);

/** Waits until the element's text is `text` (the filters are debounced). */
async function waitForText(page: Page, id: string, text: string): Promise<void> {
  await page
    .waitForFunction(
      ([i, t]) => (globalThis as unknown as PageWindow).document.getElementById(i)?.textContent === t,
      [id, text] as const,
      {
        timeout: 5000,
      },
    )
    .catch(async (e: unknown) => {
      throw new Error(`#${id} never read "${text}"; it reads "${await counter(page, id)}" (${String(e)})`);
    });
}

// In CI a missing browser is a failure that says what to do, never a silent skip.
if (!HAVE_CHROMIUM && process.env.CI) {
  it('finds Chromium for the browser tests', () => {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. The browser tests need Debian's chromium ` +
        '(apt-get install -y chromium; .ci/run installs it) or CHROMIUM_PATH set to a Chromium binary. ' +
        'They skip locally without it, never in CI.',
    );
  });
}

describe.runIf(HAVE_CHROMIUM)('the HTML report in headless Chromium', () => {
  let browser: Browser | undefined;
  let dir = '';
  let files = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bedrock-guard-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(plan: Plan, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> {
    if (!browser) throw new Error('no browser');
    const file = join(dir, `report-${++files}.html`);
    writeFileSync(file, renderHtmlReport(plan));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r.url()));
    const start = Date.now();
    await page.goto(url);
    await page.waitForSelector('html[data-ready="1"]', { state: 'attached', timeout: 60_000 });
    return { page, url, problems, requests, loadMs: Date.now() - start };
  }

  /** No errors, no dialogs, and no request but the page itself. */
  function expectQuiet(o: Opened) {
    expect(o.problems).toEqual([]);
    expect(o.requests).toEqual([o.url]);
  }

  it('draws the matrix with every row and cell state, and the findings most severe first', async () => {
    const o = await open(planFixture());
    expect(await counter(o.page, 'mx-count')).toBe('6 of 6 principals');
    expect(await matrixRows(o.page)).toEqual([
      ['AppBackend', 'approved:✓ contained:⊘ none: none:'],
      ['DataScience', 'approved:✓ approved:✓ none: denied:✗'],
      ['alice', 'excess:! excess:! excess:! excess:!'],
      ['BreakGlassAdmin', 'excess:! excess:! excess:! excess:!'],
      ['ci-bot', 'approved:✓ none: contained:⊘ none:'],
      ['LegacyBatch', 'approved:✓ none: none: none:'],
    ]);
    expect(await o.page.$eval('#mx-body tr:nth-child(4) th', (th) => th.textContent)).toContain('exempt');
    expect(await o.page.$eval('#mx-body tr th a', (a) => a.getAttribute('title'))).toBe(
      'arn:aws:iam::111122223333:role/AppBackend',
    );
    const severities = await o.page.$$eval('#f-body tr td:first-child', (tds) => tds.map((t) => t.textContent));
    expect(severities).toEqual(['critical', 'high', 'high', 'high', 'high', 'medium', 'medium', 'low']);
    expect(await counter(o.page, 'f-count')).toBe('8 of 8 findings');
    // The header row stays in view while the matrix scrolls.
    expect(
      await o.page.$eval('#mx thead th', (th) => (globalThis as unknown as PageWindow).getComputedStyle(th).position),
    ).toBe('sticky');
    expectQuiet(o);
    await o.page.close();
  });

  it('narrows the rows as one types into the filter box, by principal or team', async () => {
    const o = await open(planFixture());
    const box = o.page.locator('#mx-filter');
    await box.pressSequentially('alic');
    await waitForText(o.page, 'mx-count', '1 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['alice']);
    await box.fill('');
    await waitForText(o.page, 'mx-count', '6 of 6 principals');
    await box.pressSequentially('RESEARCH'); // a team, any case
    await waitForText(o.page, 'mx-count', '1 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['DataScience']);
    await box.fill('app'); // AppBackend by name, ci-bot by team
    await waitForText(o.page, 'mx-count', '2 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['AppBackend', 'ci-bot']);
    await box.fill('nobody');
    await waitForText(o.page, 'mx-count', '0 of 6 principals');
    expect(await o.page.isVisible('#mx-empty')).toBe(true);
    await box.fill('');
    await waitForText(o.page, 'mx-count', '6 of 6 principals');
    expect(await o.page.isVisible('#mx-empty')).toBe(false);
    expectQuiet(o);
    await o.page.close();
  });

  it('keeps only the rows having a cell in the ticked states', async () => {
    const o = await open(planFixture());
    for (const s of ['approved', 'contained', 'denied', 'none']) await o.page.uncheck(`input[data-state="${s}"]`);
    await waitForText(o.page, 'mx-count', '2 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['alice', 'BreakGlassAdmin']);
    await o.page.check('input[data-state="contained"]');
    await waitForText(o.page, 'mx-count', '4 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['AppBackend', 'alice', 'BreakGlassAdmin', 'ci-bot']);
    // The text filter and the states combine.
    await o.page.fill('#mx-filter', 'user/');
    await waitForText(o.page, 'mx-count', '2 of 6 principals');
    expect(await visibleNames(o.page)).toEqual(['alice', 'ci-bot']);
    await o.page.fill('#mx-filter', '');
    await waitForText(o.page, 'mx-count', '4 of 6 principals');
    await o.page.uncheck('input[data-state="excess"]');
    await o.page.uncheck('input[data-state="contained"]');
    await waitForText(o.page, 'mx-count', '0 of 6 principals');
    for (const s of ['approved', 'excess', 'contained', 'denied', 'none'])
      await o.page.check(`input[data-state="${s}"]`);
    await waitForText(o.page, 'mx-count', '6 of 6 principals');
    expectQuiet(o);
    await o.page.close();
  });

  it('filters and sorts the findings, and a principal in the matrix filters them to it', async () => {
    const o = await open(planFixture());
    const column = (n: number) =>
      o.page.$$eval(`#f-body tr td:nth-child(${n})`, (tds) => tds.map((t) => t.textContent));
    await o.page.uncheck('input.f-status[value="open"]');
    await waitForText(o.page, 'f-count', '2 of 8 findings');
    expect(await column(2)).toEqual(['contained', 'exempt']);
    await o.page.check('input.f-status[value="open"]');
    await o.page.fill('#f-filter', 'AmazonBedrockFullAccess #0');
    await waitForText(o.page, 'f-count', '2 of 8 findings');
    await o.page.fill('#f-filter', '');
    await waitForText(o.page, 'f-count', '8 of 8 findings');
    await o.page.click('button[data-sort="severity"]');
    expect(await column(1)).toEqual(['low', 'medium', 'medium', 'high', 'high', 'high', 'high', 'critical']);
    expect(await o.page.$eval('th[data-key="severity"]', (th) => th.getAttribute('aria-sort'))).toBe('ascending');
    await o.page.click('button[data-sort="principal"]');
    expect(await column(4)).toEqual([
      'alice user',
      'alice user',
      'alice user',
      'AppBackend role',
      'BreakGlassAdmin role',
      'ci-bot user',
      'DataScience role',
      'DataScience role',
    ]);
    await o.page.click('#mx-body a[title$="role/BreakGlassAdmin"]');
    await waitForText(o.page, 'f-count', '1 of 8 findings');
    expect(await column(8)).toEqual([expect.stringContaining('BreakGlassAdmin can invoke cohere')]);
    // Cell tooltips name the principal and the model on hover.
    await o.page.hover('#mx-body tr:nth-child(3) td.c-e');
    expect(await o.page.$eval('#mx-body tr:nth-child(3) td.c-e', (td) => td.title)).toBe(
      'alice × amazon.nova-micro-v1:0: excess (IAM allows a route the file does not grant, and nothing blocks it yet)',
    );
    expectQuiet(o);
    await o.page.close();
  });

  it('shows folded findings by their Regions and route kinds, and a dash where a finding has none', async () => {
    const o = await open(foldedPlan());
    const cells = await o.page.$$eval('#f-body tr', (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td')].slice(4, 7).map((td) => [td.textContent, td.getAttribute('title') ?? '']),
      ),
    );
    expect(cells).toEqual([
      [
        ['amazon.nova-pro-v1:0', ''],
        [
          'us-east-1, us-east-2, us-west-2',
          'us-east-1: invoke, invoke-stream, async, cross-region-profile, cross-region-profile-stream\n' +
            'us-east-2: cross-region-profile, cross-region-profile-stream\nus-west-2: cross-region-profile',
        ],
        ['invoke, invoke-stream, async, cross-region-profile', ''],
      ],
      [
        ['amazon.nova-micro-v1:0', ''],
        ['us-east-1', ''],
        ['cross-region-profile:us.amazon.nova-micro-v1:0', ''],
      ],
      [
        ['—', ''],
        ['—', ''],
        ['agents', ''],
      ],
    ]);
    // The dashes say why, and the evidence sits under the message.
    expect(
      await o.page.$$eval('#f-body tr:nth-child(3) :is(td.w, td.rg) > span.muted', (s) => s.map((e) => e.title)),
    ).toEqual(['not about one model', 'not about one Region']);
    expect(await o.page.$eval('#f-body tr:nth-child(1) td.msg .ev', (e) => e.textContent)).toBe(
      'evidence: contractor-bedrock #0 (InvokeAnyModel)',
    );
    // Region filter and sort use every Region of a folded finding.
    await o.page.fill('#f-filter', 'us-west-2');
    await waitForText(o.page, 'f-count', '1 of 3 findings');
    await o.page.fill('#f-filter', '');
    await waitForText(o.page, 'f-count', '3 of 3 findings');
    await o.page.click('button[data-sort="region"]');
    expect(await o.page.$$eval('#f-body tr td:nth-child(6)', (tds) => tds.map((t) => t.textContent))).toEqual([
      '—',
      'us-east-1',
      'us-east-1, us-east-2, us-west-2',
    ]);
    expectQuiet(o);
    await o.page.close();
  });

  it('shows hostile plan strings as text and runs none of them', async () => {
    const o = await open(hostilePlan());
    expect(await o.page.evaluate(() => typeof (globalThis as unknown as PageWindow).__pwned)).toBe('undefined');
    expect(await o.page.$$eval('script', (s) => s.length)).toBe(2);
    expect(await o.page.$$eval('img, b[onclick], [onmouseover], [onerror]', (e) => e.length)).toBe(0);
    expect(await o.page.$eval('#mx-body tr th a', (a) => a.getAttribute('title'))).toBe(HOSTILE.principal);
    expect(await o.page.$eval('#mx-body tr td.t', (td) => td.textContent)).toBe(HOSTILE.team);
    const text = await o.page.$eval('body', (b) => b.innerText);
    expect(text).toContain(HOSTILE.message);
    expect(text).toContain('<script>window.__pwned=7</script>');
    expect(await o.page.title()).toBe('bedrock-guard plan · 111122223333');
    expect(await o.page.isVisible('#self-check')).toBe(true);
    expectQuiet(o);
    await o.page.close();
  });

  it('takes a full-page screenshot worth looking at (light and dark)', async () => {
    mkdirSync('out', { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const o = await open(
        planFixture({ selfCheck: { passed: false, problems: ['example: deny for ci-bot blocks nova'] } }),
        scheme,
      );
      const file = scheme === 'light' ? 'out/report-screenshot.png' : 'out/report-screenshot-dark.png';
      await o.page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(10_000);
      expectQuiet(o);
      await o.page.close();
    }
  });

  it("draws every example's real plan: all rows and cells, every finding, quietly", async () => {
    expect(EXAMPLE_NAMES).toContain('demo');
    expect(EXAMPLE_NAMES.length).toBeGreaterThan(1);
    for (const name of EXAMPLE_NAMES) {
      const plan = await examplePlan(name);
      const rows = plan.matrix.rows.length;
      const n = plan.findings.length;
      expect(rows, name).toBeGreaterThan(0);
      const o = await open(plan);
      expect(await counter(o.page, 'mx-count'), name).toBe(`${rows} of ${rows} principals`);
      expect(await o.page.$$eval('#mx-body tr[data-i]', (trs) => trs.length), name).toBe(rows);
      expect(await matrixRows(o.page), name).toEqual(expectedRows(plan));
      expect(await o.page.$$eval('#mx thead th.m', (ths) => ths.length), name).toBe(plan.matrix.models.length);
      expect(await counter(o.page, 'f-count'), name).toBe(`${n} of ${n} findings`);
      expect(await o.page.$$eval('#f-body tr', (trs) => trs.length), name).toBe(n);
      // Real findings fold routes and Regions, or have neither: no cell is left blank.
      const blank = await o.page.$$eval('#f-body tr', (trs) =>
        trs.flatMap((tr, i) =>
          [...tr.querySelectorAll('td')].flatMap((td, j) =>
            (td.textContent ?? '').trim() ? [] : [`row ${i} col ${j + 1}`],
          ),
        ),
      );
      expect(blank, name).toEqual([]);
      expectQuiet(o);
      await o.page.close();
    }
  });

  it("shows the demo's real matrix, filters it by state, and takes its screenshot", async () => {
    const plan = await examplePlan('demo');
    const o = await open(plan);
    const rows = plan.matrix.rows.length;
    // ContractorRole: the cells the plan says, symbol by symbol.
    const contractor = plan.matrix.rows.find((r) => r.principal.endsWith(':role/ContractorRole'));
    if (!contractor) throw new Error('the demo has no ContractorRole');
    expect(new Set(contractor.cells)).toContain('contained');
    const drawn = (await matrixRows(o.page)).find(([p]) => p === 'ContractorRole');
    expect(drawn?.[1]).toBe(contractor.cells.map((c) => `${c}:${CELL_STATE_STYLE[c].symbol}`).join(' '));
    await o.page.fill('#mx-filter', 'ContractorRole');
    await waitForText(o.page, 'mx-count', `1 of ${rows} principals`);
    const states = await o.page.$$eval('#mx-body tr[data-i] td.c', (tds) => tds.map((td) => td.getAttribute('title')));
    expect(states).toEqual(contractor.cells);
    await o.page.fill('#mx-filter', '');
    await waitForText(o.page, 'mx-count', `${rows} of ${rows} principals`);
    // Only the rows with an excess cell, then only those with a contained one.
    for (const s of ['approved', 'contained', 'denied', 'none']) await o.page.uncheck(`input[data-state="${s}"]`);
    const excess = expectedRows(plan, (c) => c.includes('excess'));
    expect(excess.length).toBeGreaterThan(0);
    expect(excess.length).toBeLessThan(rows);
    await waitForText(o.page, 'mx-count', `${excess.length} of ${rows} principals`);
    expect(await matrixRows(o.page)).toEqual(excess);
    await o.page.check('input[data-state="contained"]');
    await o.page.uncheck('input[data-state="excess"]');
    const contained = expectedRows(plan, (c) => c.includes('contained'));
    expect(contained.map(([p]) => p)).toContain('ContractorRole');
    expect(contained.length).toBeLessThan(rows);
    await waitForText(o.page, 'mx-count', `${contained.length} of ${rows} principals`);
    expect(await matrixRows(o.page)).toEqual(contained);
    for (const s of ['approved', 'excess', 'denied', 'none']) await o.page.check(`input[data-state="${s}"]`);
    await waitForText(o.page, 'mx-count', `${rows} of ${rows} principals`);
    // Clicking ContractorRole keeps its findings: one per model, its Regions in the Region column.
    await o.page.click('#mx-body a[title$=":role/ContractorRole"]');
    const mine = plan.findings.filter((f) => f.principal === contractor.principal);
    await waitForText(o.page, 'f-count', `${mine.length} of ${plan.findings.length} findings`);
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.every((f) => f.region === undefined && (f.regions?.length ?? 0) > 0)).toBe(true);
    const column = (n: number) =>
      o.page.$$eval(`#f-body tr td:nth-child(${n})`, (tds) => tds.map((t) => t.textContent));
    expect(await column(5)).toEqual(mine.map((f) => f.model));
    expect(await column(6)).toEqual(mine.map((f) => f.regions?.join(', ')));
    expect(await column(7)).toEqual(mine.map((f) => f.route));
    await o.page.fill('#f-filter', '');
    await waitForText(o.page, 'f-count', `${plan.findings.length} of ${plan.findings.length} findings`);
    mkdirSync('out', { recursive: true });
    await o.page.screenshot({ path: 'out/demo-report.png', fullPage: true });
    expect(statSync('out/demo-report.png').size).toBeGreaterThan(10_000);
    expectQuiet(o);
    await o.page.close();
  });

  it('stays usable with 2,000 principals × 100 models', async () => {
    const plan = largePlan(2000, 100);
    const o = await open(plan);
    expect(await counter(o.page, 'mx-count')).toBe('2000 of 2000 principals');
    // Only the rows around the viewport are in the page…
    const drawn = () =>
      o.page.$$eval('#mx-body tr[data-i]', (trs) => trs.map((tr) => Number(tr.getAttribute('data-i'))));
    const first = await drawn();
    expect(first[0]).toBe(0);
    expect(first.length).toBeLessThan(200);
    // …and scrolling draws the others.
    await o.page.$eval('#mx-wrap', (w) => w.scrollTo(0, w.scrollHeight));
    await o.page.waitForFunction(
      () =>
        (globalThis as unknown as PageWindow).document
          .querySelector('#mx-body tr[data-i]:last-of-type')
          ?.getAttribute('data-i') === '1999',
    );
    expect((await drawn()).length).toBeLessThan(200);
    let start = Date.now();
    await o.page.fill('#mx-filter', 'role/team-7/');
    await waitForText(o.page, 'mx-count', '50 of 2000 principals');
    const filterMs = Date.now() - start;
    expect(await drawn()).toHaveLength(50);
    await o.page.fill('#mx-filter', '');
    await waitForText(o.page, 'mx-count', '2000 of 2000 principals');
    start = Date.now();
    for (const s of ['approved', 'contained', 'denied', 'none']) await o.page.uncheck(`input[data-state="${s}"]`);
    const statesMs = Date.now() - start;
    const excess = Number((await counter(o.page, 'mx-count'))?.split(' ')[0]);
    expect(excess).toBeGreaterThan(0);
    expect(excess).toBeLessThan(2000);
    const n = plan.findings.length;
    expect(n).toBeGreaterThan(1000);
    expect(await counter(o.page, 'f-count')).toBe(`${n} of ${n} findings, first 500 shown`);
    await o.page.click('#f-more');
    expect(await o.page.$$eval('#f-body tr', (trs) => trs.length)).toBe(n);
    expect(await counter(o.page, 'f-count')).toBe(`${n} of ${n} findings`);
    console.log(`report 2000×100: load ${o.loadMs} ms, text filter ${filterMs} ms, 4 state filters ${statesMs} ms`);
    // Generous bounds for slow CI machines.
    expect(o.loadMs).toBeLessThan(10_000);
    expect(filterMs).toBeLessThan(3_000);
    expectQuiet(o);
    await o.page.close();
  }, 60_000);
});

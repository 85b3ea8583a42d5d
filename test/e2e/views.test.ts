import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@suanli/server';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launch, screenshotOnFailure } from './browser.ts';
import { compareWithReference, UPDATE } from './screens.ts';

const run = browserAvailable();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A simulation report as the browser keeps it, for `#/simulations/ID`. */
const REPORT = {
  id: 'itp-week-1a2b3c',
  scenario: { name: 'ITP week', workload: 'itp-2021', network: 'cn-national' },
  runs: [
    {
      policy: 'default',
      variant: 'as is',
      summary: {
        jobs: { finished: 1200 },
        jctS: { avg: 7200, p95: 36000 },
        queueDelayS: { avg: 600 },
        costCny: 123456,
        carbonKg: 45678,
        utilization: 0.61,
        jainIndex: 0.93,
      },
    },
  ],
};

/** Jobs of four tenants on four accelerator types, some staging a data set. */
function seedJobs(): string[] {
  const tenants = ['acme-ai', 'factory-vision', 'agri-lab', 'city-services'];
  const types = ['H100', 'H800', 'Ascend910B', 'H20'];
  return Array.from({ length: 16 }, (_, i) => {
    const data = i % 4 === 0 ? 'datasets: [{ name: common-crawl-zh }]\n' : '';
    return `name: seed-${i}\nkind: ${i % 3 ? 'train' : 'batch-infer'}\ntenant: ${tenants[i % 4]}\nresources:\n  accelerators: { ${types[i % 4]}: ${8 * (1 + (i % 6))} }\ngang: ${1 + (i % 2)}\ndurationS: ${3600 * (4 + i)}\n${data}`;
  });
}

/** A public chat service on unfiled weights: the China policy denies it (an alert). */
const DENIED = `name: chat-v2\nkind: serve\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 3600\nmodel: acme-chat-ft\nexposure: public-mainland\nservesSector: internet\nlabeling: true\n`;

/** Routes drawn by the same components as another (a filter or a range of the network view). */
const SAME_AS_ANOTHER = new Set(['history-24h', 'jobs-running']);

/**
 * Routes whose shape is the run's own live figures: the bills hold the attempts that ended, and
 * whether the chat service's replicas were scaled down yet depends on the hour the run starts in;
 * the power budgets ahead (zhongwei's day and night) and the load depend on the hour too.
 * They are checked for how they start and what is always there instead of against a picture.
 */
const LIVE_SHAPE: Readonly<Record<string, { readonly starts: RegExp; readonly always: readonly string[] }>> = {
  billing: {
    starts: /^Bills, \d{4}-\d{2}/,
    always: ['AI+ agriculture 2027', 'AI+ manufacturing 2027', 'Sector programmes', 'Offers'],
  },
  power: {
    starts: /^Power and grid/,
    always: [
      'Budgets over the day',
      'Region sichuan and its sites',
      'Sites in no grid region',
      'Levels now',
      'region sichuan',
      'site tianfu',
      'region guangdong',
      'site zhongwei',
      'Grid events',
      'No grid event yet',
      'npx suanli grid-events issue --site zhongwei --reduce-kw 500 --for 2h',
    ],
  },
};

describe.runIf(run)('every view by its address, in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page | undefined;
  let jobId = '';
  let serviceId = '';
  let startedAtS = 0;

  const post = (body: string) =>
    fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${server.operatorToken}` },
      body,
    });

  beforeAll(async () => {
    startedAtS = Date.now() / 1000;
    server = await startServer({
      port: 0,
      dataDir: join(mkdtempSync(join(tmpdir(), 'suanli-views-')), 'data'),
      speedup: 60,
      cycleMs: 100,
      historyStepS: 1,
      logger: pino({ level: 'silent' }),
    });
    for (const spec of seedJobs()) {
      const res = await post(spec);
      const body = (await res.json()) as { id: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      jobId ||= body.id;
    }
    expect((await post(DENIED)).status).toBe(403);
    const svc = await post(
      readFileSync(fileURLToPath(new URL('../../examples/jobs/chat-service.yaml', import.meta.url)), 'utf8'),
    );
    serviceId = ((await svc.json()) as { id: string }).id;
    browser = await launch();
    // Let the server record a few seconds of history before any page is opened.
    await new Promise((ok) => setTimeout(ok, 4000));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      console.error(`screenshot: ${await screenshotOnFailure(page, ctx.task.name)}`);
    }
    await page?.close();
    page = undefined;
  });

  /** A page of a browser that has been given the token once (kept by the page) and knows one report. */
  async function signedIn(width: number, height: number): Promise<{ page: Page; errors: string[] }> {
    const p = await browser.newPage({ viewport: { width, height } });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await p.goto(`${server.url}/#token=${server.operatorToken}`);
    await p.waitForFunction(() => window.localStorage.getItem('suanli.token') !== null);
    await p.evaluate((r) => window.localStorage.setItem('suanli.reports', JSON.stringify([r])), REPORT);
    return { page: p, errors };
  }

  /** The text of a region once it shows every one of `texts` (or after 10 s, to be checked by the caller). */
  async function shownText(p: Page, region: string, texts: readonly string[]): Promise<string> {
    const where = p.getByRole('region', { name: region });
    let text = (await where.textContent()) ?? '';
    for (let tries = 0; tries < 40 && !texts.every((t) => text.includes(t)); tries++) {
      await p.waitForTimeout(250);
      text = (await where.textContent()) ?? '';
    }
    return text;
  }

  /** Opens an address as a fresh load (not a change of fragment in a loaded page). */
  async function load(p: Page, hash: string): Promise<void> {
    await p.goto('about:blank');
    await p.goto(`${server.url}/${hash}`);
  }

  const routes = (): [name: string, hash: string, region: string][] => [
    ['network', '#/network', 'Network map'],
    ['history-24h', '#/network?range=24h', 'History'],
    ['jobs-running', '#/jobs?state=running', 'Job list'],
    ['job', `#/jobs/${jobId}`, 'Placement explanation'],
    ['site', '#/sites/zhongwei', 'Site zhongwei'],
    ['tenants', '#/tenants', 'Tenants and quotas'],
    ['tenant', '#/tenants/acme-ai', 'Tenant acme-ai'],
    ['quote', '#/quote', 'Quote and submit'],
    ['governance', '#/governance', 'Governance'],
    ['audit', '#/governance/audit', 'Audit log entries'],
    ['simulations', '#/simulations', 'Simulation reports'],
    ['simulation', `#/simulations/${REPORT.id}`, `Simulation ${REPORT.id}`],
    ['services', '#/services', 'Services'],
    ['service', `#/services/${serviceId}`, `Service ${serviceId}`],
    ['billing', '#/billing', 'Bills and market'],
    ['power', '#/power', 'Power and grid'],
    ['wall', '#/wall', 'Headline figures'],
  ];

  it('loads every route directly at 1920×1080 with no console error, passes axe, and matches its reference', async () => {
    const { page: p, errors } = await signedIn(1920, 1080);
    page = p;
    const decoder = await browser.newPage();
    const results: string[] = [];
    for (const [name, hash, region] of routes()) {
      await load(p, hash);
      await p.getByRole('region', { name: region }).waitFor();
      // Charts draw and the polls answer once before the picture is taken.
      await p.waitForTimeout(1000);
      const live = LIVE_SHAPE[name];
      // A live view is checked (and its accessibility too) once what is always there is shown.
      const text = live ? await shownText(p, region, live.always) : '';
      expect(errors, hash).toEqual([]);
      // Views drawn by the same components as another route need no second accessibility check.
      const violations = SAME_AS_ANOTHER.has(name)
        ? []
        : await p.addScriptTag({ path: AXE }).then(() =>
            p.evaluate(async () => {
              const axe = (
                window as unknown as {
                  axe: {
                    run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>;
                  };
                }
              ).axe;
              const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
              return r.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => (n as { target: unknown }).target))}`);
            }),
          );
      expect(violations, hash).toEqual([]);
      if (live) {
        for (const t of live.always) expect(text, `${hash} shows ${t}`).toContain(t);
        expect(text).toMatch(live.starts);
        continue;
      }
      const cmp = await compareWithReference(decoder, name, await p.screenshot());
      results.push(`${name}: mean ${cmp.meanDiff.toFixed(1)}, changed ${(cmp.changedCells * 100).toFixed(0)} %`);
      if (!UPDATE) {
        // Two runs differ by under 1 on average (live figures, times); a moved or missing panel by far more.
        expect(cmp.meanDiff, `${name} differs from test/e2e/screens/${name}.png`).toBeLessThan(10);
        expect(cmp.changedCells, `${name} differs from test/e2e/screens/${name}.png`).toBeLessThan(0.12);
      }
    }
    // The comparison tells a wrong page from the right one: the network view is not the wall.
    if (!UPDATE) {
      await load(p, '#/network');
      await p.getByRole('region', { name: 'Network map' }).waitFor();
      const wrong = await compareWithReference(decoder, 'network-as-wall', await p.screenshot(), 'wall');
      results.push(
        `network against the wall's reference: mean ${wrong.meanDiff.toFixed(1)}, changed ${(wrong.changedCells * 100).toFixed(0)} %`,
      );
      expect(wrong.meanDiff).toBeGreaterThan(10);
      expect(wrong.changedCells).toBeGreaterThan(0.12);
    }
    await decoder.close();
    console.log(`screenshots against references (test-results/screens/):\n  ${results.join('\n  ')}`);
  }, 400_000);

  it('loads every route directly at 1366×768 with no console error', async () => {
    const { page: p, errors } = await signedIn(1366, 768);
    page = p;
    for (const [, hash, region] of routes()) {
      await load(p, hash);
      await p.getByRole('region', { name: region }).waitFor();
      await p.waitForTimeout(300);
      expect(errors, hash).toEqual([]);
    }
  }, 60_000);

  it('shows the wall on one screen without scrolling, readable across a room, at 1920×1080 and 3840×2160', async () => {
    for (const [width, height, minFigurePx] of [
      [1920, 1080, 30],
      [3840, 2160, 60],
    ] as const) {
      const { page: p, errors } = await signedIn(width, height);
      page = p;
      await load(p, '#/wall');
      const figures = p.getByRole('region', { name: 'Headline figures' });
      await figures.locator('.figure-value', { hasText: /MW$/ }).waitFor();
      await p.waitForFunction(() => Number(document.querySelector('.wall-chart')?.getAttribute('data-points')) > 0);
      const box = await p.evaluate(() => ({
        scrollH: document.documentElement.scrollHeight,
        scrollW: document.documentElement.scrollWidth,
        innerH: window.innerHeight,
        innerW: window.innerWidth,
        figurePx: Number.parseFloat(getComputedStyle(document.querySelector('.figure-value') as Element).fontSize),
        textPx: Number.parseFloat(getComputedStyle(document.querySelector('.wall') as Element).fontSize),
      }));
      expect(box.scrollH, `no vertical scroll bar at ${width}×${height}`).toBeLessThanOrEqual(box.innerH);
      expect(box.scrollW, `no horizontal scroll bar at ${width}×${height}`).toBeLessThanOrEqual(box.innerW);
      expect(box.figurePx).toBeGreaterThanOrEqual(minFigurePx);
      expect(box.textPx).toBeGreaterThanOrEqual(minFigurePx / 1.7);
      // The map with Singapore in its inset, the sites, the alerts (the policy denial), the busy figure.
      const map = p.getByRole('img', { name: /Map of 15 sites/ });
      expect(await map.getAttribute('data-inset')).toBe('singapore');
      expect(await p.getByRole('table', { name: 'Sites' }).locator('tbody tr').count()).toBe(15);
      await p
        .getByRole('region', { name: 'Latest alerts' })
        .getByText(/denied by .*R12/)
        .waitFor();
      expect(Number((await figures.locator('.figure-value').first().textContent())?.replace(/,/g, ''))).toBeGreaterThan(
        0,
      );
      expect(errors).toEqual([]);
      await p.close();
      page = undefined;
    }
  }, 60_000);

  it('opens the wall from the address `suanli serve` prints, with the token in it, and keeps the view', async () => {
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.url}/#/wall?token=${server.operatorToken}`);
    await page.getByRole('region', { name: 'Headline figures' }).locator('.figure-value', { hasText: /MW$/ }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/wall'); // the token left the address bar, the view stayed
    await page.reload();
    await page.getByRole('region', { name: 'Headline figures' }).locator('.figure-value', { hasText: /MW$/ }).waitFor();
  });

  it('draws history the server recorded before the page was opened, and keeps the range across a reload', async () => {
    const { page: p, errors } = await signedIn(1366, 768);
    page = p;
    const openedAtS = Date.now() / 1000;
    await load(p, '#/network');
    const chart = p.getByRole('img', { name: 'Utilization and queue depth over time' });
    await p.waitForFunction(() => Number(document.querySelector('[data-first-at]')?.getAttribute('data-points')) >= 2);
    const firstAtS = Number(await chart.getAttribute('data-first-at'));
    expect(firstAtS).toBeLessThan(openedAtS - 1);
    expect(firstAtS).toBeGreaterThanOrEqual(Math.floor(startedAtS) - 10);

    await p.getByRole('button', { name: '24 h' }).click();
    await p.waitForURL(/#\/network\?range=24h$/);
    await p.reload();
    await p.getByRole('region', { name: 'History' }).waitFor();
    expect(await p.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    expect(await chart.getAttribute('data-range')).toBe('24h');
    expect(errors).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { SYSTEM } from '@suanli/service';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launch, screenshotOnFailure } from './browser.ts';

const run = browserAvailable();
/** axe-core, injected into the page to check accessibility. */
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The serious and critical WCAG 2 A/AA violations axe finds on the page (axe loaded): with the nodes' targets, or their count. */
function seriousViolations(page: Page, targets: boolean): Promise<string[]> {
  return page.evaluate(async (withTargets) => {
    const axe = (
      window as unknown as {
        axe: { run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe;
    const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) =>
        withTargets
          ? `${v.id}: ${JSON.stringify(v.nodes.map((n) => (n as { target: unknown }).target))}`
          : `${v.id} (${v.nodes.length})`,
      );
  }, targets);
}

describe.runIf(run)('dashboard in headless Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir: join(mkdtempSync(join(tmpdir(), 'suanli-web-')), 'data'),
      speedup: 60,
      cycleMs: 100,
      historyStepS: 1,
      logger: pino({ level: 'silent' }),
    });
    browser = await launch();
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
  });

  it('shows the network map, then a submitted job and its placement explanation', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Opened as `suanli serve` prints it: the token in the fragment, kept by the page.
    await page.goto(`${server.url}/#token=${server.operatorToken}`);

    const map = page.getByRole('img', { name: /Map of 15 sites/ });
    await map.waitFor();
    expect(await map.getAttribute('data-sites')).toBe('15');
    expect(new URL(page.url()).hash).toBe(''); // the token left the address bar
    expect(await map.locator('canvas').count()).toBeGreaterThan(0);
    await page.getByLabel('Colour sites by').selectOption('carbon');
    expect(await map.getAttribute('data-colour-by')).toBe('carbon');
    await page.waitForFunction(() => Number(document.querySelector('[data-links]')?.getAttribute('data-links')) > 10);

    const res = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${server.operatorToken}` },
      body: 'name: web-check\nkind: train\ntenant: acme-ai\nresources:\n  accelerators: { H100: 8 }\ndurationS: 36000\n',
    });
    const job = (await res.json()) as { id: string };

    // The page polls: the job appears without a reload, and the scheduler places it.
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByText('running').waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'web-check' }).click();

    const detail = page.getByRole('region', { name: 'Placement explanation' });
    await detail.getByRole('table', { name: 'Ranked sites' }).waitFor();
    expect(await detail.getByText(/^placed: /).count()).toBe(1);
    expect(await detail.locator('table[aria-label="Ranked sites"] tbody tr').count()).toBeGreaterThan(0);
    expect(await detail.getByRole('heading', { name: 'Filtered out' }).count()).toBe(1);

    // Back to the network: the history from the server, and spend by site showing the job's site.
    await detail.getByRole('link', { name: '← all jobs' }).click();
    const over = page.getByRole('img', { name: 'Utilization and queue depth over time' });
    await page.waitForFunction(() => Number(document.querySelector('[data-points]')?.getAttribute('data-points')) >= 2);
    expect(await over.locator('canvas').count()).toBeGreaterThan(0);
    const spend = page.getByRole('img', { name: 'Energy, cost and carbon of placed jobs by site' });
    expect(Number(await spend.getAttribute('data-sites'))).toBeGreaterThan(0);
    // One unit per axis: cost, energy and carbon side by side, never on one axis.
    expect(await spend.getAttribute('data-axes')).toBe('cost (CNY)|energy (kWh)|carbon (kgCO2)');
    expect((await spend.boundingBox())?.height).toBeGreaterThan(200);
    const hourly = page.getByRole('img', { name: 'Energy, cost and carbon of placed jobs by hour of day' });
    expect(Number(await hourly.getAttribute('data-jobs'))).toBeGreaterThan(0);
  });

  it('gives every view and job an address: a reload keeps it, back and forward move between them', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('img', { name: /Map of 15 sites/ }).waitFor();
    const res = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${server.operatorToken}` },
      body: 'name: addressed\nkind: train\ntenant: acme-ai\nresources:\n  accelerators: { H100: 8 }\ndurationS: 36000\n',
    });
    const job = (await res.json()) as { id: string };

    // A job's address opens its explanation, also after a reload (the token stays with the page).
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    const detail = page.getByRole('region', { name: 'Placement explanation' });
    await detail.getByText(job.id).first().waitFor();
    await page.reload();
    await detail.getByText(job.id).first().waitFor();

    // Views change the address; back returns to the job, forward to the view.
    await page.getByRole('button', { name: 'Governance' }).click();
    await page.waitForURL(/#\/governance$/);
    await page.goBack();
    await page.waitForURL(new RegExp(`#/jobs/${job.id}$`));
    await detail.getByText(job.id).first().waitFor();
    await page.goForward();
    await page.getByRole('region', { name: 'Governance' }).waitFor();

    // A site has its page, linked from the job list: pools, tariff by hour, its jobs, its links.
    await page.goto(`${server.url}/#/jobs?state=running`);
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    const siteId = (await row.locator('td').nth(4).getByRole('link').textContent()) ?? '';
    await row.getByRole('link', { name: siteId }).click();
    await page.waitForURL(new RegExp(`#/sites/${siteId}$`));
    const site = page.getByRole('region', { name: `Site ${siteId}` });
    expect(await site.getByRole('table', { name: 'Pools' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(
      await site.getByRole('img', { name: `Electricity price by local hour at ${siteId}` }).getAttribute('data-hours'),
    ).toBe('24');
    await site.locator(`tr[data-job-id="${job.id}"]`).waitFor();
    expect(await site.getByRole('table', { name: 'Links' }).locator('tbody tr').count()).toBeGreaterThan(0);

    // The list's filter is in the address too.
    await page.goto(`${server.url}/#/jobs?state=running`);
    expect(await page.getByLabel('State').inputValue()).toBe('running');
    await page.getByLabel('State').selectOption('pending');
    await page.waitForURL(/#\/jobs\?state=pending$/);
  });

  it('gets a quote, submits the job, follows it, and cancels it', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('button', { name: 'Quote and submit' }).click();
    const form = page.getByRole('region', { name: 'Quote and submit' });
    await form
      .getByLabel('Job spec (YAML or JSON)')
      .fill(
        'name: web-quote\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H800: 8 } }\ndurationS: 360000\n',
      );
    await form.getByRole('button', { name: 'Get a quote' }).click();
    const ranked = form.getByRole('table', { name: 'Ranked sites' });
    await ranked.waitFor();
    expect(await ranked.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await form.getByText(/^best: /).count()).toBe(1);

    await form.getByRole('button', { name: 'Submit' }).click();
    // Back on the network view with the new job selected: its explanation, then cancel it.
    const detail = page.getByRole('region', { name: 'Placement explanation' });
    await detail.getByRole('button', { name: 'Cancel job' }).waitFor({ timeout: 10_000 });
    await detail.getByRole('button', { name: 'Cancel job' }).click();
    await detail.getByText('cancelled').first().waitFor({ timeout: 10_000 });
    await detail.getByRole('link', { name: '← all jobs' }).click();
    // The job list filters by state.
    await page.getByLabel('State').selectOption('cancelled');
    const rows = page.getByRole('region', { name: 'Job list' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    for (const text of await rows.allInnerTexts()) expect(text).toContain('cancelled');
  });

  it('shows the rules, the catalog, the registry and the audit log; keyboard reaches every view', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('button', { name: 'Governance' }).focus();
    await page.keyboard.press('Enter');
    const gov = page.getByRole('region', { name: 'Governance' });
    await gov.locator('[data-audit-ok="true"]').waitFor({ timeout: 10_000 });
    await gov.getByRole('cell', { name: 'R01', exact: true }).waitFor();
    expect(await gov.getByRole('cell', { name: 'medical-imaging-sh' }).count()).toBe(1);
    expect(await gov.getByRole('cell', { name: 'acme-chat-ft' }).count()).toBe(1);
  });

  it('explains why a job is pending', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    // A data set without a classification: the rules keep it from every site (fail closed).
    const res = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${server.operatorToken}` },
      body: 'name: unclassified\nkind: train\ntenant: acme-ai\nresources: { accelerators: { H100: 8 } }\ndurationS: 600\ndatasets:\n  - { name: scratch, sizeGb: 1, sites: [beijing], pi: none }\n',
    });
    const job = (await res.json()) as { id: string };
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'unclassified' }).click();
    const why = page.getByRole('region', { name: 'Why pending' });
    await why.getByText(/R01 cannot be evaluated/).waitFor({ timeout: 10_000 });
    expect(await why.getByText(/jobs? ahead in the queue/).count()).toBe(1);
  });

  it('shows tenants and quotas, and compares simulation reports side by side', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('button', { name: 'Tenants and quotas' }).click();
    const commercial = page.getByRole('region', { name: 'Cluster queue commercial' });
    await commercial.waitFor({ timeout: 10_000 });
    expect(await commercial.getByText(/Tenants: .*acme-ai/).count()).toBe(1);
    expect(await commercial.getByRole('cell', { name: 'H800', exact: true }).count()).toBe(1);

    await page.getByRole('button', { name: 'Simulation reports' }).click();
    const report = {
      format: 'suanli-simulation-report/1',
      scenario: { name: 'wall-test', workload: 'synthetic', network: 'cn-national' },
      runs: ['default', 'fifo-nearest'].map((policy, i) => ({
        policy,
        variant: 'baseline',
        summary: {
          jobs: { finished: 100 },
          jctS: { avg: 3600 * (1 + i), p95: 7200 },
          queueDelayS: { avg: 60 },
          costCny: 1000,
          carbonKg: 2000,
          utilization: 0.5,
          jainIndex: 0.9,
        },
      })),
    };
    await page.getByLabel('Open report.json files').setInputFiles({
      name: 'report.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(report)),
    });
    const runs = page.getByRole('table', { name: 'Simulation runs' });
    await runs.waitFor();
    expect(await runs.locator('tbody tr').count()).toBe(2);
    expect(await runs.getByRole('cell', { name: 'fifo-nearest' }).count()).toBe(1);
  });

  it("shows a tenant member only their tenant's jobs", async () => {
    const { token } = await server.service.createToken(
      {
        name: 'web-member',
        role: 'tenant-member',
        tenant: 'insure-co',
      },
      SYSTEM,
    );
    await server.service.submit(
      {
        text: 'name: insure-job\nkind: batch-infer\ntenant: insure-co\nresources: { accelerators: { H20: 8 } }\ndurationS: 600\n',
      },
      SYSTEM,
    );
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${token}`);
    const rows = page.getByRole('region', { name: 'Job list' }).locator('tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    const tenants = await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(tenants.length).toBeGreaterThan(0);
    for (const t of tenants) expect(t).toContain('insure-co');
    // The audit log is for operators and auditors: the member's governance view says so.
    await page.getByRole('button', { name: 'Governance' }).click();
    await page.getByRole('region', { name: 'Audit log' }).getByRole('alert').waitFor();
  });

  it('marks a site out of service and a cut link on the map, the wall and the site page, with alerts', async () => {
    const put = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.operatorToken}` },
        body: JSON.stringify(body),
      });
    expect((await put('/v1/sites/zhongwei/health', { state: 'out', reason: 'drill' })).status).toBe(200);
    expect((await put('/v1/links/helinger/zhongwei/health', { state: 'cut', reason: 'fibre cut' })).status).toBe(200);
    try {
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${server.url}/#token=${server.operatorToken}`);
      const map = page.getByRole('img', { name: /Map of 15 sites/ });
      await map.waitFor();
      await page.waitForFunction(() => document.querySelector('[data-out]')?.getAttribute('data-out') === 'zhongwei');
      await page.waitForFunction(() => Number(document.querySelector('[data-cut]')?.getAttribute('data-cut')) === 1);
      await page.goto(`${server.url}/#/sites/zhongwei`);
      await page.getByRole('status').filter({ hasText: 'Out of service' }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Out of service' }).textContent()).toContain('drill');
      await page.goto(`${server.url}/#/wall`);
      await page.getByText('out of service', { exact: true }).first().waitFor();
      await page
        .getByRole('region', { name: 'Latest alerts' })
        .getByText(/site zhongwei out of service/)
        .waitFor();
    } finally {
      expect((await put('/v1/sites/zhongwei/health', { state: 'in-service' })).status).toBe(200);
      expect((await put('/v1/links/helinger/zhongwei/health', { state: 'in-service' })).status).toBe(200);
    }
  });

  it('keeps the map usable with 1,000 sites', async () => {
    // A network of 1,000 sites spread over China, one H100 pool each.
    const lines = ['name: thousand', 'tenants:', '  - { id: acme-ai, name: Acme, sector: internet }', 'sites:'];
    for (let i = 0; i < 1000; i++) {
      const lat = 22 + ((i * 37) % 2400) / 100;
      const lon = 98 + ((i * 53) % 2400) / 100;
      lines.push(
        `  - { id: s${i}, name: Site ${i}, province: P, lat: ${lat}, lon: ${lon}, pue: 1.2, powerCapMw: 5, gridCarbonKgPerKwh: ${(0.1 + (i % 7) / 10).toFixed(2)}, tariff: { flatCnyPerKwh: 0.5 }, pools: [{ accelerator: H100, count: 64, priceCnyPerAcceleratorHour: 10 }] }`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'suanli-web-1k-'));
    const file = join(dir, 'thousand.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const big = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      networkFile: file,
      policyFile: false,
      cycleMs: 500,
      logger: pino({ level: 'silent' }),
    });
    try {
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${big.url}/#token=${big.operatorToken}`);
      const map = page.getByRole('img', { name: /Map of 1000 sites/ });
      await map.waitFor({ timeout: 20_000 });
      // Zoom and pan it, recolour it, leave and come back: the page keeps answering.
      await map.hover();
      await page.mouse.wheel(0, -400);
      await page.mouse.down();
      await page.mouse.move(700, 400);
      await page.mouse.up();
      await page.getByLabel('Colour sites by').selectOption('carbon');
      expect(await map.getAttribute('data-colour-by')).toBe('carbon');
      await page.getByRole('button', { name: 'Governance' }).click();
      await page.getByRole('button', { name: 'Network and jobs' }).click();
      await page.getByRole('img', { name: /Map of 1000 sites/ }).waitFor();
    } finally {
      await big.close();
    }
  }, 120_000);

  it('shows power budgets over the day and a grid event with its plan and what was carried out', async () => {
    const auth = { authorization: `Bearer ${server.operatorToken}` };
    const res = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...auth },
      body: 'name: grid-shed\nkind: train\ntenant: acme-ai\nresources:\n  accelerators: { H100: 64 }\ndurationS: 36000\n',
    });
    const job = (await res.json()) as { id: string };
    let siteId = '';
    for (let tries = 0; tries < 100 && !siteId; tries++) {
      const j = (await (await fetch(`${server.url}/v1/jobs/${job.id}`, { headers: auth })).json()) as {
        state: string;
        placement?: { siteId: string };
      };
      if (j.state === 'running' && j.placement) siteId = j.placement.siteId;
      else await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(siteId).not.toBe('');
    const issued = await fetch(`${server.url}/v1/grid-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      // More than the site's idle floor gives: the job is asked too.
      body: JSON.stringify({ site: siteId, ceilingKw: 1, durationS: 3600, complyWithinS: 60 }),
    });
    const event = (await issued.json()) as { id: string; plan: { actions: unknown[]; parked: unknown[] } };
    expect(issued.status, JSON.stringify(event)).toBe(201);
    expect(event.plan.actions.length).toBeGreaterThan(0);
    expect(event.plan.parked.length).toBeGreaterThan(0);

    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('button', { name: 'Power and grid' }).click();
    await page.waitForURL(/#\/power$/);
    const power = page.getByRole('region', { name: 'Power and grid' });
    // A chart per group: the three grid regions with their sites, then the sites in no region.
    const charts = power.getByRole('img', { name: /budget over the next 24 hours/ });
    await charts.first().waitFor();
    expect(await charts.count()).toBe(4);
    expect(await charts.first().getAttribute('aria-label')).toMatch(/^Region sichuan and its sites.*site tianfu/);
    expect(await charts.first().locator('canvas').count()).toBeGreaterThan(0);
    const levels = power.getByRole('table', { name: 'Power levels' });
    await levels.locator('tr[data-level="region:sichuan"]').waitFor();
    expect(await levels.locator('tr[data-level="site:tianfu"]').textContent()).toMatch(/kW/);

    // The event, newest first: its ask and plan; opened, its actions and what was carried out.
    const row = power.getByRole('table', { name: 'Grid events' }).locator(`tr[data-event-id="${event.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('≤ 1 kW');
    expect(await row.textContent()).toContain(`site ${siteId}`);
    const open = row.getByRole('button', { name: event.id });
    expect(await open.getAttribute('aria-expanded')).toBe('false');
    await open.click();
    expect(await open.getAttribute('aria-expanded')).toBe('true');
    const plan = power.getByRole('table', { name: `Plan of ${event.id}` });
    await plan.waitFor();
    expect(await plan.locator('tbody tr').count()).toBe(event.plan.actions.length);
    expect(await power.textContent()).toMatch(/Powers down [\d,]+ idle accelerators of /);
    await power.getByRole('list', { name: `Carried out for ${event.id}` }).waitFor({ timeout: 10_000 });

    await page.addScriptTag({ path: AXE });
    const violations = await seriousViolations(page, true);
    expect(violations).toEqual([]);
  });

  it('passes an accessibility check (axe: labels, roles, contrast) on every view', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/#token=${server.operatorToken}`);
    await page.getByRole('img', { name: /Map of 15 sites/ }).waitFor();
    await page.addScriptTag({ path: AXE });
    const views: [string, string][] = [
      ['Network and jobs', 'Network map'],
      ['Quote and submit', 'Quote and submit'],
      ['Tenants and quotas', 'Tenants and quotas'],
      ['Power and grid', 'Power and grid'],
      ['Governance', 'Governance'],
      ['Simulation reports', 'Simulation reports'],
    ];
    const site = 'zhongwei';
    for (const [view, region] of [...views, [`#/sites/${site}`, `Site ${site}`] as [string, string]]) {
      if (view.startsWith('#')) await page.evaluate((hash) => (window.location.hash = hash), view);
      else await page.getByRole('button', { name: view }).click();
      await page.getByRole('region', { name: region }).waitFor();
      const violations = await seriousViolations(page, false);
      expect(violations, view).toEqual([]);
    }
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '@suanli/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWith } from './cli.fixture.ts';

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'suanli-power-'));
const spec = join(dir, 'job.yaml');
writeFileSync(
  spec,
  'name: long-train\nkind: train\ntenant: acme-ai\nresources:\n  accelerators: { H100: 64 }\ndurationS: 864000\npreemptible: false\ncheckpoint: { intervalS: 1800, sizeGb: 20 }\n',
);

beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: join(dir, 'data'),
    speedup: 60,
    cycleMs: 50,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await server.close();
});

const cli = cliWith(() => ({ SUANLI_URL: server.url, SUANLI_TOKEN: server.operatorToken }));

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('suanli power and grid events', () => {
  it('shows the budget tree, issues a grid event with its plan, lists and shows it, and adds a window', async () => {
    const tree = await cli('power');
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^LEVEL\s+BUDGET KW/);
    expect(tree.stdout).toContain('region sichuan');
    expect(tree.stdout).toMatch(/\n {2}site tianfu/);

    const submitted = await cli('submit', spec, '--json');
    const id = (JSON.parse(submitted.stdout) as { id: string }).id;
    await until(async () => (await cli('job', id)).stdout.includes('running'));
    const job = JSON.parse((await cli('job', id, '--json')).stdout) as { placement: { siteId: string } };
    const site = job.placement.siteId;

    // Idle accelerators there are powered down first: no job is touched for a small cut.
    const small = await cli(
      'grid-events',
      'issue',
      '--site',
      site,
      '--reduce-kw',
      '50',
      '--for',
      '2h',
      '--comply-within',
      '5m',
    );
    expect(small.code).toBe(0);
    expect(small.stdout).toMatch(/^ge-\S+: site \S+ −50 kW from .* for 2 h/);
    expect(small.stdout).toContain('the plan meets the request');
    expect(small.stdout).toMatch(/powers down \d+ idle accelerators of /);
    // A region-wide ask beyond every idle floor reaches the job, and falls short.
    const issued = await cli(
      'grid-events',
      'issue',
      '--site',
      site,
      '--reduce-kw',
      '5000',
      '--for',
      '2h',
      '--comply-within',
      '5m',
    );
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain(id);
    expect(issued.stdout).toMatch(/the plan falls short by [\d,.]+ kW/);

    const eventId = issued.stdout.split(':')[0] as string;

    const list = await cli('grid-events');
    expect(list.stdout).toMatch(/^EVENT\s+TARGET\s+ASK/);
    expect(list.stdout).toContain(eventId);
    const one = await cli('grid-event', eventId, '--json');
    expect((JSON.parse(one.stdout) as { plan: { feasible: boolean } }).plan.feasible).toBe(false);
    await until(async () => (await cli('grid-event', eventId)).stdout.includes('carried out'));
    const shown = (await cli('grid-event', eventId)).stdout;
    expect(shown, shown).toMatch(/carried out at .*: (\d+) of \1 actions/);
    expect((await cli('job', id)).stdout).toContain(eventId);

    const w = await cli('power', 'window', 'region', 'sichuan', '--from', '1d', '--to', '2d', '--kw', '2000');
    expect(w).toMatchObject({ code: 0 });
    expect(w.stdout).toContain('region sichuan: 2000 kW');
    expect((await cli('power')).stdout).toContain('contracted windows:');
  });

  it('refuses bad calls with exit 2 and one line naming what is wrong', async () => {
    const cases: [string[], string][] = [
      [['grid-events', 'issue', '--region', 'atlantis', '--reduce-kw', '5', '--for', '1h'], 'unknown region atlantis'],
      [['grid-events', 'issue', '--site', 'tianfu', '--for', '1h'], 'reductionKw'],
      [['grid-events', 'issue', '--site', 'tianfu', '--reduce-kw', '5', '--for', '2d'], '--for'],
      [['grid-events', 'issue', '--site', 'tianfu', '--reduce-kw', '-5', '--for', '1h'], '--reduce-kw'],
      [
        [
          'grid-events',
          'issue',
          '--site',
          'tianfu',
          '--reduce-kw',
          '5',
          '--for',
          '1h',
          '--start',
          '2020-01-01T00:00:00Z',
        ],
        'in the past',
      ],
      [['grid-event', 'ge-none'], 'no grid event ge-none'],
      [['power', 'window', 'hall', 'x', '--from', 'now', '--to', '1h', '--kw', '5'], 'level must be'],
    ];
    for (const [argv, says] of cases) {
      const r = await cli(...argv);
      expect([r.code, r.stderr.trim().split('\n').length], argv.join(' ')).toEqual([2, 1]);
      expect(r.stderr, argv.join(' ')).toContain(says);
    }
  });
});

import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWith } from './cli.fixture.ts';
import { chromiumPath } from './simulate.ts';

const dir = mkdtempSync(join(tmpdir(), 'suanli-sim-'));

const SCENARIO = `name: tiny
network: cn-national
workload:
  synthetic: { jobs: 200, arrivalsPerHour: 100, seed: 3 }
policies: [default, fifo-nearest]
whatIf:
  - name: cheap-west
    changes:
      - tariff: { site: qingyang, factor: 0.5 }
`;

const cli = cliWith(() => ({ ...process.env }));

describe('suanli simulate', () => {
  const scenario = join(dir, 'tiny.yaml');
  writeFileSync(scenario, SCENARIO);

  it('runs every policy and what-if, prints a summary and writes the JSON and HTML report', async () => {
    const out = join(dir, 'report');
    const r = await cli('simulate', scenario, '--out', out);
    expect(r.stderr).toContain('run 1/3 default');
    expect(r.stderr).toContain('run 3/3 default · cheap-west');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^run\s+Average JCT \(h\)/);
    expect(r.stdout).toContain('fifo-nearest');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.runs.map((x: { policy: string; variant: string }) => `${x.policy}/${x.variant}`)).toEqual([
      'default/baseline',
      'fifo-nearest/baseline',
      'default/cheap-west',
    ]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
  }, 120_000);

  it('fails with exit code 2 and one line naming the file, line and field of a bad scenario', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, SCENARIO.replace('tariff: { site: qingyang', 'tariff: { site: atlantis'));
    const r = await cli('simulate', bad, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /bad\.yaml:9:\d+: whatIf\[0\]\.changes\[0\]: unknown site atlantis .*\[INVALID_SCENARIO\]/,
    );
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it.skipIf(!existsSync(chromiumPath(process.env)))(
    'renders every chart to PNG with --png',
    async () => {
      const out = join(dir, 'png');
      const r = await cli('simulate', scenario, '--out', out, '--png');
      expect(r.code).toBe(0);
      const pngs = readdirSync(out).filter((f) => f.endsWith('.png'));
      expect(pngs).toContain('jct-avg.png');
      expect(pngs.length).toBeGreaterThan(10);
      const png = readFileSync(join(out, 'jct-avg.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(5_000);
    },
    120_000,
  );
});

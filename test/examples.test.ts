import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtinPolicy, loadNetworkFile, loadScenarioFile, SuanliError, SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const files = (dir: string) => readdirSync(`${EXAMPLES}${dir}`).filter((f) => f.endsWith('.yaml'));

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

/** What an example promises, from its `# outcome:` line: accepted, or refused with a code. */
function outcome(text: string): { accepted: true } | { accepted: false; code: string } {
  const m = /^# outcome: (accepted|refused (\w+))/m.exec(text);
  if (!m) throw new Error('an example job says what happens to it in an `# outcome:` line');
  return m[1] === 'accepted' ? { accepted: true } : { accepted: false, code: m[2] ?? '' };
}

describe('every shipped example does what it says (the built-in network, the China policy)', () => {
  it.each(files('jobs'))('jobs/%s: quoted and submitted as its outcome line says', async (file) => {
    const text = readFileSync(`${EXAMPLES}jobs/${file}`, 'utf8');
    const expected = outcome(text);
    h = await harness({ policy: builtinPolicy() });
    const source = `examples/jobs/${file}`;
    if (expected.accepted) {
      const quote = await h.service.quote({ text, source }, SYSTEM);
      expect(quote.options.length, quote.summary).toBeGreaterThan(0);
      const job = await h.service.submit({ text, source }, SYSTEM);
      if (job.spec.service) {
        // A service runs from its submission; its replicas are the jobs placed.
        expect(job.state).toBe('running');
        await h.cycle();
        const view = await h.service.service(job.id, SYSTEM);
        expect(view.replicas.length).toBeGreaterThanOrEqual(job.spec.service.minReplicas);
        expect(view.replicas.every((r) => r.state === 'scheduled' || r.state === 'running')).toBe(true);
        return;
      }
      expect(job.state).toBe('pending');
      await h.cycle();
      // The network is empty: an accepted example is placed at once, or (a deadline allowing) held
      // for cheaper or greener hours with a reason.
      const placed = await h.service.getJob(job.id, SYSTEM);
      if (placed.state !== 'scheduled') expect(placed.message, placed.state).toMatch(/reserved|hours|until/);
      expect(placed.explanation?.verdicts.some((v) => v.outcome === 'scored')).toBe(true);
      return;
    }
    const refused = await h.service.submit({ text, source }, SYSTEM).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(SuanliError);
    expect((refused as SuanliError).code).toBe(expected.code);
    expect((refused as SuanliError).location.source).toBe(source);
  });

  it.each(files('networks'))('networks/%s: a valid network file', (file) => {
    expect(loadNetworkFile(`${EXAMPLES}networks/${file}`).sites.length).toBeGreaterThan(0);
  });

  it.each(files('scenarios'))('scenarios/%s: a valid scenario whose workload and networks resolve', (file) => {
    expect(loadScenarioFile(`${EXAMPLES}scenarios/${file}`).runs.length).toBeGreaterThan(0);
  });
});

describe('what the README runs leaves the tree clean', () => {
  it('ignores the simulation reports `suanli simulate` writes (git and the linter)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    for (const path of ['quick-start-report/report.json', 'itp-national-report/report.html']) {
      const r = spawnSync('git', ['check-ignore', '-q', path], { cwd: root });
      expect(r.status, `${path} is not ignored`).toBe(0);
    }
  });
});

describe('the fairness example', () => {
  it('passes the fairness audit of claims-scorer for finance, as the README says', async () => {
    h = await harness({ policy: builtinPolicy() });
    const csv = readFileSync(`${EXAMPLES}fairness/claims-scorer-scores.csv`, 'utf8');
    const audit = await h.service.auditModel('claims-scorer', 'finance', csv, 'claims-scorer-scores.csv', SYSTEM);
    expect(audit.report.failures).toEqual([]);
    expect(audit.passed).toBe(true);
  });
});

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, suanliProcess } from './processes.ts';

// playwright-core is an optional peer dependency of the CLI (only `simulate --png` needs it). This
// runs the built CLI with a module resolve hook that answers for playwright-core exactly as Node
// does for a package that is not installed, as on an install without it.
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'playwright-core' || specifier.startsWith('playwright-core/')) {
    const e = new Error("Cannot find package 'playwright-core' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;
const WITHOUT_PLAYWRIGHT = ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`];

const suanli = (...args: string[]): Promise<CliResult> => suanliProcess(args, { nodeArgs: WITHOUT_PLAYWRIGHT });

const dir = mkdtempSync(join(tmpdir(), 'suanli-no-playwright-'));
const scenario = join(dir, 'tiny.yaml');
writeFileSync(
  scenario,
  'name: tiny\nnetwork: cn-national\nworkload:\n  synthetic: { jobs: 50, arrivalsPerHour: 100, seed: 3 }\npolicies: [default]\n',
);

describe('the CLI without playwright-core installed', () => {
  it('refuses --png with one line saying how to install it, exit 2, before simulating', async () => {
    const out = join(dir, 'png');
    const r = await suanli('simulate', scenario, '--out', out, '--png');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'suanli: --png needs the optional package playwright-core, which is not installed: run `npm install playwright-core` [INVALID_FIELD]',
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('runs everything else: a simulation without --png writes its report', async () => {
    const out = join(dir, 'report');
    const r = await suanli('simulate', scenario, '--out', out);
    expect(r.stderr).toContain('wrote');
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
  }, 60_000);
});

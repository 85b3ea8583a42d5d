import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinNetwork,
  builtinPolicy,
  HTTP_STATUS,
  isSuanliError,
  parseFairnessCsv,
  parseNetwork,
  parsePolicy,
  parseProfile,
  parseScenario,
  parseText,
  parseTraceText,
  readJobSpec,
  SYSTEM,
} from '@suanli/service';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createApp } from '../packages/server/src/app.ts';
import { type Harness, harness } from '../packages/server/src/harness.fixture.ts';

/**
 * Property-based fuzzing of every input reader and every API body: no input may give a 5xx, a crash
 * or a hang, or write anything half; every refusal has a catalog code, and a refused field is named.
 * CI runs a fixed seed; `npm run fuzz` runs many more cases with a random one (it prints the seed).
 */
const seedEnv = process.env['SUANLI_FUZZ_SEED'];
const SEED = seedEnv === 'random' ? Date.now() % 2 ** 31 : Number(seedEnv ?? 20261130);
const RUNS = Number(process.env['SUANLI_FUZZ_RUNS'] ?? 150);
const params = { seed: SEED, numRuns: RUNS, timeout: 5000, endOnFailure: true };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Values that break naive code: extremes, wrong types, long and odd text, nesting. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e308, -1e308, 0, -1, 2 ** 53, 2 ** 31, 0.5, 1e-300, '', ' ', '0', 'NaN', 'Infinity', null, true),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 3000 }),
  fc.constantFrom('*alias', '&anchor x', '!!binary aGk=', '<<: *x', '{', '[', '---', '? x', '%YAML 1.1', '\u0000'),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 200 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxKeys: 30 }),
  fc.letrec((tie) => ({
    deep: fc.oneof({ depthSize: 'small' }, fc.constant(1), fc.array(tie('deep'), { maxLength: 2 })),
  })).deep,
);

/** Paths to every value of a document (object keys and list indices). */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.slice(0, 50).entries()) paths(v, [...at, i], out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  }
  return out;
}

function setIn(doc: unknown, path: readonly (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  if (rest.length === 0 && remove) delete copy[head];
  else copy[head] = setIn(copy[head], rest, value, remove);
  return copy;
}

/** A valid document with a few of its values replaced, removed or added, written as YAML or JSON. */
function mutated(base: unknown): fc.Arbitrary<string> {
  const all = paths(base);
  const edit = fc.record({
    path: fc.constantFrom(...all),
    value: nasty,
    op: fc.constantFrom('set', 'set', 'remove', 'add'),
    key: fc.string({ maxLength: 10 }),
  });
  return fc
    .tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constantFrom('yaml', 'json'))
    .map(([edits, format]) => {
      let doc = base;
      for (const e of edits) {
        const target = e.op === 'add' ? [...e.path, e.key] : e.path;
        doc = setIn(doc, target, e.value, e.op === 'remove');
      }
      return format === 'yaml' ? toYaml(doc, { aliasDuplicateObjects: false }) : JSON.stringify(doc);
    });
}

/** Text that is not a document at all, or a document cut and spliced with YAML's special characters. */
function garbled(base: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .tuple(
        fc.nat(base.length),
        fc.nat(base.length),
        fc.constantFrom('*a', '&a', ': ', '- ', '{[', '\t', '\n  ', '"', '#'),
      )
      .map(([from, to, insert]) => base.slice(0, Math.min(from, to)) + insert + base.slice(Math.max(from, to))),
  );
}

/** A refusal as the catalog promises: a 4xx code, a message, and a field or line when it is about one. */
function expectRefusal(e: unknown): void {
  if (!isSuanliError(e)) throw e;
  expect(HTTP_STATUS[e.code], `${e.code}: ${e.message}`).toBeLessThan(500);
  expect(e.message.length).toBeGreaterThan(0);
  if (e.code === 'INVALID_FIELD') expect(e.location.field ?? e.location.line, e.message).toBeDefined();
}

function readerProperty(base: string, read: (text: string) => unknown) {
  const doc = parseYaml(base) as unknown;
  return fc.property(fc.oneof(mutated(doc), garbled(base)), (text) => {
    try {
      read(text);
    } catch (e) {
      expectRefusal(e);
    }
  });
}

describe(`fuzz: every input reader refuses bad input cleanly (seed ${SEED}, ${RUNS} runs each)`, () => {
  const network = builtinNetwork();
  const scenarioDir = mkdtempSync(join(tmpdir(), 'suanli-fuzz-'));
  const readers: [string, string, (text: string) => unknown][] = [
    [
      'job spec',
      read('examples/jobs/llama-finetune.yaml'),
      (t) => readJobSpec(parseText(t, 'job.yaml'), network, 1_795_392_000),
    ],
    [
      'job spec (governance fields)',
      read('examples/jobs/batch-inference.yaml'),
      (t) => readJobSpec(parseText(t, 'job.yaml'), network, 1_795_392_000),
    ],
    ['network file', read('examples/networks/two-sites.yaml'), (t) => parseNetwork(t, 'net.yaml')],
    [
      'scenario file',
      read('examples/scenarios/quick-start.yaml'),
      (t) => parseScenario(t, 'scenario.yaml', scenarioDir),
    ],
    ['profile', read('packages/service/profiles/default.yaml'), (t) => parseProfile(t, 'profile.yaml')],
    ['policy', read('packages/service/policies/china.yaml'), (t) => parsePolicy(t, 'policy.yaml')],
  ];
  it.each(readers)('%s', (_name, base, reader) => {
    fc.assert(readerProperty(base, reader), params);
  });

  it('trace CSV and fairness CSV', () => {
    const trace = 'job_id,submit_s,duration_s,gpus,gpu_type,user,queue,status\nj1,0,60,1,V100,u1,q1,ok\n';
    const csv = 'prediction,label,group\n1,0,a\n0,1,b\n';
    const lines = (head: string) =>
      fc
        .array(
          fc.array(
            fc.oneof(
              fc.string({ maxLength: 12 }),
              nasty.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
            ),
            { maxLength: 9 },
          ),
          { maxLength: 20 },
        )
        .map((rows) => [head, ...rows.map((r) => r.join(','))].join('\n'));
    fc.assert(
      fc.property(fc.oneof(lines(trace.split('\n')[0] ?? ''), garbled(trace)), (text) => {
        try {
          parseTraceText(text, 'trace.csv');
        } catch (e) {
          expectRefusal(e);
        }
      }),
      params,
    );
    fc.assert(
      fc.property(fc.oneof(lines('prediction,label,group'), garbled(csv)), (text) => {
        try {
          parseFairnessCsv(text, 'scores.csv');
        } catch (e) {
          expectRefusal(e);
        }
      }),
      params,
    );
  });
});

describe(`fuzz: every API body and parameter (seed ${SEED}, ${RUNS} runs)`, () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let token: string;
  beforeAll(async () => {
    h = await harness({ policy: builtinPolicy() });
    app = createApp(h.service, { webDir: '/nonexistent', log: { error: () => {} } });
    token = (await h.service.createToken({ name: 'fuzz', role: 'operator' }, SYSTEM)).token;
  });
  afterAll(async () => {
    await h?.store.close();
  });

  it('never answers 5xx, always with a catalog error, and writes only what it accepted', async () => {
    const spec = parseYaml(read('examples/jobs/llama-finetune.yaml')) as unknown;
    const specText = read('examples/jobs/llama-finetune.yaml');
    const body = fc.oneof(
      mutated(spec),
      garbled(specText),
      mutated({ name: 'x', role: 'auditor', expiresInS: 3600 }),
      mutated({ kind: 'model', resource: 'claims-scorer', to: 'acme-ai' }),
      fc.string({ maxLength: 100 }),
    );
    const segment = fc.oneof(
      fc.constantFrom('j-0123456789ab', 'helinger', 'claims-scorer', '0123456789abcdef', 'g-1'),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
    );
    const query = fc.dictionary(
      fc.constantFrom(
        'state',
        'tenant',
        'limit',
        'from',
        'seq',
        'treeSize',
        'first',
        'second',
        'sector',
        'apply',
        'namespace',
      ),
      fc.oneof(
        fc.string({ maxLength: 20 }),
        nasty.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
      ),
      { maxKeys: 3 },
    );
    const route = fc.constantFrom(
      ['POST', '/v1/jobs'],
      ['POST', '/v1/quote'],
      ['POST', '/v1/policies/test'],
      ['POST', '/v1/tokens'],
      ['POST', '/v1/grants'],
      ['POST', '/v1/models/:id/audits'],
      ['POST', '/v1/jobs/:id/cancel'],
      ['POST', '/v1/tokens/:id/revoke'],
      ['POST', '/v1/grants/:id/revoke'],
      ['POST', '/v1/optimize'],
      ['GET', '/v1/jobs'],
      ['GET', '/v1/jobs/:id'],
      ['GET', '/v1/jobs/:id/why'],
      ['GET', '/v1/jobs/:id/kueue'],
      ['GET', '/v1/sites/:id'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/audit/proof/inclusion'],
      ['GET', '/v1/audit/proof/consistency'],
      ['GET', '/metrics'],
    );
    const type = fc.constantFrom(
      'application/yaml',
      'application/json',
      'text/csv',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      undefined,
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(route, segment, query, type, body, async ([method, template], id, q, contentType, text) => {
        const path = `${template.replace(':id', id)}?${new URLSearchParams(q).toString()}`;
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (contentType) headers['content-type'] = contentType;
        const res = await app.request(path, { method, headers, ...(method === 'POST' ? { body: text } : {}) });
        expect(res.status, `${method} ${path} (${contentType}): ${await res.clone().text()}`).toBeLessThan(500);
        if (res.status >= 400) {
          const e = ((await res.json()) as { error?: { code?: string } }).error;
          expect(e?.code, `${method} ${path}`).toBeDefined();
        } else if (method === 'POST' && template === '/v1/jobs') accepted++;
      }),
      params,
    );
    // Nothing half-written: exactly the accepted jobs are stored, and the audit chain is whole.
    expect(await h.service.listJobs({ limit: 100_000 }, SYSTEM)).toHaveLength(accepted);
    expect(await h.service.verifyAudit(SYSTEM)).toMatchObject({ ok: true });
  }, 120_000);
});

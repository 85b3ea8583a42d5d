import { describe, expect, it } from 'vitest';
import { SuanliError } from './errors.ts';
import { readJobSpec } from './job-spec.ts';
import { builtinNetwork } from './network-file.ts';
import { parseText } from './text-input.ts';

const network = builtinNetwork();
const NOW = 1_795_392_000;

const good = `name: llama-ft
kind: finetune
tenant: acme-ai
resources:
  accelerators:
    H800: 8
gang: 2
durationS: 7200
datasets:
  - name: common-crawl-zh
  - name: my-shards
    sizeGb: 50
    sites: [shanghai]
objective: { cost: 2, carbon: 1, time: 1 }
budget: { maxCny: 5000 }
`;

function read(text: string, source = 'job.yaml') {
  return readJobSpec(parseText(text, source), network, NOW);
}

function failure(text: string): SuanliError {
  try {
    read(text);
  } catch (e) {
    if (e instanceof SuanliError) return e;
    throw e;
  }
  throw new Error('expected the spec to be refused');
}

describe('job spec', () => {
  it('reads a valid spec, resolving catalog datasets', () => {
    const spec = read(good);
    expect(spec).toMatchObject({
      name: 'llama-ft',
      kind: 'finetune',
      options: [{ accelerator: 'H800', perMember: 8 }],
      gang: 2,
      durationS: 7200,
      objective: { cost: 2, carbon: 1, time: 1 },
      budgetCny: 5000,
      priority: 0,
    });
    expect(spec.datasets).toEqual([
      {
        name: 'common-crawl-zh',
        sizeGb: 2000,
        replicas: ['helinger', 'zhongwei'],
        level: 'general',
        pi: 'none',
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      { name: 'my-shards', sizeGb: 50, replicas: ['shanghai'] },
    ]);
  });

  it('accepts several accelerator types (any of them) and any_of with different counts', () => {
    expect(read(good.replace('H800: 8', 'H800: 8\n    H100: 8')).options).toHaveLength(2);
    const anyOf = good.replace(
      '  accelerators:\n    H800: 8',
      '  any_of:\n    - accelerators: { H800: 8 }\n    - accelerators: { A100: 16 }',
    );
    expect(read(anyOf).options).toEqual([
      { accelerator: 'H800', perMember: 8 },
      { accelerator: 'A100', perMember: 16 },
    ]);
  });

  it('reads JSON too, with lines', () => {
    const e = failure('{\n  "name": "x",\n  "kind": "dance"\n}');
    expect(e).toMatchObject({ code: 'INVALID_FIELD', location: { field: 'kind', line: 3 } });
    expect(e.message).toBe('must be one of train, finetune, batch-infer, serve');
  });

  const cases: [string, string, Partial<SuanliError>, Record<string, unknown>][] = [
    ['malformed YAML', 'name: [llama\nkind: train\n', { code: 'MALFORMED_INPUT' }, { line: 2 }],
    ['malformed JSON', '{"name": "x",, }', { code: 'MALFORMED_INPUT' }, { line: 1 }],
    [
      'an unknown accelerator type',
      good.replace('H800: 8', 'H900: 8'),
      { code: 'UNKNOWN_ACCELERATOR' },
      { field: 'resources.accelerators.H900', line: 6 },
    ],
    [
      'a negative count',
      good.replace('H800: 8', 'H800: -8'),
      { code: 'INVALID_FIELD', message: 'must be ≥ 1' },
      { field: 'resources.accelerators.H800', line: 6 },
    ],
    [
      'a zero count',
      good.replace('H800: 8', 'H800: 0'),
      { code: 'INVALID_FIELD' },
      { field: 'resources.accelerators.H800' },
    ],
    [
      'a fractional count',
      good.replace('H800: 8', 'H800: 1.5'),
      { code: 'INVALID_FIELD', message: 'must be a whole number' },
      { field: 'resources.accelerators.H800' },
    ],
    ['a zero gang', good.replace('gang: 2', 'gang: 0'), { code: 'INVALID_FIELD' }, { field: 'gang', line: 7 }],
    [
      'a gang larger than any pool',
      good.replace('gang: 2', 'gang: 512'),
      { code: 'GANG_TOO_LARGE' },
      { field: 'gang', line: 7 },
    ],
    [
      'an unknown site in datasets',
      good.replace('sites: [shanghai]', 'sites: [shanghai, atlantis]'),
      { code: 'UNKNOWN_SITE', message: 'unknown site atlantis' },
      { field: 'datasets[1].sites[1]', line: 13 },
    ],
    [
      'an unknown dataset without size and sites',
      good.replace('- name: common-crawl-zh', '- name: nowhere'),
      { code: 'UNKNOWN_DATASET' },
      { field: 'datasets[0].name', line: 10 },
    ],
    [
      'an unknown field',
      `${good}colour: blue\n`,
      { code: 'INVALID_FIELD', message: 'unknown field' },
      { field: 'colour', line: 16 },
    ],
    [
      'a missing field',
      good.replace('durationS: 7200\n', ''),
      { code: 'INVALID_FIELD', message: 'is required' },
      { field: 'durationS' },
    ],
    [
      'a negative duration',
      good.replace('durationS: 7200', 'durationS: -1'),
      { code: 'INVALID_FIELD' },
      { field: 'durationS', line: 8 },
    ],
    [
      'a deadline in the past',
      `${good}deadline: 2020-01-01T00:00:00+08:00\n`,
      { code: 'INVALID_FIELD', message: 'is in the past' },
      { field: 'deadline' },
    ],
    ['a deadline that is no date', `${good}deadline: soon\n`, { code: 'INVALID_FIELD' }, { field: 'deadline' }],
    [
      'all objective weights zero',
      good.replace('{ cost: 2, carbon: 1, time: 1 }', '{ cost: 0, carbon: 0, time: 0 }'),
      { code: 'INVALID_FIELD' },
      { field: 'objective' },
    ],
    ['not a mapping', '- a\n- b\n', { code: 'INVALID_FIELD', message: 'must be a mapping, not array' }, {}],
  ];

  it.each(cases)('refuses %s, naming the field and line', (_what, text, error, location) => {
    const e = failure(text);
    expect(e).toMatchObject(error);
    expect(e.location).toMatchObject({ source: 'job.yaml', ...location });
  });
});

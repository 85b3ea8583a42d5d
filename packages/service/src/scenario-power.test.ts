import { type PowerInput, runScenario } from '@suanli/sim';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario-file.ts';

const head = [
  'name: power',
  'network: cn-national',
  'workload:',
  '  synthetic: { jobs: 10, arrivalsPerHour: 10 }',
  'policies: [default]',
];

const parse = (lines: readonly string[]) => parseScenario([...head, ...lines].join('\n'), 'power.yaml', '.');

/** The SuanliError a scenario is refused with: its code, field, line and message. */
function refusal(lines: readonly string[]): { code: string; field?: string; line?: number; message: string } {
  try {
    parse(lines);
  } catch (e) {
    const err = e as { code: string; message: string; location?: { field?: string; line?: number } };
    return {
      code: err.code,
      ...(err.location?.field !== undefined ? { field: err.location.field } : {}),
      ...(err.location?.line !== undefined ? { line: err.location.line } : {}),
      message: err.message,
    };
  }
  throw new Error('the scenario was accepted');
}

describe('the power section of a scenario', () => {
  it('gives every run the budgets it sets, and names a level the network lacks', () => {
    const plan = parse([
      'power:',
      '  budgets:',
      '    - { region: sichuan, scalePct: 50 }',
      '    - { site: zhongwei, budget: { kwByHour: [4000, 4000, 4000, 4000, 4000, 4000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 4000, 4000], baseLoadKw: 100 } }',
      'whatIf:',
      '  - name: pricier',
      '    changes: [{ tariff: { site: shanghai, factor: 2 } }]',
    ]);
    for (const run of plan.runs) {
      expect(run.network.regions?.find((r) => r.id === 'sichuan')?.budget.kwByHour).toEqual([1500]);
      const zw = run.network.sites.find((x) => x.id === 'zhongwei')?.powerBudget;
      expect(zw?.kwByHour[6]).toBe(2000);
      expect(zw?.baseLoadKw).toBe(100);
    }
    expect(refusal(['power:', '  budgets:', '    - { region: hubei, scalePct: 50 }'])).toMatchObject({
      code: 'INVALID_SCENARIO',
      field: 'power.budgets[0]',
      message: expect.stringContaining('unknown region hubei'),
    });
  });

  it('resolves to the simulator power input, with the defaults, for every run', () => {
    const plan = parse([
      'power:',
      '  shedOrder: [preemptible, cap]',
      '  events:',
      '    - { region: sichuan, at: 3600, durationS: 7200, reductionKw: 500 }',
      '    - { site: shenzhen, at: 0, noticeS: 0, durationS: 600, reductionPct: 20 }',
      '    - { site: tianfu, at: 86400, durationS: 3600, complyWithinS: 300, ceilingKw: 0 }',
      '  daily:',
      '    - { side: west, sites: [helinger, tianfu], fromHour: 13, hours: 4, reductionPct: 15, days: 7 }',
      '  rate: { regions: [guangdong], perDay: 2, durationS: 3600, reductionPct: 10, days: 30, noticeS: 60 }',
      'whatIf:',
      '  - name: more-east',
      '    changes: [{ tariff: { site: shanghai, factor: 2 } }]',
    ]);
    const west = ['helinger', 'guian', 'qingyang', 'zhongwei'];
    const expected: PowerInput = {
      events: [
        {
          level: 'region',
          target: 'sichuan',
          atS: 3600,
          noticeS: 900,
          durationS: 7200,
          complyWithinS: 900,
          reductionKw: 500,
        },
        // A window shorter than the default deadline to comply: the whole window.
        {
          level: 'site',
          target: 'shenzhen',
          atS: 0,
          noticeS: 0,
          durationS: 600,
          complyWithinS: 600,
          reductionPct: 20,
        },
        {
          level: 'site',
          target: 'tianfu',
          atS: 86400,
          noticeS: 900,
          durationS: 3600,
          complyWithinS: 300,
          ceilingKw: 0,
        },
      ],
      daily: [
        {
          // Sites named first, then the side's (each once).
          targets: ['helinger', 'tianfu', ...west.slice(1)].map((target) => ({ level: 'site', target })),
          fromHour: 13,
          hours: 4,
          reductionPct: 15,
          days: 7,
          firstDay: 0,
          noticeS: 900,
          complyWithinS: 900,
        },
      ],
      rate: {
        targets: [{ level: 'region', target: 'guangdong' }],
        perDay: 2,
        durationS: 3600,
        reductionPct: 10,
        days: 30,
        noticeS: 60,
        complyWithinS: 900,
      },
      shedOrder: ['preemptible', 'cap'],
    };
    expect(plan.power).toEqual(expected);
    // The what-if without gridEvents runs the scenario's.
    expect(plan.runs.map((r) => r.power)).toEqual([undefined, undefined]);
  });

  it('refuses unknown regions and sites, and requests that do not say one thing, naming the field and line', () => {
    const power = (...lines: string[]) => ['power:', ...lines];
    expect(
      refusal(
        power('  daily:', '    - { regions: [sichuan, hubei], fromHour: 1, hours: 1, reductionPct: 5, days: 1 }'),
      ),
    ).toEqual({
      code: 'INVALID_SCENARIO',
      field: 'power.daily[0].regions[1]',
      line: 8,
      message: expect.stringMatching(/^unknown region hubei \(known: sichuan, shanghai, guangdong/),
    });
    expect(
      refusal(power('  events:', '    - { site: atlantis, at: 0, durationS: 600, reductionKw: 5 }')),
    ).toMatchObject({
      code: 'INVALID_SCENARIO',
      field: 'power.events[0].site',
      line: 8,
      message: /unknown site atlantis/,
    });
    expect(
      refusal(power('  rate: { sites: [beijing], side: north, perDay: 1, durationS: 600, reductionPct: 5, days: 1 }')),
    ).toMatchObject({ code: 'INVALID_SCENARIO', field: 'power.rate.side' });
    expect(refusal(power('  rate: { perDay: 1, durationS: 600, reductionPct: 5, days: 1 }'))).toMatchObject({
      field: 'power.rate',
      message: 'give regions, sites or side: whom the grid asks',
    });
    expect(
      refusal(power('  events:', '    - { site: beijing, region: sichuan, at: 0, durationS: 600, reductionKw: 5 }')),
    ).toMatchObject({ field: 'power.events[0]', message: 'give region or site, one of them' });
    expect(
      refusal(power('  events:', '    - { site: beijing, at: 0, durationS: 600, reductionKw: 5, ceilingKw: 10 }')),
    ).toMatchObject({ field: 'power.events[0]', message: 'give reductionKw, reductionPct or ceilingKw, one of them' });
    expect(
      refusal(
        power('  events:', '    - { site: beijing, at: 0, durationS: 600, complyWithinS: 900, reductionPct: 5 }'),
      ),
    ).toMatchObject({ field: 'power.events[0].complyWithinS', message: 'must be at most the window, 600 s' });
    expect(refusal(power('  events:', '    - { site: beijing, at: 0, durationS: 30, reductionPct: 5 }'))).toMatchObject(
      { field: 'power.events[0].durationS' },
    );
    expect(
      refusal(power('  events:', '    - { site: beijing, at: 0, durationS: 60, reductionPct: 101 }')),
    ).toMatchObject({ field: 'power.events[0].reductionPct' });
    expect(refusal(power('  shedOrder: [cap, burst, cap]'))).toMatchObject({
      field: 'power.shedOrder[2]',
      message: 'cap is listed twice',
    });
    expect(refusal(power('  shedOrder: [cap, everything]'))).toMatchObject({ field: 'power.shedOrder[1]' });
    // In a what-if's gridEvents, the field is the what-if's.
    expect(
      refusal([
        'whatIf:',
        '  - name: heat',
        '    gridEvents:',
        '      daily: [{ sites: [beijing, atlantis], fromHour: 13, hours: 4, reductionPct: 15, days: 7 }]',
      ]),
    ).toMatchObject({ code: 'INVALID_SCENARIO', field: 'whatIf[0].gridEvents.daily[0].sites[1]', line: 9 });
  });
});

describe('power in what-ifs', () => {
  it('scales or replaces budgets by powerBudget, and names what the network lacks', () => {
    const plan = parse([
      'whatIf:',
      '  - name: dry-season',
      '    changes:',
      '      - powerBudget: { region: sichuan, scalePct: 50 }',
      '      - powerBudget: { site: tianfu, scalePct: 50 }',
      '      - powerBudget: { site: qingyang, budget: { kw: 2000, schedule: [{ from: 0, to: 3600, kw: 1000 }] } }',
    ]);
    const [base, dry] = plan.runs.map((r) => r.network);
    const sichuan = (n: typeof base) => n?.regions?.find((r) => r.id === 'sichuan')?.budget;
    const site = (n: typeof base, id: string) => n?.sites.find((s) => s.id === id);
    expect(sichuan(base)?.kwByHour).toEqual([3000]);
    expect(sichuan(dry)).toEqual({ ...sichuan(base), kwByHour: [1500] });
    expect(site(dry, 'tianfu')?.powerCapMw).toBe((site(base, 'tianfu')?.powerCapMw ?? 0) / 2);
    expect(site(dry, 'qingyang')?.powerBudget).toEqual({
      kwByHour: [2000],
      schedule: [{ fromS: 0, toS: 3600, kw: 1000 }],
    });

    const bad = (change: string) =>
      refusal([
        'whatIf:',
        '  - name: dry',
        '    changes:',
        '      - powerCap: { site: beijing, powerCapMw: 1 }',
        change,
      ]);
    expect(bad('      - powerBudget: { region: hubei, scalePct: 50 }')).toMatchObject({
      code: 'INVALID_SCENARIO',
      field: 'whatIf[0].changes[1]',
      line: 10,
      message: expect.stringMatching(/^unknown region hubei/),
    });
    expect(bad('      - powerBudget: { pool: nowhere, scalePct: 50 }')).toMatchObject({
      field: 'whatIf[0].changes[1]',
      message: expect.stringMatching(/^unknown pool nowhere/),
    });
    expect(bad('      - powerBudget: { site: beijing, budget: { kw: 1, kwByHour: [1] } }')).toMatchObject({
      field: 'whatIf[0].changes[1].powerBudget.budget.kwByHour',
    });
    expect(
      bad('      - powerBudget: { site: beijing, budget: { kw: 1, schedule: [{ from: 10, to: 5, kw: 1 }] } }'),
    ).toMatchObject({ field: 'whatIf[0].changes[1]', message: 'budget.schedule[0].to: must be after from' });
    expect(bad('      - powerBudget: { site: beijing, scalePct: 2000 }')).toMatchObject({
      field: 'whatIf[0].changes[1].powerBudget.scalePct',
    });
  });

  it('runs a what-if with only gridEvents: its runs report demand response, the baseline without power none', () => {
    const text = [
      ...head.slice(0, 3),
      '  synthetic: { jobs: 40, arrivalsPerHour: 20, seed: 3 }',
      'policies: [default]',
      'whatIf:',
      '  - name: heat-wave',
      '    gridEvents:',
      '      daily: [{ side: east, fromHour: 13, hours: 4, reductionPct: 15, days: 7 }]',
      '      events: [{ site: tianfu, at: 600, noticeS: 0, durationS: 3600, reductionPct: 50 }]',
    ].join('\n');
    const plan = parseScenario(text, 'heat.yaml', '.');
    expect(plan.power).toBeUndefined();
    expect(plan.runs.map((r) => r.variant)).toEqual(['baseline', 'heat-wave']);
    const [baseline, heat] = runScenario(plan).runs;
    expect(baseline?.summary.demandResponse).toBeUndefined();
    expect(heat?.summary.demandResponse?.events).toBeGreaterThanOrEqual(1);
    // Without gridEvents and the rest, a what-if changes nothing.
    expect(() =>
      parseScenario(text.replace(/ {4}gridEvents:[\s\S]*$/, '    policies: [default]'), 'x.yaml', '.'),
    ).toThrow(/the grid events \(gridEvents\)/);
  });
});

import { POWER_LEVEL_KINDS, type PowerLevelKind } from '@suanli/engine';
import { SuanliError } from '@suanli/service';
import type { Command } from 'commander';
import { durationS } from '../duration.ts';
import { gridEventsTable, gridEventText, powerTable } from '../format-power.ts';
import type { CliContext } from './context.ts';

/** An instant on the command line: `now`, an ISO time with its zone, or a duration from now (`30m`). */
export function instantArg(text: string, option: string, nowS: number): number {
  if (text === 'now') return nowS;
  if (/^\d{4}-\d\d-\d\dT/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms) && /([zZ]|[+-]\d\d:?\d\d)$/.test(text)) return Math.floor(ms / 1000);
    throw new SuanliError(
      'INVALID_FIELD',
      `${option} must be now, a duration from now (30m) or a time with its zone, like 2026-12-01T18:00:00+08:00`,
      { field: option },
    );
  }
  return nowS + durationS(text, option, { minS: 0 });
}

/** Power budgets, contracted windows and grid events. */
export function registerPowerCommands(program: Command, ctx: CliContext): void {
  const { client, print, int: whole } = ctx;
  const power = program.command('power').description('the power-budget tree: regions, sites, halls');
  power
    .command('show', { isDefault: true })
    .description('each level now (budget, load, headroom, fixed draw) and its least budget over the hours ahead')
    .option('--hours <n>', 'hours ahead (1 to 168)', whole('--hours'))
    .option('--json', 'print JSON')
    .action(async (o: { hours?: number; json?: boolean }) => {
      const v = await client().power(o.hours);
      print(v, !!o.json, () => powerTable(v));
    });
  power
    .command('window <level> <target>')
    .description("add a contracted window to a level's budget (operators): its kW from --from to --to")
    .requiredOption('--from <time>', 'now, a duration from now (2h) or a time with its zone')
    .requiredOption('--to <time>', 'a duration from now (6h) or a time with its zone')
    .requiredOption('--kw <kw>', 'the budget over the window, kW', whole('--kw'))
    .option('--json', 'print JSON')
    .action(async (level: string, target: string, o: { from: string; to: string; kw: number; json?: boolean }) => {
      if (!(POWER_LEVEL_KINDS as readonly string[]).includes(level)) {
        throw new SuanliError('INVALID_FIELD', `level must be region, site or pool, not ${level}`, { field: 'level' });
      }
      const nowS = Math.floor(Date.now() / 1000);
      const w = await client().addPowerWindow({
        level: level as PowerLevelKind,
        target,
        fromS: instantArg(o.from, '--from', nowS),
        toS: instantArg(o.to, '--to', nowS),
        kw: o.kw,
      });
      print(
        w,
        !!o.json,
        () =>
          `${w.level} ${w.target}: ${w.kw} kW from ${new Date(w.fromS * 1000).toISOString()} to ${new Date(w.toS * 1000).toISOString()}`,
      );
    });

  const events = program
    .command('grid-events')
    .description('grid events (demand response): the grid asks for less power');
  events
    .command('list', { isDefault: true })
    .description('every grid event, newest first, with its plan and delivery')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await client().gridEvents();
      print(list, !!o.json, () => gridEventsTable(list));
    });
  events
    .command('issue')
    .description('ask a region or site for less power over a window (operators, the grid); prints the plan at once')
    .option('--id <id>', "the grid's own reference for it (a dispatch order number)")
    .option('--region <id>', 'a grid region of the network')
    .option('--site <id>', 'or a site')
    .option('--reduce-kw <kw>', 'draw this much less than the baseline', whole('--reduce-kw'))
    .option('--ceiling-kw <kw>', 'or draw at most this much', whole('--ceiling-kw'))
    .option('--start <time>', 'now (default), a duration from now (30m) or a time with its zone', 'now')
    .requiredOption('--for <duration>', 'how long, like 2h (at most 24h)')
    .option('--comply-within <duration>', 'how long after the start the reduction must be in place (default 15m)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        id?: string;
        region?: string;
        site?: string;
        reduceKw?: number;
        ceilingKw?: number;
        start: string;
        for: string;
        complyWithin?: string;
        json?: boolean;
      }) => {
        const nowS = Math.floor(Date.now() / 1000);
        const startS = instantArg(o.start, '--start', nowS);
        const e = await client().issueGridEvent({
          ...(o.id !== undefined ? { id: o.id } : {}),
          ...(o.region !== undefined ? { region: o.region } : {}),
          ...(o.site !== undefined ? { site: o.site } : {}),
          ...(o.reduceKw !== undefined ? { reductionKw: o.reduceKw } : {}),
          ...(o.ceilingKw !== undefined ? { ceilingKw: o.ceilingKw } : {}),
          ...(o.start !== 'now' ? { startS } : {}),
          durationS: durationS(o.for, '--for', { minS: 60, maxS: 86_400 }),
          ...(o.complyWithin !== undefined
            ? { complyWithinS: durationS(o.complyWithin, '--comply-within', { minS: 0, maxS: 86_400 }) }
            : {}),
        });
        print(e, !!o.json, () => gridEventText(e));
      },
    );
  program
    .command('grid-event <id>')
    .description('one grid event: what was asked, the plan, what was carried out, what was delivered')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const e = await client().gridEvent(id);
      print(e, !!o.json, () => gridEventText(e));
    });
}

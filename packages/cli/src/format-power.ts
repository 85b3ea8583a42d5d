import { formatDuration, formatNumber } from '@suanli/engine';
import type { GridEventView, PowerView } from '@suanli/service';
import { yuan } from '@suanli/service';
import { formatTime, table } from './format.ts';

/** The budget tree: each level's budget, load and headroom now, and its least budget over the hours ahead. */
export function powerTable(v: PowerView): string {
  const depth = (parent: string | undefined): number => {
    let d = 0;
    for (let p = parent; p; d++) p = v.levels.find((l) => `${l.kind}:${l.id}` === p)?.parent;
    return d;
  };
  const order = [...v.levels].sort((a, b) => (path(v, a) < path(v, b) ? -1 : path(v, a) > path(v, b) ? 1 : 0));
  const rows = order.map((l) => {
    const least = Math.min(...l.hours.map((h) => h.budgetKw));
    return [
      `${'  '.repeat(depth(l.parent))}${l.kind} ${l.id}`,
      formatNumber(l.budgetKw),
      formatNumber(l.loadKw),
      formatNumber(l.budgetKw - l.loadKw),
      formatNumber(l.fixedKw),
      formatNumber(least),
    ];
  });
  const head = table(
    ['LEVEL', 'BUDGET KW', 'LOAD KW', 'HEADROOM KW', 'FIXED KW', `LEAST ${v.levels[0]?.hours.length ?? 24}H`],
    rows,
    [1, 2, 3, 4, 5],
  );
  const events = v.events.length > 0 ? `\n\n${gridEventsTable(v.events)}` : '';
  const windows =
    v.windows.length > 0
      ? `\n\ncontracted windows:\n${v.windows.map((w) => `  ${w.level} ${w.target}: ${formatNumber(w.kw)} kW ${formatTime(w.fromS)} → ${formatTime(w.toS)}`).join('\n')}`
      : '';
  return head + events + windows;
}

/** Sort key: the chain of ids from the root down, so children follow their parent. */
function path(v: PowerView, l: PowerView['levels'][number]): string {
  const parts = [`${l.kind === 'region' ? 0 : l.kind === 'site' ? 1 : 2}${l.id}`];
  for (let p = l.parent; p; ) {
    const up = v.levels.find((x) => `${x.kind}:${x.id}` === p);
    if (!up) break;
    parts.unshift(`${up.kind === 'region' ? 0 : 1}${up.id}`);
    p = up.parent;
  }
  // Sites without a region sort after the regions' trees.
  if (l.kind !== 'region' && !l.parent?.startsWith('region:') && !parts[0]?.startsWith('0')) parts.unshift('~');
  return parts.join('/');
}

function ask(e: GridEventView): string {
  return e.reductionKw !== undefined ? `−${formatNumber(e.reductionKw)} kW` : `≤ ${formatNumber(e.ceilingKw ?? 0)} kW`;
}

export function gridEventsTable(events: readonly GridEventView[]): string {
  if (events.length === 0) return 'no grid events';
  return table(
    ['EVENT', 'TARGET', 'ASK', 'FROM', 'FOR', 'STATE', 'PLAN', 'DELIVERED'],
    events.map((e) => [
      e.id,
      `${e.level} ${e.target}`,
      ask(e),
      formatTime(e.startS),
      formatDuration(e.endS - e.startS),
      e.state,
      `${e.plan.actions.length} actions${e.plan.feasible ? '' : `, short ${formatNumber(e.plan.shortfallKw)} kW`}`,
      e.delivery
        ? `${formatNumber(e.delivery.deliveredKwh)} of ${formatNumber(e.delivery.askedKwh)} kWh (${formatNumber(e.delivery.deliveredPct)} %)`
        : '-',
    ]),
  );
}

/** One event: what was asked, the plan with its actions, what was carried out and delivered. */
export function gridEventText(e: GridEventView): string {
  const p = e.plan;
  const lines = [
    `${e.id}: ${e.level} ${e.target} ${ask(e)} from ${formatTime(e.startS)} for ${formatDuration(e.endS - e.startS)}, in place by ${formatTime(e.complyByS)} (${e.state})`,
    `asked by ${e.issuedBy} at ${formatTime(e.issuedAtS)}`,
    `baseline ${formatNumber(p.baselineKwh, 1)} kWh; asked ${formatNumber(p.askedKwh, 1)} kWh (${formatNumber(p.askedKw, 1)} kW at the peak); planned ${formatNumber(p.plannedKwh, 1)} kWh`,
    p.feasible
      ? 'the plan meets the request'
      : `the plan falls short by ${formatNumber(p.shortfallKw, 1)} kW at its worst quarter hour (${formatNumber(p.shortfallKwh, 1)} kWh)`,
    `cost: ${formatNumber(p.lostAcceleratorHours, 1)} accelerator-hours lost, ¥${yuan(p.costFen)}, ${p.delayedJobs} jobs delayed, ${p.deadlinesBroken} deadlines broken`,
  ];
  if (p.parked.length > 0) {
    lines.push(
      `powers down ${p.parked.map((x) => `${formatNumber(x.count)} idle accelerators of ${x.poolId} (${formatNumber(x.savedKw, 1)} kW)`).join(', ')} for the window`,
    );
  }
  if (p.actions.length > 0) {
    lines.push(
      '',
      table(
        ['JOB', 'GROUP', 'ACTION', 'POOL', 'ACC', 'SAVES KW', 'LOST ACC-H', 'DELAY', 'THEN'],
        p.actions.map((a) => [
          a.jobId,
          a.group,
          a.action === 'cap' ? `cap ${formatNumber(a.capW ?? 0)} W` : a.action,
          a.poolId,
          String(a.count),
          formatNumber(a.savedKw, 1),
          formatNumber(a.lostAcceleratorHours, 2),
          a.delayS > 0 ? formatDuration(a.delayS) : '-',
          a.afterwards ?? (a.breaksDeadline ? 'misses its deadline' : '-'),
        ]),
        [4, 5, 6],
      ),
    );
  }
  if (e.applied) {
    const notDone = e.applied.done.filter((d) => d.outcome !== 'done');
    lines.push(
      '',
      `carried out at ${formatTime(e.applied.atS)}: ${e.applied.done.length - notDone.length} of ${e.applied.done.length} actions${notDone.length > 0 ? `; ${notDone.map((d) => `${d.jobId}: ${d.outcome}`).join('; ')}` : ''}`,
    );
  }
  if (e.delivery) {
    const d = e.delivery;
    lines.push(
      `delivered ${formatNumber(d.deliveredKwh, 1)} of ${formatNumber(d.askedKwh, 1)} kWh asked (${formatNumber(d.deliveredPct)} %): measured ${formatNumber(d.actualKwh, 1)} kWh against a baseline of ${formatNumber(d.baselineKwh, 1)} kWh; peak ${formatNumber(d.peakKw, 1)} kW${d.overCeilingKw > 0 ? `, ${formatNumber(d.overCeilingKw, 1)} kW over the ceiling` : ''}; ${d.onTime ? 'in place on time' : 'late'}${d.measuredFromS !== undefined ? ` (measured from ${formatTime(d.measuredFromS)})` : ''}`,
    );
  }
  return lines.join('\n');
}

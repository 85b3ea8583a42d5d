import { LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Fragment, useCallback, useMemo, useState } from 'react';
import { api, type GridEvent, type PowerLevel } from './api.ts';
import { fmt } from './format.ts';
import { PALETTE } from './palette.ts';
import { jobHref, siteHref, tenantHref } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

echarts.use([
  LineChart,
  ScatterChart,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** Hours of budget ahead the view draws. */
const HOURS = 24;
/** Small multiples per row, and the height of one. */
const COLUMNS = 4;
const CELL_PX = 180;
const BUDGET_COLOUR = PALETTE[0] as string;
const LOAD_COLOUR = PALETTE[5] as string;

/** Power with its unit: kW below 10 MW, MW from there. */
export function power(kw: number): string {
  return Math.abs(kw) >= 10_000 ? `${fmt(kw / 1000, 1)} MW` : `${fmt(kw)} kW`;
}

const levelName = (l: { kind: string; id: string }) => `${l.kind} ${l.id}`;

/** A short date and time (day, month, hours and minutes) in the browser's time zone. */
const when = (s: number) =>
  new Date(s * 1000).toLocaleString('en-GB', {
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
const clock = (s: number) =>
  new Date(s * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
const duration = (s: number) => (s >= 3600 ? `${fmt(s / 3600, s % 3600 ? 1 : 0)} h` : `${Math.round(s / 60)} min`);

/** The budget hour by hour, with one last point so the last hour is drawn as a step too. */
function budgetSteps(l: PowerLevel): [number, number][] {
  const points = l.hours.map((h): [number, number] => [h.atS * 1000, h.budgetKw]);
  const last = l.hours[l.hours.length - 1];
  if (last) points.push([(last.atS + 3600) * 1000, last.budgetKw]);
  return points;
}

/** A region with the sites under it, or the sites under no region. */
interface Group {
  readonly key: string;
  readonly title: string;
  readonly levels: readonly PowerLevel[];
}

/** Regions first, each with its sites; then the sites in no region. Pools are in the table only. */
export function groupLevels(levels: readonly PowerLevel[]): Group[] {
  const regions = levels.filter((l) => l.kind === 'region');
  const sites = levels.filter((l) => l.kind === 'site');
  const regionKeys = new Set(regions.map((r) => `region:${r.id}`));
  const groups: Group[] = regions.map((r) => ({
    key: `region:${r.id}`,
    title: `Region ${r.id} and its sites`,
    levels: [r, ...sites.filter((s) => s.parent === `region:${r.id}`)],
  }));
  const alone = sites.filter((s) => s.parent === undefined || !regionKeys.has(s.parent));
  if (alone.length > 0)
    groups.push({ key: 'sites', title: regions.length > 0 ? 'Sites in no grid region' : 'Sites', levels: alone });
  return groups;
}

/** The levels in tree order (region, its sites, their pools), each with its depth. */
function treeOrder(levels: readonly PowerLevel[]): { level: PowerLevel; depth: number }[] {
  const out: { level: PowerLevel; depth: number }[] = [];
  const seen = new Set<PowerLevel>();
  const children = (key: string) => levels.filter((l) => l.parent === key);
  const visit = (l: PowerLevel, depth: number) => {
    if (seen.has(l)) return;
    seen.add(l);
    out.push({ level: l, depth });
    for (const c of children(`${l.kind}:${l.id}`)) visit(c, depth + 1);
  };
  const keys = new Set(levels.map((l) => `${l.kind}:${l.id}`));
  for (const l of levels) if (l.parent === undefined || !keys.has(l.parent)) visit(l, 0);
  for (const l of levels) visit(l, 0);
  return out;
}

/** Small multiples of one group in one chart: each level's budget ahead, its load now, its grid events' windows. */
function multiplesOption(levels: readonly PowerLevel[], atS: number, events: readonly GridEvent[]) {
  const mw = levels.some((l) => Math.max(l.maxBudgetKw, l.loadKw) >= 10_000);
  const unit = mw ? 'MW' : 'kW';
  const scale = (kw: number) => Math.round((mw ? kw / 1000 : kw) * 10) / 10;
  const w = 100 / COLUMNS;
  const cell = (i: number) => ({ col: i % COLUMNS, row: Math.floor(i / COLUMNS) });
  return {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${fmt(v, mw ? 1 : 0)} ${unit}` },
    title: levels.map((l, i) => ({
      text: levelName(l),
      subtext: `budget ${power(l.budgetKw)} · load ${power(l.loadKw)}`,
      left: `${cell(i).col * w + 1}%`,
      top: cell(i).row * CELL_PX,
      padding: [2, 0, 0, 0],
      textStyle: { fontSize: 12, lineHeight: 14 },
      subtextStyle: { fontSize: 11, lineHeight: 13, color: '#4b5563' },
      itemGap: 4,
    })),
    grid: levels.map((_, i) => ({
      left: `${cell(i).col * w + 4.5}%`,
      width: `${w - 6.5}%`,
      top: cell(i).row * CELL_PX + 64,
      height: CELL_PX - 64 - 28,
    })),
    xAxis: levels.map((l, i) => {
      const steps = budgetSteps(l);
      return {
        type: 'time',
        gridIndex: i,
        min: steps[0]?.[0] ?? atS * 1000,
        max: steps[steps.length - 1]?.[0] ?? (atS + HOURS * 3600) * 1000,
        splitNumber: 4,
        axisLabel: { fontSize: 10, hideOverlap: true, formatter: '{HH}:{mm}' },
      };
    }),
    yAxis: levels.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      min: 0,
      splitNumber: 3,
      name: unit,
      nameGap: 6,
      nameTextStyle: { fontSize: 10, align: 'right' },
      axisLabel: { fontSize: 10 },
    })),
    series: levels.flatMap((l, i) => {
      const mine = events.filter((e) => e.level === l.kind && e.target === l.id);
      return [
        {
          name: `budget, ${levelName(l)}`,
          type: 'line',
          step: 'end',
          xAxisIndex: i,
          yAxisIndex: i,
          showSymbol: false,
          lineStyle: { width: 2 },
          itemStyle: { color: BUDGET_COLOUR },
          data: budgetSteps(l).map(([t, kw]) => [t, scale(kw)]),
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(213, 94, 0, 0.12)' },
            label: { fontSize: 10, color: '#7a3300', position: 'insideTop' },
            data: mine.map((e) => [{ xAxis: e.startS * 1000, name: 'grid event' }, { xAxis: e.endS * 1000 }]),
          },
        },
        {
          name: `load now, ${levelName(l)}`,
          type: 'scatter',
          xAxisIndex: i,
          yAxisIndex: i,
          symbolSize: 8,
          itemStyle: { color: LOAD_COLOUR },
          data: [[atS * 1000, scale(l.loadKw)]],
          markLine: {
            silent: true,
            symbol: 'none',
            label: { show: false },
            lineStyle: { type: 'dashed', color: LOAD_COLOUR, width: 1.5 },
            data: [{ yAxis: scale(l.loadKw) }],
          },
        },
      ];
    }),
  };
}

/** One group's small multiples, with a text alternative that gives every figure drawn. */
function GroupChart({ group, atS, events }: { group: Group; atS: number; events: readonly GridEvent[] }) {
  const option = useMemo(() => multiplesOption(group.levels, atS, events), [group, atS, events]);
  const el = useChart(option);
  const rows = Math.ceil(group.levels.length / COLUMNS);
  const described = group.levels
    .map((l) => {
      const budgets = l.hours.map((h) => h.budgetKw);
      const low = budgets.length > 0 ? Math.min(...budgets) : l.budgetKw;
      return `${levelName(l)}: budget ${power(l.budgetKw)} now, lowest ${power(low)} in the next ${HOURS} hours, load ${power(l.loadKw)}`;
    })
    .join('; ');
  return (
    <div
      ref={el}
      className="power-chart"
      style={{ height: rows * CELL_PX }}
      role="img"
      aria-label={`${group.title}, budget over the next ${HOURS} hours and load now. ${described}.`}
      data-levels={group.levels.length}
    />
  );
}

/**
 * Power and the grid (`#/power`): each region's and site's budget over the next day against its load
 * now, the levels of the budget tree now, and grid events (demand response) with their plans and
 * what they delivered.
 */
export function Power() {
  const view = usePoll(
    useCallback(() => api.power(HOURS), []),
    10_000,
  );
  const events = usePoll(api.gridEvents, 5000);
  const levels = view.data?.levels ?? [];
  const groups = useMemo(() => groupLevels(view.data?.levels ?? []), [view.data]);
  const open = view.data?.events ?? [];
  return (
    <section className="panel wide" aria-label="Power and grid">
      <h2>Power and grid</h2>
      <p className="muted">
        Each grid region, site and pool draws within a power budget: its fixed draw (cooling, networks, idle machines)
        and the jobs placed there. Budgets change over the day with contracted windows and grid events.
      </p>
      {view.error && <p role="alert">Cannot read the power budgets: {view.error}</p>}
      <h3>Budgets over the day</h3>
      <p className="muted power-key">
        <span className="swatch" style={{ borderColor: BUDGET_COLOUR }} aria-hidden="true" /> budget hour by hour (step
        line) · <span className="swatch dashed" style={{ borderColor: LOAD_COLOUR }} aria-hidden="true" /> load now (dot
        at the present hour, dashed line across) · <span className="swatch area" aria-hidden="true" /> a grid
        event&apos;s window. Times in this browser&apos;s time zone.
      </p>
      {!view.data && !view.error && <p className="empty">Loading…</p>}
      {view.data && groups.length === 0 && <p className="empty">This network has no power budgets.</p>}
      {view.data &&
        groups.map((g) => (
          <Fragment key={g.key}>
            <h4>{g.title}</h4>
            <GroupChart group={g} atS={view.data?.atS ?? 0} events={open} />
          </Fragment>
        ))}
      <h3>Levels now</h3>
      {levels.length > 0 && <LevelTable levels={levels} />}
      <h3>Grid events</h3>
      {events.error && <p role="alert">Cannot read the grid events: {events.error}</p>}
      {events.data && events.data.length === 0 && (
        <p className="empty">
          No grid event yet. A grid event (demand response) asks a region or a site to draw less power over a window: a
          reduction below its baseline, or a ceiling. Suanli plans which jobs to scale in, pause, preempt or cap to meet
          it, carries the plan out when the event starts, and measures what was delivered against the baseline.
          Operators or the grid issue them, for example{' '}
          <code>npx suanli grid-events issue --site zhongwei --reduce-kw 500 --for 2h</code>.
        </p>
      )}
      {events.data && events.data.length > 0 && <EventTable events={events.data} />}
    </section>
  );
}

function LevelTable({ levels }: { levels: readonly PowerLevel[] }) {
  return (
    <table aria-label="Power levels">
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">Budget now</th>
          <th scope="col">Load now</th>
          <th scope="col">Headroom</th>
          <th scope="col">Fixed draw</th>
          <th scope="col">Lowest budget, next {HOURS} h</th>
        </tr>
      </thead>
      <tbody>
        {treeOrder(levels).map(({ level: l, depth }) => {
          const headroom = l.budgetKw - l.loadKw;
          const low = l.hours.length > 0 ? Math.min(...l.hours.map((h) => h.budgetKw)) : l.budgetKw;
          return (
            <tr key={`${l.kind}:${l.id}`} data-level={`${l.kind}:${l.id}`}>
              <th scope="row" className={`level depth-${Math.min(depth, 2)}`}>
                {l.kind}{' '}
                {l.kind === 'site' ? <a href={siteHref(l.id)}>{l.id}</a> : <span className="mono">{l.id}</span>}
              </th>
              <td className="num">{power(l.budgetKw)}</td>
              <td className="num">{power(l.loadKw)}</td>
              <td className="num">
                {headroom >= 0 ? power(headroom) : <strong className="out">over by {power(-headroom)}</strong>}
              </td>
              <td className="num">{power(l.fixedKw)}</td>
              <td className="num">{power(low)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The state of an event, coloured like job states: planned waits, active runs, reported is done. */
const STATE_CLASS: Readonly<Record<GridEvent['state'], string>> = {
  planned: 'state state-pending',
  active: 'state state-running',
  over: 'state',
  reported: 'state state-succeeded',
};

const ask = (e: GridEvent) =>
  e.reductionKw !== undefined ? `−${power(e.reductionKw)}` : `≤ ${power(e.ceilingKw ?? e.plan.askedKw)}`;

function planSummary(e: GridEvent): string {
  const n = e.plan.actions.length;
  const actions = n === 0 ? 'no action' : n === 1 ? '1 action' : `${n} actions`;
  return e.plan.feasible ? actions : `${actions} · short by ${power(e.plan.shortfallKw)}`;
}

function EventTable({ events }: { events: readonly GridEvent[] }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <table aria-label="Grid events">
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Target</th>
          <th scope="col">Ask</th>
          <th scope="col">Window</th>
          <th scope="col">State</th>
          <th scope="col">Plan</th>
          <th scope="col">Delivered</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const isOpen = expanded.has(e.id);
          const detailId = `grid-event-${e.id}`;
          const d = e.delivery;
          return (
            <Fragment key={e.id}>
              <tr data-event-id={e.id} className={isOpen ? 'selected' : undefined}>
                <td>
                  <button
                    type="button"
                    className="link mono"
                    aria-expanded={isOpen}
                    aria-controls={detailId}
                    onClick={() => toggle(e.id)}
                  >
                    {e.id}
                  </button>
                  <div className="muted">by {e.issuedBy}</div>
                </td>
                <td>
                  {e.level} {e.level === 'site' ? <a href={siteHref(e.target)}>{e.target}</a> : e.target}
                </td>
                <td className="num">{ask(e)}</td>
                <td>
                  {when(e.startS)} – {clock(e.endS)} ({duration(e.endS - e.startS)})
                  <div className="muted">comply by {clock(e.complyByS)}</div>
                </td>
                <td>
                  <span className={STATE_CLASS[e.state]}>{e.state}</span>
                </td>
                <td>{e.plan.feasible ? planSummary(e) : <strong className="out">{planSummary(e)}</strong>}</td>
                <td>
                  {d ? (
                    <>
                      {fmt(d.deliveredKwh)} of {fmt(d.askedKwh)} kWh ({fmt(d.deliveredPct)} %) ·{' '}
                      {d.onTime ? 'on time' : <strong className="out">late</strong>}
                    </>
                  ) : (
                    <span className="muted">not measured yet</span>
                  )}
                </td>
              </tr>
              {isOpen && (
                <tr id={detailId} className="event-detail">
                  <td colSpan={7}>
                    <EventDetail event={e} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** An event's plan action by action, what was carried out, and what was delivered. */
function EventDetail({ event: e }: { event: GridEvent }) {
  const p = e.plan;
  const d = e.delivery;
  return (
    <div>
      <p>
        Plan: {fmt(p.askedKwh)} kWh asked of a baseline of {fmt(p.baselineKwh)} kWh; the plan draws {fmt(p.plannedKwh)}{' '}
        kWh
        {p.feasible ? ', meeting the ask' : `, short by ${power(p.shortfallKw)} (${fmt(p.shortfallKwh)} kWh)`}.{' '}
        {fmt(p.lostAcceleratorHours, 1)} accelerator-hours lost, ¥{fmt(p.costFen / 100, 2)}, {p.delayedJobs} jobs
        delayed, {p.deadlinesBroken} deadlines broken.
      </p>
      {p.parked.length > 0 && (
        <p>
          Powers down{' '}
          {p.parked.map((x) => `${fmt(x.count)} idle accelerators of ${x.poolId} (${power(x.savedKw)})`).join(', ')} for
          the window: nothing runs on them meanwhile.
        </p>
      )}
      {p.actions.length === 0 ? (
        <p className="empty">
          {p.parked.length > 0
            ? 'No job is touched: idle accelerators give what is asked.'
            : 'The plan takes no action: no job there could draw less.'}
        </p>
      ) : (
        <table aria-label={`Plan of ${e.id}`}>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Tenant</th>
              <th scope="col">Group</th>
              <th scope="col">Action</th>
              <th scope="col">Cap W</th>
              <th scope="col">Saves kW</th>
              <th scope="col">Lost acc-h</th>
              <th scope="col">Delay</th>
              <th scope="col">Then</th>
            </tr>
          </thead>
          <tbody>
            {p.actions.map((a) => (
              <tr key={`${a.jobId}:${a.action}:${a.fromS}`}>
                <td>
                  <a href={jobHref(a.jobId)}>{a.jobId}</a>
                </td>
                <td>
                  <a href={tenantHref(a.tenant)}>{a.tenant}</a>
                </td>
                <td>{a.group}</td>
                <td>
                  {a.action}
                  {a.breaksDeadline && (
                    <>
                      {' '}
                      <strong className="out">breaks its deadline</strong>
                    </>
                  )}
                </td>
                <td className="num">{a.capW !== undefined ? fmt(a.capW) : '—'}</td>
                <td className="num">{fmt(a.savedKw, 1)}</td>
                <td className="num">{fmt(a.lostAcceleratorHours, 1)}</td>
                <td className="num">{a.delayS > 0 ? duration(a.delayS) : '—'}</td>
                <td>{a.afterwards ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Carried out</h4>
      {e.applied ? (
        e.applied.done.length === 0 ? (
          <p className="empty">Applied at {when(e.applied.atS)}: nothing to do.</p>
        ) : (
          <ul aria-label={`Carried out for ${e.id}`}>
            {e.applied.done.map((x) => (
              <li key={`${x.jobId}:${x.action}`}>
                <a href={jobHref(x.jobId)}>{x.jobId}</a> {x.action}
                {x.capW !== undefined && ` to ${fmt(x.capW)} W`}: {x.outcome}{' '}
                <span className="muted">at {clock(e.applied?.atS ?? 0)}</span>
              </li>
            ))}
          </ul>
        )
      ) : (
        <p className="empty">Not carried out yet: the plan is applied when the event starts.</p>
      )}
      {d && (
        <p>
          Delivered {fmt(d.deliveredKwh)} of {fmt(d.askedKwh)} kWh asked ({fmt(d.deliveredPct)} %): drew{' '}
          {fmt(d.actualKwh)} kWh against a baseline of {fmt(d.baselineKwh)} kWh, peak {power(d.peakKw)}
          {d.overCeilingKw > 0 && `, ${power(d.overCeilingKw)} over the ceiling`},{' '}
          {d.onTime ? 'in place on time' : 'in place late'}.
        </p>
      )}
    </div>
  );
}

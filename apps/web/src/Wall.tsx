import { useCallback, useEffect, useMemo, useState } from 'react';
import { type Alert, api, type Gauge, type Job, type Site } from './api.ts';
import { utilizationOption } from './HistoryCharts.tsx';
import { COLOUR_BY, type ColourBy, type MapFlow, type MapLink, NetworkMap } from './NetworkMap.tsx';
import { jobHref, routeHash, siteHref, tenantHref } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

const nf = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A chart font that stays readable across a room: about 1 % of the screen's width. */
const wallFontPx = () => Math.max(12, Math.round(window.innerWidth * 0.0095));

function useWallFontSize(): number {
  const [px, setPx] = useState(wallFontPx);
  useEffect(() => {
    const on = () => setPx(wallFontPx());
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return px;
}

/** Data being staged for placed jobs (from a replica of their data to where they run), and sites placing just now. */
export function motion(jobs: readonly Job[], nowS: number): { flows: MapFlow[]; placing: string[] } {
  const flows: MapFlow[] = [];
  const placing = new Set<string>();
  for (const j of jobs) {
    const p = j.placement;
    if (!p || !['scheduled', 'running'].includes(j.state)) continue;
    if (j.explanation && nowS - j.explanation.atS < 30) placing.add(p.siteId);
    if (p.estimate.transferGb > 0 && nowS < p.estimate.startS) {
      for (const d of j.spec.datasets ?? []) {
        const from = d.replicas.find((r) => r !== p.siteId);
        if (from && !d.replicas.includes(p.siteId)) flows.push({ from, to: p.siteId, gb: d.sizeGb });
      }
    }
  }
  return { flows, placing: [...placing] };
}

/** Links with the data now moving over them (a transfer counts on the link between its two sites). */
function withTraffic(links: readonly MapLink[], flows: readonly MapFlow[]): MapLink[] {
  const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const gb = new Map<string, number>();
  for (const f of flows) gb.set(key(f.from, f.to), (gb.get(key(f.from, f.to)) ?? 0) + f.gb);
  return links.map((l) => ({ ...l, trafficGb: gb.get(key(l.a, l.b)) ?? 0 }));
}

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="figure">
      <div className="figure-label">{label}</div>
      <div className="figure-value">{value}</div>
      {detail && <div className="figure-detail">{detail}</div>}
    </div>
  );
}

/** The headline figures: accelerators busy, jobs queued and running, power, cost and carbon per hour, green share. */
function Headline({ gauge }: { gauge: Gauge | undefined }) {
  const n = gauge?.network;
  return (
    <section className="wall-figures" aria-label="Headline figures">
      <Figure
        label="accelerators busy"
        value={n ? nf(n.busy) : '—'}
        detail={n ? `of ${nf(n.accelerators)} · ${nf(n.utilization * 100, 1)} %` : ''}
      />
      <Figure label="jobs queued" value={n ? nf(n.queued) : '—'} />
      <Figure label="jobs running" value={n ? nf(n.running) : '—'} />
      <Figure
        label="power drawn"
        value={n ? `${nf(n.powerKw / 1000, 1)} MW` : '—'}
        detail={n ? `cap ${nf(n.powerCapKw / 1000)} MW` : ''}
      />
      <Figure label="cost" value={n ? `¥${nf(n.costFenPerHour / 100)}/h` : '—'} detail="compute and energy" />
      <Figure label="carbon" value={n ? `${nf(n.carbonKgPerHour / 1000, 2)} t/h` : '—'} detail="CO2, grid average" />
      <Figure label="green power" value={n ? `${nf(n.greenShare * 100, 1)} %` : '—'} detail="contracted share" />
    </section>
  );
}

function SitesTable({ sites, gauge }: { sites: readonly Site[]; gauge: Gauge | undefined }) {
  const power = new Map(gauge?.sites.map((s) => [s.siteId, s]) ?? []);
  return (
    <table className="wall-sites" aria-label="Sites">
      <thead>
        <tr>
          <th scope="col">Site</th>
          <th scope="col">Busy</th>
          <th scope="col">Power (MW)</th>
        </tr>
      </thead>
      <tbody>
        {[...sites]
          .sort((a, b) => b.accelerators - a.accelerators)
          .map((s) => {
            const g = power.get(s.id);
            return (
              <tr key={s.id}>
                <td>
                  <a href={siteHref(s.id)}>{s.name}</a>
                  {s.outage && (
                    <strong className="out" title={s.outage.reason}>
                      out of service
                    </strong>
                  )}
                </td>
                <td>
                  <meter min={0} max={1} value={s.utilization} aria-label={`${s.id} utilization`} />{' '}
                  {nf(s.utilization * 100)} %
                </td>
                <td>
                  {g ? nf(g.powerKw / 1000, 1) : '—'}
                  <span className="muted"> / {nf(s.powerCapMw)}</span>
                </td>
              </tr>
            );
          })}
      </tbody>
    </table>
  );
}

function Alerts({ alerts, error }: { alerts: readonly Alert[] | undefined; error: string | undefined }) {
  return (
    <section className="wall-alerts" aria-label="Latest alerts">
      <h2>Latest alerts</h2>
      {error ? (
        <p className="muted">{/FORBIDDEN/.test(error) ? 'Alerts need an operator or auditor token.' : error}</p>
      ) : (alerts ?? []).length === 0 ? (
        <p className="muted">None: no job failed, was preempted or was denied recently.</p>
      ) : (
        <ul>
          {(alerts ?? []).map((a) => (
            <li key={a.seq} data-kind={a.kind}>
              <time dateTime={new Date(a.atS * 1000).toISOString()}>
                {new Date(a.atS * 1000).toLocaleTimeString('en-GB', {
                  hour: '2-digit',
                  minute: '2-digit',
                  timeZone: 'Asia/Shanghai',
                })}
              </time>{' '}
              <a href={a.kind === 'job.denied' ? tenantHref(a.subject) : jobHref(a.subject)}>{a.summary}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The dispatch centre's wall display (`#/wall`): one screen without scrolling, at 1920×1080 and
 * 3840×2160 alike: the network's map, the headline figures, every site's load and power, the last
 * 24 hours, the latest alerts. It refreshes itself; fonts scale with the screen.
 */
export function Wall() {
  const fontSize = useWallFontSize();
  const sites = usePoll(api.sites, 2000);
  const links = usePoll(api.links, 60_000);
  const jobs = usePoll(api.jobs, 3000);
  const gauge = usePoll(api.gauge, 2000);
  const alerts = usePoll(
    useCallback(() => api.alerts(6), []),
    5000,
  );
  const history = usePoll(
    useCallback(() => api.history('24h'), []),
    60_000,
  );
  const [colourBy, setColourBy] = useState<ColourBy>('utilization');
  const nowS = gauge.data?.atS ?? Date.now() / 1000;
  const { flows, placing } = useMemo(() => motion(jobs.data ?? [], nowS), [jobs.data, nowS]);
  const mapLinks = useMemo(() => withTraffic(links.data ?? [], flows), [links.data, flows]);
  const points = history.data?.points ?? [];
  const day = useChart(
    useMemo(() => utilizationOption(points, 'Utilization and queue, last 24 h', fontSize), [points, fontSize]),
  );
  const error = sites.error ?? gauge.error;
  return (
    <div className="wall" data-font-px={fontSize}>
      <header className="wall-head">
        <h1>
          Suanli <span lang="zh">算力</span> <span className="wall-sub">computing-power network</span>
        </h1>
        <p className="wall-clock" aria-live="off">
          {new Date(nowS * 1000).toLocaleString('en-GB', { timeZone: 'Asia/Shanghai', hour12: false })} Beijing time ·{' '}
          <a href={routeHash({ view: 'network' })}>leave the wall</a>
        </p>
        {error && <p role="alert">Cannot reach the API: {error}</p>}
      </header>
      <Headline gauge={gauge.data} />
      <section className="wall-map" aria-label="Network map">
        <label className="wall-colour">
          Colour by{' '}
          <select value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
            {COLOUR_BY.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <NetworkMap
          sites={sites.data ?? []}
          links={mapLinks}
          flows={flows}
          placing={placing}
          colourBy={colourBy}
          atS={nowS}
          fontSize={fontSize}
          roam={false}
        />
      </section>
      <section className="wall-side" aria-label="Sites and the last day">
        <SitesTable sites={sites.data ?? []} gauge={gauge.data} />
        <div
          ref={day}
          className="wall-chart"
          role="img"
          aria-label="Utilization and queue depth over the last 24 hours"
          data-points={points.length}
        />
      </section>
      <Alerts alerts={alerts.data} error={alerts.error} />
    </div>
  );
}

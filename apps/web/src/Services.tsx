import type { EChartsCoreOption } from 'echarts/core';
import { useCallback, useMemo } from 'react';
import { api, type Site } from './api.ts';
import { NetworkMap } from './NetworkMap.tsx';
import { PALETTE } from './palette.ts';
import { jobHref, serviceHref, siteHref, tenantHref } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

const nf = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Online services: replicas running of asked, load now, SLO met or missed, cost. */
export function Services() {
  const services = usePoll(api.services, 3000);
  const list = services.data ?? [];
  return (
    <section className="panel wide" aria-label="Services">
      <h2>Online services</h2>
      {services.error && <p role="alert">Cannot read the services: {services.error}</p>}
      {list.length === 0 ? (
        <p className="empty">
          No service runs. Submit one with <code>npx suanli submit examples/jobs/chat-service.yaml</code>.
        </p>
      ) : (
        <table aria-label="Services">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Tenant</th>
              <th scope="col">Replicas running</th>
              <th scope="col">Requests/s</th>
              <th scope="col">SLO now</th>
              <th scope="col">Within SLO so far</th>
              <th scope="col">CNY/h</th>
              <th scope="col">CNY per million requests</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => {
              const running = s.replicas.filter((r) => r.state === 'running').length;
              const met = s.regions.every((r) => r.withinSlo);
              return (
                <tr key={s.id}>
                  <td>
                    <a href={serviceHref(s.id)}>{s.name}</a> <span className="muted">{s.id}</span>
                  </td>
                  <td>
                    <a href={tenantHref(s.tenant)}>{s.tenant}</a>
                  </td>
                  <td className="num">
                    {running} of {s.replicas.filter((r) => r.state !== 'cancelled' && r.state !== 'succeeded').length}
                  </td>
                  <td className="num">
                    {nf(
                      s.regions.reduce((n, r) => n + r.requestsPerS, 0),
                      1,
                    )}
                  </td>
                  <td>{met ? `met (${s.sloMs} ms)` : <strong className="out">missed ({s.sloMs} ms)</strong>}</td>
                  <td className="num">{s.sloAttainment !== undefined ? `${nf(s.sloAttainment * 100, 2)} %` : '—'}</td>
                  <td className="num">{nf(s.costCnyPerHour)}</td>
                  <td className="num">{s.costCnyPerMillion !== undefined ? nf(s.costCnyPerMillion) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One service: the sites of its replicas and its users' regions on the map, its load against its capacity over the day, its regions and replicas. */
export function ServicePage({ serviceId, sites }: { serviceId: string; sites: Site[] }) {
  const service = usePoll(
    useCallback(() => api.service(serviceId), [serviceId]),
    2000,
  );
  const job = usePoll(
    useCallback(() => api.job(serviceId), [serviceId]),
    60_000,
  );
  const s = service.data;
  if (service.error)
    return (
      <p role="alert">
        Cannot read service {serviceId}: {service.error}
      </p>
    );
  if (!s) return <p className="empty">Loading…</p>;
  const running = s.replicas.filter((r) => r.state === 'running');
  const replicaSites = [...new Set(running.map((r) => r.siteId).filter((x): x is string => x !== undefined))];
  const demand = job.data?.spec.service?.demand ?? [];
  return (
    <section className="panel wide" aria-label={`Service ${s.id}`}>
      <h2>
        {s.name} <span className="muted">{s.id}</span>
      </h2>
      <p className="muted">
        <a href={tenantHref(s.tenant)}>{s.tenant}</a> · {s.state} · replicas {s.minReplicas}–{s.maxReplicas},{' '}
        {s.guaranteed} guaranteed · {s.targetPerReplica} requests/s each · SLO {s.sloMs} ms to first token (p95) ·{' '}
        {nf(s.costCnyPerHour)} CNY/h
        {s.costCnyPerMillion !== undefined && ` · ${nf(s.costCnyPerMillion)} CNY per million requests`}
        {s.sloAttainment !== undefined && ` · ${nf(s.sloAttainment * 100, 2)} % of requests within the SLO so far`} ·{' '}
        <a href={jobHref(s.id)}>its job record</a>
      </p>
      <div className="service-grid">
        <NetworkMap
          sites={sites.filter((x) => replicaSites.includes(x.id) || s.regions.some((r) => r.regionId === x.id))}
        />
        <LoadChart
          demand={demand}
          targetPerReplica={s.targetPerReplica}
          capacityPerS={(running.length * s.targetPerReplica) / 0.7}
          atS={s.atS}
          title={`Load against capacity over the day (${running.length} replicas running)`}
        />
      </div>
      <table aria-label="Regions">
        <thead>
          <tr>
            <th scope="col">Region</th>
            <th scope="col">Requests/s now</th>
            <th scope="col">Replicas</th>
            <th scope="col">Running</th>
            <th scope="col">Time to first token (ms)</th>
            <th scope="col">SLO</th>
          </tr>
        </thead>
        <tbody>
          {s.regions.map((r) => (
            <tr key={r.regionId}>
              <td>
                <a href={siteHref(r.regionId)}>{r.regionId}</a>
              </td>
              <td className="num">{nf(r.requestsPerS, 1)}</td>
              <td className="num">{r.replicas}</td>
              <td className="num">{r.running}</td>
              <td className="num">{r.ttftMs !== undefined ? nf(r.ttftMs) : '—'}</td>
              <td>{r.withinSlo ? 'met' : <strong className="out">missed</strong>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table aria-label="Replicas">
        <thead>
          <tr>
            <th scope="col">Replica</th>
            <th scope="col">Region</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Site</th>
            <th scope="col">CNY/h</th>
          </tr>
        </thead>
        <tbody>
          {s.replicas.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={jobHref(r.id)}>{r.id}</a>
              </td>
              <td>{r.regionId}</td>
              <td>{r.guaranteed ? 'guaranteed' : 'burst'}</td>
              <td>{r.state}</td>
              <td>{r.siteId ? <a href={siteHref(r.siteId)}>{r.siteId}</a> : '—'}</td>
              <td className="num">{r.costCnyPerHour !== undefined ? nf(r.costCnyPerHour) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The demand curves by hour (Beijing time), stacked by region, against the running replicas' capacity; a line at the service's hour now. */
function LoadChart({
  demand,
  targetPerReplica,
  capacityPerS,
  atS,
  title,
}: {
  demand: readonly { regionId: string; requestsPerS: readonly number[] }[];
  targetPerReplica: number;
  capacityPerS: number;
  atS: number;
  title: string;
}) {
  const hour = Math.floor(((atS + 8 * 3600) % 86_400) / 3600);
  const option = useMemo<EChartsCoreOption>(
    () => ({
      title: { text: title, left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 56, right: 24, top: 48, bottom: 56 },
      xAxis: { type: 'category', name: 'hour', data: Array.from({ length: 24 }, (_, h) => String(h)) },
      yAxis: { type: 'value', name: 'requests/s', min: 0 },
      series: [
        ...demand.map((d, i) => ({
          name: `demand ${d.regionId}`,
          type: 'line',
          stack: 'demand',
          areaStyle: { opacity: 0.35 },
          showSymbol: false,
          itemStyle: { color: PALETTE[i % PALETTE.length] },
          data: d.requestsPerS,
          ...(i === 0
            ? {
                markLine: {
                  symbol: 'none',
                  silent: true,
                  label: { formatter: 'now' },
                  data: [{ xAxis: String(hour) }],
                },
              }
            : {}),
        })),
        {
          // What the autoscaler provisions hour by hour: per region ⌈demand ÷ target⌉ replicas, each taking target ÷ 0.7.
          name: 'capacity planned over the day',
          type: 'line',
          step: 'middle',
          showSymbol: false,
          lineStyle: { color: '#555', width: 1.5 },
          itemStyle: { color: '#555' },
          data: Array.from(
            { length: 24 },
            (_, h) =>
              Math.round(
                demand.reduce(
                  (n, d) =>
                    n + Math.ceil((d.requestsPerS[h] ?? 0) / targetPerReplica - 1e-9) * (targetPerReplica / 0.7),
                  0,
                ) * 10,
              ) / 10,
          ),
        },
        {
          name: 'capacity now (requests/s)',
          type: 'line',
          showSymbol: false,
          lineStyle: { type: 'dashed', color: '#000' },
          itemStyle: { color: '#000' },
          data: Array.from({ length: 24 }, () => Math.round(capacityPerS * 10) / 10),
        },
      ],
    }),
    [demand, targetPerReplica, capacityPerS, hour, title],
  );
  const el = useChart(option);
  return <div ref={el} className="chart service-chart" role="img" aria-label={title} data-regions={demand.length} />;
}

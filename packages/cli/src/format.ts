import { type Dataset, formatDuration, formatNumber, type Model, type SiteVerdict } from '@suanli/engine';
import type {
  JobRecord,
  NetworkHealthView,
  OptimizeResult,
  Quote,
  ServiceView,
  SiteStatus,
  StoredModelAudit,
  WhyPending,
} from '@suanli/service';
import type { PolicyTest } from './client.ts';

/** Left-aligned text columns, right-aligned numbers; one header row. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A time as local date and time with its UTC offset: 2026-11-23 14:05:09 +08:00. */
export function formatTime(s: number | undefined): string {
  if (s === undefined) return '-';
  const d = new Date(s * 1000);
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19).replace('T', ' ');
  return `${local} ${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}

export function sitesTable(sites: readonly SiteStatus[]): string {
  return table(
    ['SITE', 'KIND', 'PROVINCE', 'ACCELERATORS', 'USED', 'UTIL', 'PUE', 'kgCO2/kWh', 'POOLS', 'HEALTH'],
    sites.map((s) => [
      s.id,
      s.kind,
      s.province,
      formatNumber(s.accelerators),
      formatNumber(s.used),
      `${Math.round(s.utilization * 100)}%`,
      s.pue.toFixed(2),
      s.gridCarbonKgPerKwh.toFixed(3),
      s.pools.map((p) => `${p.accelerator}×${p.count}`).join(' '),
      s.outage ? `out (${s.outage.failureClass})` : 'in service',
    ]),
    [3, 4, 5, 6, 7],
  );
}

export function jobsTable(jobs: readonly JobRecord[]): string {
  return table(
    ['ID', 'NAME', 'TENANT', 'KIND', 'STATE', 'SITE', 'ACCELERATORS', 'SUBMITTED'],
    jobs.map((j) => [
      j.id,
      j.spec.name,
      j.spec.tenant,
      j.spec.kind,
      j.state,
      j.placement?.siteId ?? '-',
      j.placement
        ? `${j.placement.accelerator}×${j.placement.count}`
        : j.spec.options.map((o) => `${o.accelerator}×${o.perMember * j.spec.gang}`).join('|'),
      formatTime(j.submittedAtS),
    ]),
  );
}

export function verdictsTable(verdicts: readonly SiteVerdict[], nowS: number): string {
  const scored = verdicts.filter((v) => v.outcome === 'scored');
  const filtered = verdicts.filter((v) => v.outcome === 'filtered');
  const out: string[] = [];
  if (scored.length > 0) {
    out.push(
      table(
        ['RANK', 'SITE', 'POOL', 'SCORE', 'COST', 'CARBON', 'TIME', 'CNY', 'kWh', 'kgCO2', 'START'],
        scored.map((v) => [
          String(v.rank),
          v.siteId,
          `${v.accelerator}×${v.count}`,
          String(v.total),
          String(v.scores.cost),
          String(v.scores.carbon),
          String(v.scores.time),
          formatNumber(v.estimate.costCny),
          formatNumber(v.estimate.energyKwh, 1),
          formatNumber(v.estimate.carbonKg, 1),
          v.estimate.startS <= nowS ? 'now' : `in ${formatDuration(v.estimate.startS - nowS)}`,
        ]),
        [0, 3, 4, 5, 6, 7, 8, 9],
      ),
    );
  }
  if (filtered.length > 0) {
    out.push(
      '',
      'Filtered out:',
      table(
        ['SITE', 'BY', 'WHY'],
        filtered.map((v) => [v.siteId, v.plugin, v.reason]),
      ),
    );
  }
  return out.join('\n');
}

export function quoteText(q: Quote): string {
  return [q.summary, '', verdictsTable([...q.options, ...q.rejected], q.atS)].join('\n');
}

export function jobText(j: JobRecord): string {
  const lines = [
    `${j.id}  ${j.spec.name}  (${j.spec.kind}, tenant ${j.spec.tenant})`,
    `state      ${j.state}${j.message ? `: ${j.message}` : ''}`,
    `submitted  ${formatTime(j.submittedAtS)}`,
  ];
  if (j.startedAtS !== undefined) lines.push(`started    ${formatTime(j.startedAtS)}`);
  if (j.endedAtS !== undefined)
    lines.push(`ended      ${formatTime(j.endedAtS)}${j.exitCode !== undefined ? ` (exit ${j.exitCode})` : ''}`);
  if (j.placement) {
    const e = j.placement.estimate;
    lines.push(
      `placed     ${j.placement.siteId} / ${j.placement.poolId} (${j.placement.accelerator}×${j.placement.count}) on backend ${j.backend ?? '-'}${j.externalId ? ` as ${j.externalId}` : ''}`,
      `estimate   ${formatNumber(e.costCny)} CNY (accelerators ${formatNumber(e.computeCostCny)}, energy ${formatNumber(e.energyCostCny)}, transfer ${formatNumber(e.transferCostCny)}), ${formatNumber(e.energyKwh, 1)} kWh, ${formatNumber(e.carbonKg, 1)} kgCO2 (${e.carbonSignal}), run ${formatDuration(e.durationS)}`,
    );
  }
  if (j.failures && j.failures.length > 0) {
    lines.push(
      '',
      `Failed runs (${j.restarts ?? 0} restart${j.restarts === 1 ? '' : 's'}):`,
      table(
        ['ATTEMPT', 'AT', 'SITE', 'CLASS', 'RAN', 'KEPT', 'LOST', 'THEN'],
        j.failures.map((f) => [
          String(f.attempt),
          formatTime(f.atS),
          f.siteId,
          `${f.failureClass}${f.exitCode !== undefined ? ` (exit ${f.exitCode})` : ''}`,
          formatDuration(f.ranS),
          formatDuration(f.keptS),
          formatDuration(f.lostS),
          `${f.outcome}${fenceText(f.fence)}`,
        ]),
      ),
    );
  }
  if (j.explanation) {
    lines.push('', `Why: ${j.explanation.summary}`, '', verdictsTable(j.explanation.verdicts, j.explanation.atS));
  }
  return lines.join('\n');
}

/** What became of a run cut off by an outage. */
export function fenceText(fence: 'pending' | 'done' | undefined): string {
  if (fence === 'pending') return '; cut off: cancelled when its site answers again';
  if (fence === 'done') return '; cut off, then fenced: its late report ignored, the run cancelled';
  return '';
}

export function whyText(w: WhyPending): string {
  const lines = [`${w.jobId}: ${w.state}`];
  if (w.decision === 'not-pending') {
    lines.push(w.reason);
    return lines.join('\n');
  }
  const verb = { place: 'would start in the next cycle', reserve: 'has a reserved start', wait: 'waits' }[w.decision];
  lines.push(
    `decision   ${verb}${w.expectedStartS !== undefined ? ` (expected start ${formatTime(w.expectedStartS)})` : ''}`,
  );
  lines.push(`reason     ${w.reason}`);
  lines.push(`queue      ${w.ahead} pending job${w.ahead === 1 ? '' : 's'} decided before it`);
  if (w.quota) {
    lines.push(
      `quota      cluster queue ${w.quota.clusterQueue}${w.quota.cohort ? ` (cohort ${w.quota.cohort})` : ''}:`,
    );
    for (const f of w.quota.flavours) {
      lines.push(
        `           ${f.flavour}: ${formatNumber(f.used)} used of nominal ${formatNumber(f.nominal)}, ${formatNumber(f.available)} available, needs ${formatNumber(f.needs)}`,
      );
    }
  }
  for (const n of w.notes) lines.push(`note       ${n}`);
  lines.push('', verdictsTable(w.verdicts, Math.floor(Date.now() / 1000)));
  return lines.join('\n');
}

export function optimizeText(r: OptimizeResult): string {
  const lines: string[] = [];
  const p = r.report;
  if (p) {
    if (p.status === 'fallback-greedy') lines.push(`optimizer fell back to the greedy plan: ${p.reason ?? ''}`);
    else {
      lines.push(
        `optimizer ${p.status}: ${formatNumber(p.jobs)} jobs, ${formatNumber(p.columns)} columns × ${formatNumber(p.rows)} rows, ` +
          `objective ${formatNumber(p.objective, 2)}, lower bound ${formatNumber(p.lpBound, 2)}, gap ${formatNumber(p.gapPct, 2)} %, ` +
          `LP ${formatNumber(p.lpS, 2)} s, MIP ${formatNumber(p.mipS, 2)} s`,
      );
    }
  }
  lines.push(
    `plan: ${r.decisions.placed} to start now, ${r.decisions.reserved} held for later, ${r.decisions.waiting} waiting`,
  );
  lines.push(
    r.applied
      ? `applied: ${r.cycle?.placed ?? 0} placed, ${r.cycle?.dispatched ?? 0} handed to backends`
      : 'not applied (run with --apply to carry it out)',
  );
  if (r.plan.length > 0) {
    lines.push(
      '',
      table(
        ['JOB', 'ACTION', 'SITE', 'POOL', 'START'],
        r.plan
          .slice(0, 50)
          .map((x) => [x.jobId, x.kind === 'place' ? 'start now' : 'hold', x.siteId, x.poolId, formatTime(x.startS)]),
      ),
    );
    if (r.plan.length > 50) lines.push(`… and ${r.plan.length - 50} more`);
  }
  return lines.join('\n');
}

export function policyTable(p: {
  name: string;
  version: number;
  rules: readonly { id: string; title: string; source: string; stage: string; effect: string }[];
}): string {
  return `policy ${p.name} v${p.version}, ${p.rules.length} rules\n\n${table(
    ['RULE', 'STAGE', 'EFFECT', 'TITLE', 'SOURCE'],
    p.rules.map((r) => [r.id, r.stage, r.effect, r.title, r.source]),
  )}`;
}

export function policyTestText(r: PolicyTest): string {
  const head = r.admission.allowed
    ? `admission: allowed (${r.admission.checked.length} rules checked)`
    : `admission: DENIED\n${r.admission.denials.map((d) => `  ${d.reason}`).join('\n')}`;
  const allowed = r.sites.filter((s) => s.allowed).map((s) => s.siteId);
  const denied = r.sites.filter((s) => !s.allowed);
  const lines = [
    head,
    `placement: allowed at ${allowed.length} of ${r.sites.length} sites${allowed.length ? `: ${allowed.join(', ')}` : ''}`,
  ];
  if (denied.length > 0) {
    lines.push(
      '',
      table(
        ['SITE', 'WHY NOT'],
        denied.map((s) => [s.siteId, s.reasons.join('; ')]),
      ),
    );
  }
  const preferences = r.sites.filter((s) => s.allowed && s.reasons.length > 0);
  if (preferences.length > 0) {
    lines.push(
      '',
      table(
        ['SITE', 'COUNTS DEARER'],
        preferences.map((s) => [s.siteId, s.reasons.join('; ')]),
      ),
    );
  }
  return lines.join('\n');
}

export function datasetsTable(d: readonly Dataset[]): string {
  return table(
    ['DATASET', 'LEVEL', 'PI', 'INDIVIDUALS', 'GB', 'REPLICAS', 'OWNER', 'CHECKSUM'],
    d.map((x) => [
      x.name,
      x.level ?? '?',
      x.pi ?? '?',
      x.individuals === undefined ? '-' : formatNumber(x.individuals),
      formatNumber(x.sizeGb),
      x.replicas.join(','),
      x.owner ?? '-',
      x.checksum ? `${x.checksum.slice(0, 12)}…` : '-',
    ]),
    [3, 4],
  );
}

export function modelsTable(m: readonly Model[]): string {
  return table(
    ['MODEL', 'KIND', 'OWNER', 'WEIGHTS', 'FILED', 'FILING', 'SECTORS', 'AUDITS'],
    m.map((x) => [
      x.id,
      x.kind,
      x.owner,
      `${x.weightsDigest.slice(0, 12)}…`,
      x.filedWeightsDigest === x.weightsDigest ? 'yes' : x.filedWeightsDigest ? 'other weights' : 'no',
      x.genaiFilingNo || x.registrationNo || x.algorithmFilingNo || '-',
      x.sectors.join(','),
      x.audits.length === 0 ? '-' : x.audits.map((a) => `${a.sector}:${a.passed ? 'pass' : 'fail'}`).join(' '),
    ]),
  );
}

export function fairnessText(a: StoredModelAudit): string {
  const r = a.report;
  const rate = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  return [
    `fairness audit of ${a.modelId} for ${a.sector}: ${a.passed ? 'PASSED' : 'FAILED'} (${formatNumber(r.rows)} rows)`,
    `  disparate impact ratio       ${r.disparateImpactRatio.toFixed(3)}  (min ${r.thresholds.minDisparateImpactRatio})`,
    `  demographic parity diff.     ${r.demographicParityDifference.toFixed(3)}  (max ${r.thresholds.maxDemographicParityDifference})`,
    `  equalized odds difference    ${r.equalizedOddsDifference.toFixed(3)}  (max ${r.thresholds.maxEqualizedOddsDifference})`,
    ...r.failures.map((f) => `  ✗ ${f}`),
    '',
    table(
      ['GROUP', 'ROWS', 'SELECTION', 'TPR', 'FPR'],
      r.groups.map((g) => [
        g.group,
        formatNumber(g.count),
        rate(g.selectionRate),
        rate(g.truePositiveRate),
        rate(g.falsePositiveRate),
      ]),
      [1, 2, 3, 4],
    ),
  ].join('\n');
}

/** Sites out of service and links cut, one line each; a line saying all is well otherwise. */
export function healthText(h: NetworkHealthView): string {
  const out = h.sites.filter((s) => s.state === 'out');
  const lines = out.map(
    (s) => `site ${s.siteId}: out of service since ${isoTime(s.sinceS ?? 0)} (${s.failureClass}): ${s.reason}`,
  );
  for (const l of h.links) lines.push(`link ${l.from}–${l.to}: cut since ${isoTime(l.sinceS)}: ${l.reason}`);
  if (lines.length === 0) return `all ${h.sites.length} sites in service; no link cut`;
  return [`${h.sites.length - out.length} of ${h.sites.length} sites in service`, ...lines].join('\n');
}

function isoTime(s: number): string {
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Services, a line each: replicas running of asked, load now, whether the SLO is met now, cost. */
export function servicesTable(services: readonly ServiceView[]): string {
  if (services.length === 0) return 'no service runs';
  return table(
    ['ID', 'NAME', 'TENANT', 'REPLICAS', 'REQ/S', 'SLO NOW', 'WITHIN SLO', 'CNY/H', 'CNY/M REQ'],
    services.map((s) => [
      s.id,
      s.name,
      s.tenant,
      `${s.replicas.filter((r) => r.state === 'running').length}/${s.replicas.filter((r) => r.state !== 'cancelled' && r.state !== 'succeeded' && r.state !== 'failed').length}`,
      formatNumber(
        s.regions.reduce((n, r) => n + r.requestsPerS, 0),
        1,
      ),
      s.regions.every((r) => r.withinSlo) ? `met (${s.sloMs} ms)` : `missed (${s.sloMs} ms)`,
      s.sloAttainment !== undefined ? `${formatNumber(s.sloAttainment * 100, 2)} %` : '-',
      formatNumber(s.costCnyPerHour),
      s.costCnyPerMillion !== undefined ? formatNumber(s.costCnyPerMillion) : '-',
    ]),
    [3, 4, 6, 7, 8],
  );
}

/** One service: its regions (load, replicas, time to first token), its replicas, its cost. */
export function serviceText(s: ServiceView): string {
  const lines = [
    `${s.id} ${s.name} (${s.tenant}): ${s.state}; replicas ${s.minReplicas}–${s.maxReplicas}, ${s.guaranteed} guaranteed, ${s.targetPerReplica} req/s each; SLO ${s.sloMs} ms to first token (p95)`,
    `cost now ${formatNumber(s.costCnyPerHour)} CNY/h${s.costCnyPerMillion !== undefined ? `, ${formatNumber(s.costCnyPerMillion)} CNY per million requests` : ''}${s.costCnyPerMillionTokens !== undefined ? `, ${formatNumber(s.costCnyPerMillionTokens, 2)} CNY per million tokens` : ''}`,
    s.sloAttainment !== undefined
      ? `SLO attainment ${formatNumber(s.sloAttainment * 100, 2)} % of ${formatNumber(s.requests)} requests so far`
      : 'SLO attainment: no request measured yet',
    '',
    table(
      ['REGION', 'REQ/S', 'REPLICAS', 'RUNNING', 'TTFT MS', 'SLO'],
      s.regions.map((r) => [
        r.regionId,
        formatNumber(r.requestsPerS, 1),
        String(r.replicas),
        String(r.running),
        r.ttftMs !== undefined ? formatNumber(r.ttftMs) : '-',
        r.withinSlo ? 'met' : 'missed',
      ]),
      [1, 2, 3, 4],
    ),
    '',
    table(
      ['REPLICA', 'REGION', 'KIND', 'STATE', 'SITE', 'CNY/H'],
      s.replicas.map((r) => [
        r.id,
        r.regionId,
        r.guaranteed ? 'guaranteed' : 'burst',
        r.state,
        r.siteId ?? '-',
        r.costCnyPerHour !== undefined ? formatNumber(r.costCnyPerHour) : '-',
      ]),
      [5],
    ),
  ];
  return lines.join('\n');
}

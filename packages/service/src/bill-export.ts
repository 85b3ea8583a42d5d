import type { Bill, Statement } from '@suanli/engine';

/** Yuan from fen, always with two decimals: `12,345.60`. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

const CSV_HEADER = [
  'period',
  'tenant',
  'line',
  'job',
  'attempt',
  'kind',
  'site',
  'pool',
  'accelerator',
  'count',
  'start_utc',
  'end_utc',
  'outcome',
  'accelerator_hours',
  'energy_kwh',
  'carbon_kg',
  'compute_fen',
  'energy_fen',
  'transfer_fen',
  'charge_fen',
  'voucher_fen',
  'due_fen',
];

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const iso = (s: number) => new Date(s * 1000).toISOString();

/** Bills as CSV: one row per line item, money in fen (exact), times in UTC. */
export function billsCsv(bills: readonly Bill[]): string {
  const rows = [CSV_HEADER.join(',')];
  for (const b of bills) {
    for (const l of b.lines) {
      rows.push(
        [
          b.period,
          b.tenant,
          l.meterId,
          l.jobId,
          l.attempt,
          l.kind,
          l.siteId,
          l.poolId,
          l.accelerator,
          l.count,
          iso(l.startS),
          iso(l.endS),
          l.outcome,
          l.acceleratorHours,
          l.energyKwh,
          l.carbonKg,
          l.computeFen,
          l.energyFen,
          l.transferFen,
          l.chargeFen,
          l.voucherFen,
          l.dueFen,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const PRINT_CSS = `
@page { size: A4; margin: 16mm; }
body { font: 10pt/1.4 system-ui, sans-serif; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 16pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; } th, td { padding: 2pt 4pt; border-bottom: 0.5pt solid #999; }
th { text-align: left; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; } tfoot td { font-weight: 600; border-top: 1pt solid #111; }
.meta { color: #555; } section { break-inside: auto; } section + section { break-before: page; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${PRINT_CSS}</style></head>
<body>${body}</body></html>
`;
}

/** Bills as a printable statement: one section (a page) per bill, line items and totals in yuan. */
export function billsHtml(bills: readonly Bill[], issuer: string): string {
  const sections = bills.map((b) => {
    const rows = b.lines
      .map(
        (
          l,
        ) => `<tr><td>${esc(l.jobId)} #${l.attempt}</td><td>${esc(l.kind)}</td><td>${esc(l.siteId)} · ${esc(l.accelerator)} ×${l.count}</td>
<td>${esc(l.outcome)}</td><td class="n">${l.acceleratorHours.toFixed(2)}</td><td class="n">${l.energyKwh.toFixed(1)}</td>
<td class="n">${yuan(l.computeFen)}</td><td class="n">${yuan(l.energyFen)}</td><td class="n">${yuan(l.transferFen)}</td>
<td class="n">${yuan(l.voucherFen)}</td><td class="n">${yuan(l.dueFen)}</td></tr>`,
      )
      .join('\n');
    return `<section><h1>Bill ${esc(b.period)} — ${esc(b.tenant)}</h1>
<p class="meta">Issued by ${esc(issuer)} · sector ${esc(b.sector)} · ${b.lines.length} line items, one per job attempt, metered from the audit log · amounts in CNY</p>
<table><thead><tr><th>Attempt</th><th>Kind</th><th>Where</th><th>Outcome</th><th class="n">Acc-h</th><th class="n">kWh</th>
<th class="n">Compute</th><th class="n">Energy</th><th class="n">Transfer</th><th class="n">Vouchers</th><th class="n">Due</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="4">Total</td><td class="n">${b.acceleratorHours.toFixed(2)}</td><td class="n">${b.energyKwh.toFixed(1)}</td>
<td class="n">${yuan(b.computeFen)}</td><td class="n">${yuan(b.energyFen)}</td><td class="n">${yuan(b.transferFen)}</td>
<td class="n">${yuan(b.voucherFen)}</td><td class="n">${yuan(b.dueFen)}</td></tr></tfoot></table>
<p class="meta">Charges ${yuan(b.chargeFen)} · paid by vouchers ${yuan(b.voucherFen)} · due ${yuan(b.dueFen)} · carbon ${b.carbonKg.toFixed(1)} kg CO₂ (location-based)</p></section>`;
  });
  return page(`Suanli bills${bills[0] ? ` ${bills[0].period}` : ''}`, sections.join('\n') || '<p>No bills.</p>');
}

/** Site statements as a printable page: revenue and energy per pool. */
export function statementsHtml(statements: readonly Statement[], issuer: string): string {
  const sections = statements.map((s) => {
    const rows = s.pools
      .map(
        (p) => `<tr><td>${esc(p.poolId)}</td><td>${esc(p.accelerator)}</td><td class="n">${p.attempts}</td>
<td class="n">${p.acceleratorHours.toFixed(2)}</td><td class="n">${p.energyKwh.toFixed(1)}</td><td class="n">${yuan(p.computeFen)}</td><td class="n">${yuan(p.energyFen)}</td></tr>`,
      )
      .join('\n');
    return `<section><h1>Statement ${esc(s.period)} — ${esc(s.siteId)}</h1>
<p class="meta">Issued by ${esc(issuer)} · amounts in CNY</p>
<table><thead><tr><th>Pool</th><th>Accelerator</th><th class="n">Attempts</th><th class="n">Acc-h</th><th class="n">kWh</th><th class="n">Compute</th><th class="n">Energy</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td colspan="3">Total</td><td class="n">${s.acceleratorHours.toFixed(2)}</td><td class="n">${s.energyKwh.toFixed(1)}</td><td class="n">${yuan(s.computeFen)}</td><td class="n">${yuan(s.energyFen)}</td></tr></tfoot></table>
<p class="meta">Data transfer into the site ${yuan(s.transferFen)} · revenue ${yuan(s.revenueFen)}</p></section>`;
  });
  return page(
    `Suanli statements${statements[0] ? ` ${statements[0].period}` : ''}`,
    sections.join('\n') || '<p>No statements.</p>',
  );
}

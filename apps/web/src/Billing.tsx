import { BarChart } from 'echarts/charts';
import { GridComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useState } from 'react';
import { api } from './api.ts';
import { PALETTE } from './palette.ts';
import { siteHref, tenantHref } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

echarts.use([BarChart, GridComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

/** Yuan from fen, two decimals, thousands separated. */
const yuan = (fen: number) =>
  (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const hours = (h: number) => h.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The month in Beijing time, as bills name periods. */
export function currentPeriod(nowMs: number): string {
  return new Date(nowMs + 8 * 3_600_000).toISOString().slice(0, 7);
}

function barOption(title: string, categories: readonly string[], values: readonly number[], axis: string) {
  return {
    animation: false,
    color: PALETTE,
    title: { text: title, left: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    grid: { left: 64, right: 16, top: 48, bottom: 56 },
    xAxis: { type: 'category', data: categories, axisLabel: { rotate: 30, hideOverlap: true } },
    yAxis: { type: 'value', name: axis, nameTextStyle: { align: 'left' } },
    series: [{ name: axis, type: 'bar', data: values }],
  };
}

/**
 * Bills and the market (`#/billing`): spend per tenant and revenue per site this month, metered from
 * the audit log; the sector programmes with their voucher budgets; vouchers; offers.
 */
export function Billing() {
  const [period] = useState(() => currentPeriod(Date.now()));
  const bills = usePoll(
    useCallback(() => api.bills(period), [period]),
    5000,
  );
  const statements = usePoll(
    useCallback(() => api.statements(period), [period]),
    5000,
  );
  const sectors = usePoll(
    useCallback(() => api.sectors(period), [period]),
    15_000,
  );
  const programmes = usePoll(api.programmes, 15_000);
  const vouchers = usePoll(api.vouchers, 15_000);
  const offers = usePoll(api.offers, 15_000);
  const billList = bills.data ?? [];
  const siteList = statements.data ?? [];
  const spend = useChart(
    barOption(
      `Spend by tenant, ${period} (CNY)`,
      billList.map((b) => b.tenant),
      billList.map((b) => Math.round(b.chargeFen / 100)),
      'charged (CNY)',
    ),
  );
  const revenue = useChart(
    barOption(
      `Revenue by site, ${period} (CNY)`,
      siteList.map((s) => s.siteId),
      siteList.map((s) => Math.round(s.revenueFen / 100)),
      'revenue (CNY)',
    ),
  );
  const printBills = async () => {
    const html = await api.billsHtml(period);
    const w = window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), '_blank');
    if (!w) window.alert('Allow pop-ups to open the printable bills.');
  };
  return (
    <section className="panel wide" aria-label="Bills and market">
      <h2>Bills, {period}</h2>
      <p className="muted">
        Every job attempt metered from the audit log at the prices in force (Beijing time months).{' '}
        <button type="button" onClick={() => void printBills()}>
          Printable bills
        </button>
      </p>
      {bills.error && <p role="alert">Cannot read the bills: {bills.error}</p>}
      <div className="trends">
        <div
          ref={spend}
          className="chart multiples"
          role="img"
          aria-label="Spend by tenant this month"
          data-tenants={billList.length}
        />
        <div
          ref={revenue}
          className="chart multiples"
          role="img"
          aria-label="Revenue by site this month"
          data-sites={siteList.length}
        />
      </div>
      <h3>Tenants</h3>
      {billList.length === 0 ? (
        <p className="empty">Nothing billed this month yet: bills fill as job attempts end.</p>
      ) : (
        <table aria-label="Bills">
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Sector</th>
              <th scope="col">Lines</th>
              <th scope="col">Accelerator-hours</th>
              <th scope="col">Charged ¥</th>
              <th scope="col">SLA credits ¥</th>
              <th scope="col">Vouchers ¥</th>
              <th scope="col">Due ¥</th>
            </tr>
          </thead>
          <tbody>
            {billList.map((b) => (
              <tr key={b.tenant}>
                <td>
                  <a href={tenantHref(b.tenant)}>{b.tenant}</a>
                </td>
                <td>{b.sector}</td>
                <td className="num">{b.lines.length}</td>
                <td className="num">{hours(b.acceleratorHours)}</td>
                <td className="num">{yuan(b.chargeFen)}</td>
                <td className="num">{yuan(b.creditFen)}</td>
                <td className="num">{yuan(b.voucherFen)}</td>
                <td className="num">{yuan(b.dueFen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Sites</h3>
      {siteList.length === 0 ? (
        <p className="empty">No site has earned anything this month yet.</p>
      ) : (
        <table aria-label="Site statements">
          <thead>
            <tr>
              <th scope="col">Site</th>
              <th scope="col">Accelerator-hours</th>
              <th scope="col">kWh</th>
              <th scope="col">Revenue ¥</th>
              <th scope="col">SLA penalties ¥</th>
            </tr>
          </thead>
          <tbody>
            {siteList.map((s) => (
              <tr key={s.siteId}>
                <td>
                  <a href={siteHref(s.siteId)}>{s.siteId}</a>
                </td>
                <td className="num">{hours(s.acceleratorHours)}</td>
                <td className="num">{hours(s.energyKwh)}</td>
                <td className="num">{yuan(s.revenueFen)}</td>
                <td className="num">{yuan(s.penaltiesFen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Sectors</h3>
      {(sectors.data ?? []).length === 0 ? (
        <p className="empty">No demand this month yet.</p>
      ) : (
        <table aria-label="Sectors">
          <thead>
            <tr>
              <th scope="col">Sector</th>
              <th scope="col">Tenants</th>
              <th scope="col">Jobs submitted</th>
              <th scope="col">Accelerator-hours asked</th>
              <th scope="col">Accelerator-hours used</th>
              <th scope="col">Spend ¥</th>
              <th scope="col">Vouchers ¥</th>
              <th scope="col">Programmes</th>
            </tr>
          </thead>
          <tbody>
            {(sectors.data ?? []).map((s) => (
              <tr key={s.sector}>
                <td>{s.sector}</td>
                <td className="num">{s.tenants}</td>
                <td className="num">{s.jobsSubmitted}</td>
                <td className="num">{hours(s.askedAcceleratorHours)}</td>
                <td className="num">{hours(s.usedAcceleratorHours)}</td>
                <td className="num">{yuan(s.chargeFen)}</td>
                <td className="num">{yuan(s.voucherFen)}</td>
                <td>{s.programmes.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Sector programmes</h2>
      {programmes.error && <p role="alert">Cannot read the programmes: {programmes.error}</p>}
      <table aria-label="Programmes">
        <thead>
          <tr>
            <th scope="col">Programme</th>
            <th scope="col">Sectors</th>
            <th scope="col">Job kinds</th>
            <th scope="col">Share boost</th>
            <th scope="col">Budget ¥</th>
            <th scope="col">Issued ¥</th>
            <th scope="col">Left ¥</th>
            <th scope="col">Redeemed ¥</th>
          </tr>
        </thead>
        <tbody>
          {(programmes.data ?? []).map((p) => (
            <tr key={p.id}>
              <td>
                {p.name} <span className="muted mono">{p.id}</span>
              </td>
              <td>{p.sectors.join(', ')}</td>
              <td>{p.kinds.join(', ')}</td>
              <td className="num">×{p.shareBoost}</td>
              <td className="num">{yuan(p.budgetFen)}</td>
              <td className="num">{yuan(p.issuedFen)}</td>
              <td className="num">{yuan(p.budgetLeftFen)}</td>
              <td className="num">{yuan(p.redeemedFen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Vouchers</h3>
      {(vouchers.data ?? []).length === 0 ? (
        <p className="empty">
          No voucher issued. <code>npx suanli vouchers issue ai-plus-agriculture-2027 agri-lab --yuan 500</code>
        </p>
      ) : (
        <table aria-label="Vouchers">
          <thead>
            <tr>
              <th scope="col">Voucher</th>
              <th scope="col">Programme</th>
              <th scope="col">Tenant</th>
              <th scope="col">Amount ¥</th>
              <th scope="col">Redeemed ¥</th>
              <th scope="col">Balance ¥</th>
            </tr>
          </thead>
          <tbody>
            {(vouchers.data ?? []).map((v) => (
              <tr key={v.id}>
                <td className="mono">{v.id}</td>
                <td>{v.programme}</td>
                <td>{v.tenant}</td>
                <td className="num">{yuan(v.amountFen)}</td>
                <td className="num">{yuan(v.redeemedFen)}</td>
                <td className="num">{yuan(v.balanceFen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Offers</h3>
      {(offers.data ?? []).length === 0 ? (
        <p className="empty">
          No offer published.{' '}
          <code>npx suanli offers publish zhongwei-h20 --kind spot --count 512 --yuan 2.50 --for 30d</code>
        </p>
      ) : (
        <table aria-label="Offers">
          <thead>
            <tr>
              <th scope="col">Offer</th>
              <th scope="col">Kind</th>
              <th scope="col">Pool</th>
              <th scope="col">Accelerators</th>
              <th scope="col">Sold</th>
              <th scope="col">¥ per accelerator-hour</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {(offers.data ?? []).map((o) => (
              <tr key={o.id}>
                <td className="mono">{o.id}</td>
                <td>{o.kind}</td>
                <td>{o.poolId}</td>
                <td className="num">{o.count}</td>
                <td className="num">{o.kind === 'reserved' ? o.soldCount : '—'}</td>
                <td className="num">{yuan(o.fenPerAcceleratorHour)}</td>
                <td>{o.withdrawnAtS !== undefined ? 'withdrawn' : o.open ? 'open' : 'closed'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

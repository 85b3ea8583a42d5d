/** Small SVG charts for the simulation report: no libraries, no scripts, the same bytes for the same data. */

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A compact figure: 3 significant digits, thousands grouped. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  const fixed = v.toFixed(digits);
  const [whole = '0', frac] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** An axis tick: as few digits as it needs. */
function tick(v: number): string {
  return fmt(Number(v.toPrecision(6)))
    .replace(/\.0+$/, '')
    .replace(/(\.\d*?)0+$/, '$1');
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Nice axis ticks from 0 to at least `max`. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? rough;
  const out: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) out.push(t);
  if ((out[out.length - 1] ?? 0) < max) out.push((out[out.length - 1] ?? 0) + step);
  return out;
}

/**
 * Bars, one per label, each in its run's colour (or `colours`), with the value written above. More
 * bars than the palette has colours are drawn across, one labelled row each, so every label stays
 * readable however many runs a sweep has.
 */
export function barChart(
  title: string,
  unit: string,
  labels: readonly string[],
  values: readonly number[],
  colours?: readonly string[],
): string {
  if (values.length > PALETTE.length) return rowChart(title, unit, labels, values, colours);
  const w = 320;
  const h = 270;
  const left = 44;
  const bottom = 96;
  const top = 16;
  const axis = ticks(Math.max(0, ...values));
  const max = axis[axis.length - 1] ?? 1;
  const plotH = h - top - bottom;
  const band = (w - left - 8) / Math.max(1, values.length);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const grid = gridLines(axis, left, w - 8, y);
  const bars = values
    .map((v, i) => {
      const x = left + i * band + band * 0.15;
      const bw = band * 0.7;
      const colour = colours?.[i] ?? PALETTE[i % PALETTE.length];
      const lx = x + bw / 2;
      const ly = top + plotH + 10;
      return `<rect x="${r(x)}" y="${r(y(v))}" width="${r(bw)}" height="${r(Math.max(0, top + plotH - y(v)))}" fill="${colour}"><title>${escapeXml(labels[i] ?? '')}: ${fmt(v)} ${escapeXml(unit)}</title></rect><text x="${r(lx)}" y="${r(y(v) - 3)}" text-anchor="middle">${fmt(v)}</text><text x="${r(lx)}" y="${r(ly)}" text-anchor="end" transform="rotate(-35 ${r(lx)} ${r(ly)})">${escapeXml(shorten(labels[i] ?? ''))}</text>`;
    })
    .join('');
  return svg(
    w,
    h,
    title,
    `${grid}${bars}<line x1="${left}" x2="${w - 8}" y1="${top + plotH}" y2="${top + plotH}" stroke="#6b7280"/>`,
    unit,
  );
}

/** One row per label: the label on the left, the bar, the value at its end. */
function rowChart(
  title: string,
  unit: string,
  labels: readonly string[],
  values: readonly number[],
  colours?: readonly string[],
): string {
  const labelW = 200;
  const w = 660;
  const rowH = 16;
  const top = 20;
  const h = top + rowH * values.length + 24;
  const max = ticks(Math.max(0, ...values)).at(-1) ?? 1;
  const plotW = w - labelW - 56;
  const x = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const rows = values
    .map((v, i) => {
      const y = top + i * rowH;
      const colour = colours?.[i] ?? PALETTE[i % PALETTE.length];
      const label = labels[i] ?? '';
      return `<text x="${labelW - 6}" y="${r(y + rowH * 0.7)}" text-anchor="end">${escapeXml(label.length > 36 ? `${label.slice(0, 35)}…` : label)}</text><rect x="${labelW}" y="${r(y + 2)}" width="${r(x(v) - labelW)}" height="${rowH - 4}" fill="${colour}"><title>${escapeXml(label)}: ${fmt(v)} ${escapeXml(unit)}</title></rect><text x="${r(x(v) + 4)}" y="${r(y + rowH * 0.7)}">${fmt(v)}</text>`;
    })
    .join('');
  const base = top + rowH * values.length;
  return svg(
    w,
    h,
    title,
    `${rows}<line x1="${labelW}" x2="${labelW}" y1="${top}" y2="${base}" stroke="#6b7280"/><text x="${labelW}" y="${base + 14}">0</text><text x="${r(labelW + plotW)}" y="${base + 14}" text-anchor="end">${tick(max)} ${escapeXml(unit)}</text>`,
    unit,
  );
}

/** Lines over time, one per series; x in days from the start. */
export function lineChart(
  title: string,
  unit: string,
  series: readonly { readonly name: string; readonly values: readonly number[] }[],
  stepS: number,
): string {
  const w = 660;
  const h = 230;
  const left = 48;
  const bottom = 28;
  const top = 24;
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const axis = ticks(Math.max(0, ...series.flatMap((s) => s.values)));
  const max = axis[axis.length - 1] ?? 1;
  const plotW = w - left - 12;
  const plotH = h - top - bottom;
  const x = (i: number) => left + (i / (n - 1)) * plotW;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const grid = gridLines(axis, left, w - 12, y);
  const spanDays = ((n - 1) * stepS) / 86400;
  const xTicks = ticks(spanDays)
    .filter((d) => d <= spanDays + 1e-9)
    .map((d) => {
      const xi = left + (spanDays > 0 ? d / spanDays : 0) * plotW;
      return `<text x="${r(xi)}" y="${h - 10}" text-anchor="middle">${tick(d)} d</text>`;
    })
    .join('');
  const lines = series
    .map((s, k) => {
      const pts = s.values.map((v, i) => `${r(x(i))},${r(y(v))}`).join(' ');
      return `<polyline points="${pts}" fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="1.5"><title>${escapeXml(s.name)}</title></polyline>`;
    })
    .join('');
  return svg(
    w,
    h,
    title,
    `${grid}${xTicks}${lines}${legend(
      w,
      series.map((x) => x.name),
    )}<line x1="${left}" x2="${w - 12}" y1="${top + plotH}" y2="${top + plotH}" stroke="#6b7280"/>`,
    unit,
  );
}

/** Groups of bars: one group per category (sites), one bar per series (runs) in the series' colour. */
export function groupedBarChart(
  title: string,
  unit: string,
  categories: readonly string[],
  series: readonly { readonly name: string; readonly values: readonly number[] }[],
): string {
  const w = Math.max(660, 40 + categories.length * 16 * Math.max(1, series.length));
  const h = 250;
  const left = 44;
  const bottom = 64;
  const top = 24;
  const axis = ticks(Math.max(0, ...series.flatMap((s) => s.values)));
  const max = axis[axis.length - 1] ?? 1;
  const plotH = h - top - bottom;
  const group = (w - left - 8) / Math.max(1, categories.length);
  const bw = (group * 0.8) / Math.max(1, series.length);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const grid = gridLines(axis, left, w - 8, y);
  const bars = categories
    .map((c, ci) => {
      const gx = left + ci * group + group * 0.1;
      const rects = series
        .map((s, si) => {
          const v = s.values[ci] ?? 0;
          return `<rect x="${r(gx + si * bw)}" y="${r(y(v))}" width="${r(bw)}" height="${r(Math.max(0, top + plotH - y(v)))}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(s.name)} at ${escapeXml(c)}: ${fmt(v)} ${escapeXml(unit)}</title></rect>`;
        })
        .join('');
      const lx = gx + group * 0.4;
      return `${rects}<text x="${r(lx)}" y="${top + plotH + 12}" text-anchor="end" transform="rotate(-40 ${r(lx)} ${top + plotH + 12})">${escapeXml(c)}</text>`;
    })
    .join('');
  return svg(
    w,
    h,
    title,
    `${grid}${bars}${legend(
      w,
      series.map((x) => x.name),
    )}<line x1="${left}" x2="${w - 8}" y1="${top + plotH}" y2="${top + plotH}" stroke="#6b7280"/>`,
    unit,
  );
}

function shorten(label: string): string {
  return label.length > 22 ? `${label.slice(0, 21)}…` : label;
}

/** Series names with their colours, in a row at the top right. */
function legend(w: number, names: readonly string[]): string {
  let x = w - 12;
  const items: string[] = [];
  for (let i = names.length - 1; i >= 0; i--) {
    const name = shorten(names[i] ?? '');
    const width = 16 + name.length * 5.6;
    x -= width;
    items.push(
      `<rect x="${r(x)}" y="3" width="9" height="9" fill="${PALETTE[i % PALETTE.length]}"/><text x="${r(x + 12)}" y="11">${escapeXml(name)}</text>`,
    );
    x -= 8;
  }
  return items.join('');
}

function svg(w: number, h: number, title: string, body: string, unit: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="10" fill="#374151"><title>${escapeXml(title)} (${escapeXml(unit)})</title>${body}</svg>`;
}

/** Horizontal grid lines at the axis ticks, labelled on the left. */
function gridLines(axis: readonly number[], left: number, right: number, y: (v: number) => number): string {
  return axis
    .map(
      (t) =>
        `<line x1="${left}" x2="${right}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="#e5e7eb"/><text x="${left - 4}" y="${r(y(t) + 4)}" text-anchor="end">${tick(t)}</text>`,
    )
    .join('');
}

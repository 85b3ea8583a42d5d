import { SYSTEM } from '@suanli/service';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Harness, harness, TRAIN_SPEC } from './harness.fixture.ts';
import { Metrics } from './metrics.ts';

let h: Harness;
afterEach(async () => {
  await h?.store.close();
});

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('serves queue depth, jobs by state, utilization, placements, energy, carbon and decision latency', async () => {
    h = await harness();
    const metrics = new Metrics(h.service);
    const app = createApp(h.service, { webDir: '/nonexistent', metrics });
    const { token } = await h.service.createToken({ name: 'prometheus', role: 'metrics' }, SYSTEM);
    const scrape = () => app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    await h.service.submit({ text: TRAIN_SPEC }, SYSTEM);
    await h.service.submit({ text: TRAIN_SPEC.replace('llama-ft', 'second') }, SYSTEM);
    let text = await (await scrape()).text();
    expect(value(text, 'suanli_queue_depth')).toBe(2);
    expect(value(text, 'suanli_jobs{state="pending"}')).toBe(2);

    const t0 = performance.now();
    const report = await h.service.schedule();
    metrics.cycle(report, (performance.now() - t0) / 1000);
    const res = await scrape();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    text = await res.text();
    expect(value(text, 'suanli_queue_depth')).toBe(0);
    expect(value(text, 'suanli_placements_total')).toBe(2);
    expect(value(text, 'suanli_cycles_total')).toBe(1);
    expect(value(text, 'suanli_energy_kwh_total')).toBeGreaterThan(0);
    expect(value(text, 'suanli_carbon_kg_total')).toBeGreaterThan(0);
    expect(value(text, 'suanli_decision_latency_seconds_count')).toBe(1);
    const busy = text.split('\n').filter((l) => l.startsWith('suanli_site_utilization_ratio{') && !l.endsWith(' 0'));
    expect(busy.length).toBeGreaterThan(0);
  });
});

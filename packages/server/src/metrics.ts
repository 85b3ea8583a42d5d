import type { CycleReport, SuanliService } from '@suanli/service';
import { SYSTEM } from '@suanli/service';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of one server, in a registry of its own (no global state): queue depth, jobs
 * by state and utilization per site are read from the service at scrape time; placements, energy,
 * carbon, cost and decision latency are counted by the scheduler loop.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly placements: Counter;
  private readonly cycles: Counter;
  private readonly energy: Counter;
  private readonly carbon: Counter;
  private readonly cost: Counter;
  private readonly latency: Histogram;

  constructor(service: SuanliService) {
    const registers = [this.registry];
    new Gauge({
      name: 'suanli_queue_depth',
      help: 'Jobs waiting for a placement',
      registers,
      async collect() {
        this.set((await service.countJobsByState()).pending);
      },
    });
    new Gauge({
      name: 'suanli_jobs',
      help: 'Jobs by state',
      labelNames: ['state'],
      registers,
      async collect() {
        for (const [state, n] of Object.entries(await service.countJobsByState())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'suanli_site_utilization_ratio',
      help: 'Accelerators in use ÷ accelerators, per site',
      labelNames: ['site'],
      registers,
      async collect() {
        for (const s of await service.sites(SYSTEM)) this.set({ site: s.id }, s.utilization);
      },
    });
    this.placements = new Counter({ name: 'suanli_placements_total', help: 'Jobs placed', registers });
    this.cycles = new Counter({ name: 'suanli_cycles_total', help: 'Scheduling cycles run', registers });
    this.energy = new Counter({
      name: 'suanli_energy_kwh_total',
      help: 'Estimated energy of the jobs placed (kWh, facility: IT × PUE)',
      registers,
    });
    this.carbon = new Counter({
      name: 'suanli_carbon_kg_total',
      help: 'Estimated carbon of the jobs placed (kg CO2)',
      registers,
    });
    this.cost = new Counter({
      name: 'suanli_cost_cny_total',
      help: 'Estimated cost of the jobs placed (CNY)',
      registers,
    });
    this.latency = new Histogram({
      name: 'suanli_decision_latency_seconds',
      help: 'Time of one scheduling cycle: decide, record and dispatch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Counts a cycle that took `seconds`. */
  cycle(report: CycleReport, seconds: number): void {
    this.cycles.inc();
    this.latency.observe(seconds);
    if (report.placed > 0) this.placements.inc(report.placed);
    if (report.energyKwh > 0) this.energy.inc(report.energyKwh);
    if (report.carbonKg > 0) this.carbon.inc(report.carbonKg);
    if (report.costCny > 0) this.cost.inc(report.costCny);
  }
}

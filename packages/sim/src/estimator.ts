import type { EstimateMode, SimJob } from './sim-job.ts';

/** Estimates used before anything has finished. */
export const FIRST_ESTIMATE_S = 3600;
const HISTORY = 10;

/**
 * Run-time estimates as a scheduler would have them. `oracle` tells the truth; `history` predicts
 * from what the same user's jobs took (Helios's QSSF uses such history), and learns only from
 * jobs that have finished, so it never sees the future.
 */
export class Estimator {
  private readonly mode: EstimateMode;
  private readonly byUser = new Map<string, number[]>();
  private sumS = 0;
  private n = 0;

  constructor(mode: EstimateMode) {
    this.mode = mode;
  }

  /** The run time the scheduler is told, on the job's first accelerator choice. */
  estimateS(sim: SimJob): number {
    if (this.mode === 'oracle') return sim.job.durationS;
    for (const key of keysOf(sim)) {
      const recent = this.byUser.get(key);
      if (recent && recent.length > 0) return recent.reduce((a, b) => a + b, 0) / recent.length;
    }
    return this.n > 0 ? this.sumS / this.n : FIRST_ESTIMATE_S;
  }

  /** Learns from a job that finished, with its true run time. */
  observe(sim: SimJob): void {
    if (this.mode === 'oracle') return;
    const d = sim.job.durationS;
    this.sumS += d;
    this.n++;
    for (const key of keysOf(sim)) {
      let recent = this.byUser.get(key);
      if (!recent) {
        recent = [];
        this.byUser.set(key, recent);
      }
      recent.push(d);
      if (recent.length > HISTORY) recent.shift();
    }
  }
}

/** History keys, most specific first: the same user asking for the same accelerators, then the user. */
function keysOf(sim: SimJob): string[] {
  const first = sim.job.options[0];
  const count = first ? first.perMember * sim.job.gang : 0;
  return [`${sim.user}\u0000${count}`, sim.user];
}

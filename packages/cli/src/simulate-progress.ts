import { formatNumber } from '@suanli/engine';
import type { ScenarioPlan, SimProgress } from '@suanli/sim';
import { runName } from './simulate-runs.ts';

/** Where progress goes: stderr, and whether it is a terminal (the bar redraws one line there). */
export interface ProgressIo {
  readonly stderr: (text: string) => void;
  readonly stderrIsTty?: boolean;
}

/**
 * Progress of a scenario's runs on stderr. On a terminal a bar redraws one line: the run's own
 * progress when one run is going, the whole scenario's when several are (worker threads), or what
 * `status` says (Slurm tasks). Lines that stay (a run ended, a job submitted) print on any stderr.
 */
export interface SweepProgress {
  run(index: number, p: SimProgress): void;
  /** Run `index` ended: its line stays. */
  runEnded(index: number, line: string): void;
  /** The bar's figure and label when the runs' own progress is not known (Slurm). */
  status(fraction: number, label: string): void;
  /** A line that stays. */
  line(text: string): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

export function sweepProgress(io: ProgressIo, plan: ScenarioPlan): SweepProgress {
  const going = new Map<number, SimProgress>();
  let ended = 0;
  let lastMs = 0;
  const n = plan.runs.length;
  const clear = () => (io.stderrIsTty ? '\r\u001b[K' : '');
  const draw = (fraction: number, text: string, force = false) => {
    if (!io.stderrIsTty) return;
    const now = Date.now();
    if (!force && now - lastMs < REDRAW_MS) return;
    lastMs = now;
    const f = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(f * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    io.stderr(`\r${bar} ${(f * 100).toFixed(0).padStart(3)}%  ${text}\u001b[K`);
  };
  const share = (p: SimProgress) => (p.total ? p.arrived / p.total : 0);
  return {
    run(index, p) {
      going.set(index, p);
      if (!io.stderrIsTty) return;
      if (going.size === 1) {
        draw(share(p), `${runName(plan, index)}  ${formatNumber(p.finished)} done, day ${(p.simS / 86400).toFixed(1)}`);
        return;
      }
      let fraction = ended;
      let finished = 0;
      for (const q of going.values()) {
        fraction += share(q);
        finished += q.finished;
      }
      const runs = [...going.keys()].sort((a, b) => a - b).map((i) => i + 1);
      draw(fraction / n, `${ended}/${n} runs done, running ${runs.join(', ')}  ${formatNumber(finished)} jobs done`);
    },
    runEnded(index, text) {
      going.delete(index);
      ended++;
      io.stderr(`${clear()}${text}\n`);
    },
    status(fraction, label) {
      draw(fraction, label, true);
    },
    line(text) {
      io.stderr(`${clear()}${text}\n`);
    },
  };
}

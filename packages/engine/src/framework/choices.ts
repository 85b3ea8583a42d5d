import type { AcceleratorOption, Job } from '../domain/job.ts';
import { idlePowerKw } from '../models/energy.ts';
import { durationOnS } from '../models/equivalence.ts';
import { cappedDevice, cappedItPowerKw } from '../models/power-curve.ts';
import type { PreparedNetwork } from './prepared-network.ts';

/** What an evaluation knows of one accepted accelerator choice, computed once per job. */
export interface Choice {
  readonly choice: AcceleratorOption;
  readonly count: number;
  readonly durationS: number;
  /** IT power running, and over idle, before PUE. */
  readonly itKw: number;
  readonly incrementItKw: number;
}

/** The job's accelerator choices of types the network knows, in the job's order. */
export function choicesOf(net: PreparedNetwork, job: Job): Choice[] {
  const choices: Choice[] = [];
  for (const choice of job.options) {
    const spec = net.accelerators.get(choice.accelerator);
    if (!spec) continue;
    const count = choice.perMember * job.gang;
    const capped = cappedDevice(spec, job.kind, job.powerCapW);
    const itKw = cappedItPowerKw(spec, job.kind, count, job.powerCapW);
    choices.push({
      choice,
      count,
      // A capped job keeps `throughput` of its speed: it runs that much longer.
      durationS: durationOnS(job, choice, (t) => net.accelerators.get(t)) / capped.throughput,
      itKw,
      incrementItKw: itKw - idlePowerKw(spec, count),
    });
  }
  return choices;
}

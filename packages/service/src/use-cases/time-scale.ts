import { prepareNetwork } from '@suanli/engine';
import type { JobRecord } from '../job-record.ts';
import type { UseCaseContext } from './context.ts';

/**
 * How many seconds of a job's work the backend that runs (or will run) it does in a second: 1
 * unless it runs faster than real time (the sim backend at 60×).
 */
export function timeScaleOf(ctx: UseCaseContext, j: JobRecord): number {
  const name =
    j.backend ??
    (j.placement ? prepareNetwork(ctx.network()).poolById.get(j.placement.poolId)?.pool.backend : undefined);
  const scale = name === undefined ? undefined : ctx.backends.get(name)?.timeScale;
  return scale !== undefined && scale > 0 ? scale : 1;
}

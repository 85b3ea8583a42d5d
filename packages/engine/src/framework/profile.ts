import { acceleratorType } from '../plugins/accelerator-type/accelerator-type.ts';
import { budget } from '../plugins/budget/budget.ts';
import { capacityFit } from '../plugins/capacity-fit/capacity-fit.ts';
import { carbonScore } from '../plugins/carbon-score/carbon-score.ts';
import { costScore } from '../plugins/cost-score/cost-score.ts';
import { deadline } from '../plugins/deadline/deadline.ts';
import { priorityFifo } from '../plugins/priority-fifo/priority-fifo.ts';
import { timeScore } from '../plugins/time-score/time-score.ts';
import type { Profile } from './plugin.ts';

/** The profile the service and the simulator use unless told otherwise. */
export const defaultProfile: Profile = {
  name: 'default',
  queueSort: priorityFifo,
  siteFilters: [acceleratorType],
  poolFilters: [capacityFit, deadline, budget],
  scores: [costScore, carbonScore, timeScore],
};

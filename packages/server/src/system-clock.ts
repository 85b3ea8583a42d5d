import type { Clock } from '@suanli/service';

/** The real clock, for the live service. Tests and the simulator pass their own. */
export const systemClock: Clock = { nowS: () => Date.now() / 1000 };

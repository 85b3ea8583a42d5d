import type { PowerLevelKind, ShedGroup } from '@suanli/engine';

/** One demand-response request of a scenario, at a time after the run's first event. */
export interface GridEventInput {
  readonly level: Exclude<PowerLevelKind, 'pool'>;
  readonly target: string;
  /** When the grid asks, seconds after the run's first event. */
  readonly atS: number;
  /** How long after asking the window starts (0: at once). */
  readonly noticeS: number;
  readonly durationS: number;
  /** How long after the start the reduction must be in place. */
  readonly complyWithinS: number;
  readonly reductionKw?: number;
  /** A reduction as a share of the level's load when asked, percent. */
  readonly reductionPct?: number;
  readonly ceilingKw?: number;
}

/** Events every day at a local hour (a heat wave: the eastern sites shed 15 % from 13:00 to 17:00 for a week). */
export interface DailyGridEvents {
  readonly targets: readonly { readonly level: Exclude<PowerLevelKind, 'pool'>; readonly target: string }[];
  readonly fromHour: number;
  readonly hours: number;
  readonly reductionPct: number;
  readonly days: number;
  /** The first day, counted from the run's first event (0: that day). */
  readonly firstDay: number;
  readonly noticeS: number;
  readonly complyWithinS: number;
}

/** Events drawn at random: on average `perDay`, each at a random target, starting at a random hour. */
export interface GridEventRate {
  readonly targets: readonly { readonly level: Exclude<PowerLevelKind, 'pool'>; readonly target: string }[];
  readonly perDay: number;
  readonly durationS: number;
  readonly reductionPct: number;
  readonly days: number;
  readonly noticeS: number;
  readonly complyWithinS: number;
}

/** The grid's requests in a simulated run, and the shedding order the plans follow. */
export interface PowerInput {
  readonly events?: readonly GridEventInput[];
  readonly daily?: readonly DailyGridEvents[];
  readonly rate?: GridEventRate;
  readonly shedOrder?: readonly ShedGroup[];
}

import { SuanliError } from '@suanli/service';

/**
 * A duration as a user writes it on the command line: `90d`, `12h`, `30m`, `45s` or a number of
 * seconds; in seconds, within `minS`..`maxS`. Anything else is INVALID_FIELD naming the option.
 */
export function durationS(text: string, option: string, range: { minS?: number; maxS?: number } = {}): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m?.[2] ?? ''] ?? 1;
  const s = m ? Number(m[1]) * unit : Number.NaN;
  const minS = range.minS ?? 1;
  const maxS = range.maxS ?? 10 * 366 * 86_400;
  if (!(s >= minS && s <= maxS)) {
    throw new SuanliError(
      'INVALID_FIELD',
      `${option} must look like 90d, 12h, 30m or 3600, from ${minS} s to ${maxS} s, not ${text.slice(0, 40)}`,
      { field: option },
    );
  }
  return s;
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtTime(s: number): string {
  return new Date(s * 1000).toLocaleString('en-GB', { hour12: false });
}

export function fmtWait(seconds: number): string {
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${Math.round(seconds)} s`;
  if (seconds < 3600) return `in ${Math.round(seconds / 60)} min`;
  return `in ${(seconds / 3600).toFixed(1)} h`;
}

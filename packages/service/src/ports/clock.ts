/** Wall-clock time in seconds since the Unix epoch (may be fractional). Injected everywhere. */
export interface Clock {
  nowS(): number;
}

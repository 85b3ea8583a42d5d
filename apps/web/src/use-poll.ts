import { useEffect, useState } from 'react';

/**
 * Fetches now and every `intervalMs`, keeping the last good value, so the page follows the
 * network live without reloading. Pass a stable `load` (useCallback); a new one restarts polling.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let alive = true;
    const tick = () => {
      load().then(
        (data) => alive && setState({ data }),
        (e: unknown) => alive && setState((s) => ({ ...s, error: String(e) })),
      );
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [load, intervalMs]);
  return state;
}

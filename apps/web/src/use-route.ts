import { useCallback, useEffect, useState } from 'react';
import { parseRoute, type Route, routeHash } from './routes.ts';

/**
 * The route in the address bar, and a way to go to another: each move is a history entry (back
 * and forward work), and a reload shows the same view.
 */
export function useRoute(): [Route, (to: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((to: Route) => {
    const hash = routeHash(to);
    if (window.location.hash !== hash) window.location.hash = hash;
    else setRoute(to);
  }, []);
  return [route, go];
}

import { consoleMessage } from '@lifeline/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { keys } from '../../lib/query-keys.js';
import { useMe } from '../../lib/useMe.js';
import { useNewWorkSignals } from './newWork.js';

/**
 * Keeps every case query of the console fresh from `/ws/console`: a changed
 * case updates its detail at once, and the queue pages are fetched again
 * (coalesced, so a burst of changes costs one refetch). New work is signalled
 * as the agent chose (sound, desktop notification, the title's count).
 */
export function useConsoleFeed() {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  const me = useMe();
  const onMessage = useNewWorkSignals(me.data);
  // The socket stays as it is when the settings change: it reads the latest handler.
  const signal = useRef(onMessage);
  signal.current = onMessage;

  useEffect(() => {
    let stopped = false;
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let refetch: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws/console`;

    const connect = () => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.onmessage = (event) => {
        const parsed = consoleMessage.safeParse(JSON.parse(String(event.data)));
        if (!parsed.success) return;
        const m = parsed.data;
        if (m.type === 'ready') {
          attempt = 0;
          setLive(true);
          // Whatever changed while we were away.
          void queryClient.invalidateQueries({ queryKey: keys.cases.all });
          return;
        }
        signal.current(m);
        if (m.type === 'case.changed') queryClient.setQueryData(keys.case(m.case.code), m.case);
        else queryClient.removeQueries({ queryKey: keys.case(m.code) });
        void queryClient.invalidateQueries({ queryKey: keys.events.all });
        clearTimeout(refetch);
        refetch = setTimeout(() => void queryClient.invalidateQueries({ queryKey: keys.cases.all }), 100);
      };
      ws.onclose = () => {
        setLive(false);
        if (stopped) return;
        const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt += 1;
        retry = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(refetch);
      socket?.close(1000, 'left');
    };
  }, [queryClient]);

  return live;
}

/**
 * Ticks for a recording's frames. A hidden tab's own timers slow down to once a
 * second (and later once a minute), which would leave the recording of an agent
 * who switched to another tab with a frozen picture; a worker's timers do not.
 */
self.onmessage = (e: MessageEvent<number>) => {
  setInterval(() => self.postMessage(null), e.data);
};

import type { Case, ConsoleMessage, Me } from '@lifeline/contracts';
import { useLocalStorage } from '@mantine/hooks';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { sourceLabels } from '../../lib/format.js';

/**
 * How an agent wants to hear of new work. Kept in this browser's localStorage,
 * per agent: sound and desktop notifications belong to the device the agent
 * sits at (the desk, not the laptop in a meeting), and the browser's own
 * notification permission is per device anyway. Nothing about it concerns the
 * server or other devices, so it needs no schema, endpoint or migration.
 */
export interface AlertSettings {
  sound: boolean;
  desktop: boolean;
}
const defaults: AlertSettings = { sound: true, desktop: false };

export function useAlertSettings(userId: string | undefined) {
  return useLocalStorage<AlertSettings>({
    key: `lifeline.alerts.${userId ?? 'nobody'}`,
    defaultValue: defaults,
    getInitialValueInEffect: false,
  });
}

/**
 * The new cases this tab signalled and nobody took up yet, for the title's
 * badge. It lives as long as the tab: moving between console pages keeps it.
 */
const waiting = new Set<string>();
const listeners = new Set<() => void>();
function changeWaiting(change: () => boolean) {
  if (change()) for (const l of listeners) l();
}
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const waitingCount = () => waiting.size;

/** Opening the case counts as having seen it. */
export function seenCase(code: string) {
  changeWaiting(() => waiting.delete(code));
}

/** Work for this agent: in one of their groups, not made by them, and not given to someone else. */
function isWorkFor(c: Case, me: Me) {
  return (
    me.user.groupIds.includes(c.groupId) &&
    c.createdBy.id !== me.user.id &&
    (c.assigneeId === null || c.assigneeId === me.user.id)
  );
}

/** A short two-tone chime from the Web Audio API: no sound file to ship. */
function chime() {
  const Context = window.AudioContext;
  if (!Context) return;
  const audio = new Context();
  const start = audio.currentTime;
  for (const [i, frequency] of [880, 1320].entries()) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = frequency;
    const at = start + i * 0.15;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.15);
  }
  setTimeout(() => void audio.close(), 600);
}

function notify(c: Case) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const who = c.customer.name ? ` · ${c.customer.name}` : '';
  const n = new Notification(`New case: ${c.name}`, {
    body: `${sourceLabels[c.source]}${who} · ${c.code}`,
    tag: `lifeline-case-${c.code}`,
  });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}

/**
 * Signals a new case in the agent's groups (from a module, SOS, the API, a
 * colleague): a chime and a desktop notification as the agent chose, and a
 * count in the tab's title until someone takes it up.
 */
export function useNewWorkSignals(me: Me | undefined) {
  const [settings] = useAlertSettings(me?.user.id);
  return useCallback(
    (m: ConsoleMessage) => {
      if (m.type === 'case.deleted') return changeWaiting(() => waiting.delete(m.code));
      if (m.type !== 'case.changed' || !me) return;
      const c = m.case;
      if (m.created && c.status === 'new' && isWorkFor(c, me)) {
        changeWaiting(() => !waiting.has(c.code) && Boolean(waiting.add(c.code)));
        if (settings.sound) chime();
        if (settings.desktop) notify(c);
      } else if (c.status !== 'new' || !isWorkFor(c, me)) {
        // Someone connected, took it elsewhere, or it ended: no longer waiting.
        changeWaiting(() => waiting.delete(c.code));
      }
    },
    [me, settings.sound, settings.desktop],
  );
}

/** "(2) Queue – Lifeline": the page's title with the count of new cases waiting. */
export function useBadgedTitle(title: string) {
  const count = useSyncExternalStore(subscribe, waitingCount);
  useEffect(() => {
    document.title = count ? `(${count}) ${title}` : title;
  }, [count, title]);
  useEffect(
    () => () => {
      document.title = 'Lifeline';
    },
    [],
  );
}

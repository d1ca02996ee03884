import type { Case } from '@lifeline/contracts';

export const statusLabels: Record<Case['status'], string> = {
  new: 'New',
  pending: 'Pending',
  in_progress: 'In progress',
  closed: 'Closed',
  expired: 'Expired',
};
export const statusColors: Record<Case['status'], string> = {
  new: 'blue',
  pending: 'yellow',
  in_progress: 'green',
  closed: 'gray',
  expired: 'gray',
};
export const sourceLabels: Record<Case['source'], string> = {
  manual: 'Console',
  api: 'API',
  module: 'Module',
  sos: 'SOS',
  connector: 'Connector',
};
export const typeLabels: Record<Case['type'], string> = { remote_control: 'Remote control', ar: 'AR camera' };

export const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** "5 h 12 min" until an open case expires; nothing for an ended one. */
export function expiresIn(c: Pick<Case, 'status' | 'expiresAt'>, now: number): string {
  if (c.status === 'closed' || c.status === 'expired') return '—';
  const minutes = Math.max(0, Math.round((Date.parse(c.expiresAt) - now) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Date and time to the second, for the audit trail, where the order of close events matters. */
export const formatTimeExact = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export { formatBytes } from '@lifeline/contracts/constants';

/** "1 min 5 s", "42 s". */
export function formatDuration(seconds: number) {
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

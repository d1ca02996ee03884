import type { FileMessage } from './files.js';

/** The file channel's label, agreed by both sides. */
export const FILES_CHANNEL = 'files';

const isId = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 64;
const isText = (v: unknown, min: number, max: number) =>
  typeof v === 'string' && v.length >= min && v.length <= max;

/**
 * A file-channel message from the other browser, checked without zod (the
 * customer's page loads no schema library before its first paint); null for
 * anything `fileMessage` in files.ts would refuse. files.test.ts holds the two
 * to the same answers.
 */
export function readFileMessage(value: unknown): FileMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (!isId(m.id)) return null;
  const only = (...allowed: string[]) => Object.keys(m).every((k) => allowed.includes(k));
  switch (m.t) {
    case 'offer':
      return only('t', 'id', 'name', 'size', 'type', 'replyTo') &&
        isText(m.name, 1, 255) &&
        Number.isSafeInteger(m.size) &&
        (m.size as number) >= 0 &&
        isText(m.type, 0, 255) &&
        (m.replyTo === undefined || isId(m.replyTo))
        ? (m as FileMessage)
        : null;
    case 'decline':
      return only('t', 'id', 'tooLarge') && (m.tooLarge === undefined || typeof m.tooLarge === 'boolean')
        ? (m as FileMessage)
        : null;
    case 'accept':
    case 'begin':
    case 'end':
    case 'received':
    case 'cancel':
    case 'request':
    case 'request-declined':
      return only('t', 'id') ? (m as FileMessage) : null;
    default:
      return null;
  }
}

/** "42 B", "1.2 MB": a file's size as people read it, alike on the agent's page, the customer's and in QuickSupport. */
export function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}

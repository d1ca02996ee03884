import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_INTERVAL_MS = 100;

// Plain CommonJS evaluated in the worker, so it runs the same under tsx, Vitest and plain Node.
const workerSource = `
const { workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Another checkpoint was running; the next tick, or the writer's own autocheckpoint, catches up.
  }
}, workerData.intervalMs);
`;

/**
 * Copies the SQLite WAL back into the database file from a thread of its own.
 * Done by the writer, a checkpoint stalls every request for its page copies and
 * its two fsyncs. PASSIVE checkpoints never wait for or block the writer; the
 * writer's own autocheckpoint stays as the fallback should this thread fall
 * behind, and then has little left to copy.
 */
export function startCheckpointer(file: string): { stop(): Promise<void> } {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // A checkpointer that cannot start or dies leaves the writer's autocheckpoint doing the work, as before.
  worker.on('error', () => {});
  worker.unref();
  return {
    // Stopping mid-checkpoint is safe: SQLite redoes an unfinished checkpoint from the WAL.
    stop: async () => {
      await worker.terminate();
    },
  };
}

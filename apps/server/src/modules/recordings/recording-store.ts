import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where the bytes of recordings live, by key (`{orgId}/{recordingId}.webm`).
 * The filesystem under the data directory by default; another store (S3-compatible)
 * would implement the same three operations.
 */
export interface RecordingStore {
  /**
   * Writes `bytes` at `offset` and drops anything after them, durably: a chunk
   * retried after a failure lands in the same place instead of twice.
   */
  write(key: string, offset: number, bytes: Uint8Array): Promise<void>;
  /** Bytes `start` to `end` inclusive. */
  read(key: string, range: { start: number; end: number }): Readable;
  /** Gone already is fine: a sweep may have been cut short after removing the bytes. */
  remove(key: string): Promise<void>;
}

export class FileRecordingStore implements RecordingStore {
  constructor(private readonly dir: string) {}

  private pathOf(key: string) {
    const file = path.resolve(this.dir, key);
    // Keys are made of our own ids; this holds even if one ever were not.
    if (!file.startsWith(path.resolve(this.dir) + path.sep)) throw new Error(`bad recording key ${key}`);
    return file;
  }

  async write(key: string, offset: number, bytes: Uint8Array) {
    const file = this.pathOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.open(file, offset === 0 ? 'w' : 'r+');
    try {
      await handle.write(bytes, 0, bytes.length, offset);
      await handle.truncate(offset + bytes.length);
      // A crash of the machine loses at most the chunk being written.
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  read(key: string, range: { start: number; end: number }) {
    return createReadStream(this.pathOf(key), range);
  }

  async remove(key: string) {
    await fs.rm(this.pathOf(key), { force: true });
  }
}

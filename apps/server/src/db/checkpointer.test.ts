import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { CHECKPOINT_INTERVAL_MS } from './checkpointer.js';
import { openDatabase } from './database.js';

it('copies committed SQLite writes into the database file without the writer checkpointing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-checkpointer-'));
  const file = path.join(dir, 'lifeline.db');
  const handle = openDatabase({ kind: 'sqlite', file });
  try {
    await sql`create table filler (data blob)`.execute(handle.db);
    // 2 MiB: far below the writer's own autocheckpoint threshold (~40 MiB of WAL).
    for (let i = 0; i < 32; i++) await sql`insert into filler values (randomblob(65536))`.execute(handle.db);
    const before = fs.statSync(file).size;
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(2 * 2 ** 20);

    // Generous: on a busy machine the worker thread takes a while to start.
    const deadline = Date.now() + 20_000;
    while (fs.statSync(file).size <= before + 2 ** 21 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_INTERVAL_MS));
    expect(fs.statSync(file).size).toBeGreaterThan(before + 2 ** 21);
  } finally {
    await handle.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

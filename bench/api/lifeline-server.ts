import { buildApp } from '@lifeline/server/src/app.js';
import { loadConfig } from '@lifeline/server/src/config/config.js';
import { migrateToLatest, openDatabase } from '@lifeline/server/src/db/database.js';
import { serveForParent } from './child.js';

const [dataDir, seededAt] = process.argv.slice(2);
if (!dataDir || !seededAt) throw new Error('usage: lifeline-server.ts <data dir> <seeded at, ms>');

const config = loadConfig({
  LOG_LEVEL: 'silent',
  LIFELINE_DATA_DIR: dataDir,
  PUBLIC_URL: 'http://localhost:8080',
});
const database = openDatabase(config.database);
await migrateToLatest(database);
// The clock starts where seeding stopped, so a cached database has the same open cases on every run.
// The expiry sweeper is not started: stored statuses lag, and reads must filter by expiry themselves.
const offset = Date.now() - Number(seededAt);
const { server } = await buildApp({ config, database, clock: { now: () => Date.now() - offset } });
await serveForParent(server, () => database.destroy());

import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { migrateToLatest, openDatabase } from './db/database.js';

async function main() {
  const config = loadConfig();
  const database = openDatabase(config.database);
  await migrateToLatest(database);
  const { server, services, sweeper, outbox, webhookWorker, nodes } = await buildApp({
    config,
    database,
    processMetrics: true,
  });

  const firstRun = await services.people.bootstrap();
  // On one machine, nobody can still be connected to a process that just started.
  if (!config.redisUrl) await services.live.forgetNodes('all');
  // In a cluster, a process restarted under a fixed LIFELINE_NODE_ID forgets its own earlier sockets;
  // those of other dead processes are reaped once their heartbeats stop (node-heartbeats.ts).
  else await services.live.forgetNodes([services.live.nodeId]);
  await sweeper.sweep();
  sweeper.start();
  await services.recordings.sweep();
  services.recordings.start();
  outbox.start();
  webhookWorker.start();
  await nodes?.start();
  await server.listen({ port: config.port, host: config.host });

  const where = config.database.kind === 'sqlite' ? `SQLite at ${config.database.file}` : 'PostgreSQL';
  const lines = [
    '',
    `  Lifeline is running at ${config.publicUrl}  (data: ${where})`,
    `  API docs: ${config.publicUrl}/api/docs`,
  ];
  if (firstRun?.generatedPassword) {
    lines.push(
      `  First run: created admin ${firstRun.email} with password ${firstRun.generatedPassword}`,
      '  (shown only this once; set LIFELINE_ADMIN_PASSWORD before the first start to choose it)',
    );
  } else if (firstRun) {
    lines.push(`  First run: created admin ${firstRun.email} with the password from LIFELINE_ADMIN_PASSWORD`);
  } else {
    lines.push(
      '  Sign in with your admin account (created on first run), or add one: npm run lifeline -- user add',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await server.close();
      await database.destroy();
      process.exit(0);
    } catch (err) {
      server.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`Lifeline failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

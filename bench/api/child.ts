import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * A server under test runs in a process of its own, so it does not share an
 * event loop with the load generator. The parent learns the port over IPC and
 * stops it with SIGTERM; losing the parent stops it too.
 */
export async function serveForParent(server: FastifyInstance, onClose: () => Promise<void> = async () => {}) {
  await server.listen({ host: '127.0.0.1', port: 0 });
  const stop = async () => {
    await server.close();
    await onClose();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('disconnect', () => void stop());
  process.send?.({ port: (server.server.address() as AddressInfo).port });
}

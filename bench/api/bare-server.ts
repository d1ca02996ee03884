import Fastify from 'fastify';
import { serveForParent } from './child.js';

// The baseline: what Fastify alone costs on this machine right now.
const server = Fastify({ logger: false });
server.get('/bare', async () => ({ hello: 'world', ok: true }));
await serveForParent(server);

import { parseArgs } from 'node:util';
import { ApiError, createClient } from '@lifeline/client';
import { startDemoCrm } from './server.js';

/**
 * `npm run demo:crm`: a CRM on another site (127.0.0.1 while Lifeline is on
 * localhost) that embeds the connector pages. With an admin's e-mail and
 * password it registers (or finds) its connector app itself.
 */
const { values } = parseArgs({
  options: {
    lifeline: { type: 'string', default: 'http://localhost:8080' },
    port: { type: 'string', default: '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    email: { type: 'string' },
    password: { type: 'string' },
    'client-id': { type: 'string' },
  },
});
const APP_NAME = 'Demo CRM';
const port = Number(values.port);
const origin = `http://${values.host}:${port}`;

async function ensureApp(): Promise<string | undefined> {
  if (values['client-id']) return values['client-id'];
  if (!values.email || !values.password) return undefined;
  const lifeline = createClient({ baseUrl: values.lifeline });
  await lifeline.auth.login(values.email, values.password);
  const existing = (await lifeline.connectorApps.list()).find(
    (a) => a.name === APP_NAME && a.allowedOrigins.includes(origin),
  );
  if (existing) return existing.clientId;
  const created = await lifeline.connectorApps.create({ name: APP_NAME, allowedOrigins: [origin] });
  console.log(`Registered the connector app "${APP_NAME}" for ${origin} (client id ${created.clientId}).`);
  return created.clientId;
}

try {
  const clientId = await ensureApp();
  if (!clientId) {
    console.log(`The demo CRM needs a connector app that allows the origin ${origin}. Either:
  npm run demo:crm -- --email <admin e-mail> --password <admin password>   (registers it for you), or
  register it in the console (Administration → Connector apps, origin ${origin}) and run
  npm run demo:crm -- --client-id <its client id>
Lifeline is expected at ${values.lifeline} (--lifeline to change).`);
    process.exit(1);
  }
  const crm = await startDemoCrm({
    lifelineUrl: values.lifeline,
    clientId,
    port,
    listen: values.host,
    publicHost: values.host,
  });
  console.log(
    `Demo CRM: ${crm.origin}/ (service cases) and ${crm.origin}/desktop (agent desktop), embedding ${values.lifeline}`,
  );
} catch (err) {
  console.error(err instanceof ApiError ? `Lifeline answered ${err.message}` : err);
  process.exit(1);
}

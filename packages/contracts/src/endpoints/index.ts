import type { Endpoint } from '../endpoint.js';
import { auth, tokens } from './auth.js';
import { cases } from './cases.js';
import { join } from './join.js';
import { modules, quickSupport } from './modules.js';
import { oauthInteraction, operations, outbox, reports } from './operations.js';
import { groups, users } from './people.js';
import { recordings } from './recordings.js';
import { teamViewerSessions } from './teamviewer.js';
import { connectorApps, webhooks } from './webhooks.js';

export { healthSchema } from './operations.js';

/** Every HTTP endpoint of Lifeline, by domain. */
export const endpoints = {
  operations,
  auth,
  tokens,
  users,
  groups,
  cases,
  recordings,
  reports,
  join,
  modules,
  quickSupport,
  webhooks,
  connectorApps,
  outbox,
  oauthInteraction,
  teamViewerSessions,
} satisfies Record<string, Record<string, Endpoint>>;

export const allEndpoints: Endpoint[] = Object.values(endpoints).flatMap((group) => Object.values(group));

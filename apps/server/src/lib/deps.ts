import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Clock } from './clock.js';
import type { Random } from './random.js';
import type { WindowCounters } from './window-counters.js';

/** The side effects every service receives instead of reaching for globals. */
export interface Deps {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  random: Random;
  newId: () => string;
  logger: FastifyBaseLogger;
  /** Rate-limit counters: in memory, or in Redis in cluster mode. */
  counters: WindowCounters;
}

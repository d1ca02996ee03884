import type { Redis } from 'ioredis';
import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import type { LiveSessions } from './live.service.js';

/** The sockets this process holds (the hub). */
export interface LocalSockets {
  /** Sockets whose live_sockets row was written. */
  joinedSocketIds(): string[];
  /** Makes these sockets reconnect (and so be recorded again). */
  rejoin(ids: string[]): void;
}

/** Where server processes of a cluster say they are alive (Redis: a key with a TTL per node). */
export interface NodeRegistry {
  beat(nodeId: string, ttlMs: number): Promise<void>;
  /** Which of `nodeIds` have a heartbeat that has not run out. */
  alive(nodeIds: string[]): Promise<Set<string>>;
}

/** The registry in Redis: a key per node that expires unless renewed. */
export class RedisNodeRegistry implements NodeRegistry {
  constructor(private readonly redis: Redis) {}

  private key(nodeId: string) {
    return `lifeline:node:${nodeId}`;
  }

  async beat(nodeId: string, ttlMs: number) {
    await this.redis.set(this.key(nodeId), '1', 'PX', ttlMs);
  }

  async alive(nodeIds: string[]) {
    if (nodeIds.length === 0) return new Set<string>();
    const found = await this.redis.mget(nodeIds.map((id) => this.key(id)));
    return new Set(nodeIds.filter((_, i) => found[i] !== null));
  }
}

/**
 * Cluster mode: every process renews its heartbeat; every process also looks
 * for nodes that still own `live_sockets` rows but stopped beating (killed,
 * crashed, cut off), and removes those rows as if each partner had left, so
 * presence, status and the remote-connection record are right again.
 *
 * A heartbeat lives for three periods. A node is declared dead only once its
 * heartbeat has been missing for two more periods as this process counts
 * them: a restarted Redis forgets every key at once, and live nodes need one
 * period to write theirs again.
 *
 * Should a live process still be taken for dead (cut off from Redis, or
 * stalled, for longer than that), it notices on its next beats that rows of
 * sockets it holds are gone, and has those sockets reconnect: their fresh join
 * records them again and presence is right once more. A row must be missing on
 * two checks in a row, so a socket replaced by a newer one elsewhere (its row
 * deleted, the `kick` still on its way through the bus) is left to that kick.
 */
export class NodeHeartbeats {
  private readonly poller: Poller;
  private readonly missingSince = new Map<string, number>();
  /** Own sockets whose row was missing at the last check. */
  private unrecorded = new Set<string>();

  constructor(
    private readonly deps: Deps,
    private readonly registry: NodeRegistry,
    private readonly live: LiveSessions,
    private readonly local: LocalSockets,
    private readonly onReaped: (nodeIds: string[]) => void = () => {},
  ) {
    this.poller = new Poller('node heartbeat', deps.config.nodeHeartbeatMs, deps.logger, async () => {
      await this.beat();
      await this.heal();
      await this.reap();
    });
  }

  get nodeId() {
    return this.live.nodeId;
  }

  beat() {
    return this.registry.beat(this.nodeId, this.deps.config.nodeHeartbeatMs * 3);
  }

  /** Has own sockets whose rows another process removed reconnect; returns their ids. */
  async heal(): Promise<string[]> {
    const held = this.local.joinedSocketIds();
    if (held.length === 0 && this.unrecorded.size === 0) return [];
    const recorded = new Set(await this.live.ownSocketIds());
    const missing = held.filter((id) => !recorded.has(id));
    const rejoin = missing.filter((id) => this.unrecorded.has(id));
    this.unrecorded = new Set(missing.filter((id) => !this.unrecorded.has(id)));
    if (rejoin.length) {
      this.deps.logger.warn(
        { sockets: rejoin.length },
        'this process was taken for dead: its sockets reconnect',
      );
      this.local.rejoin(rejoin);
    }
    return rejoin;
  }

  /** Removes the connections of nodes found dead; returns their ids. */
  async reap(): Promise<string[]> {
    const now = this.deps.clock.now();
    const owners = (await this.live.nodesWithSockets()).filter((n) => n !== this.nodeId);
    const alive = await this.registry.alive(owners);
    const dead: string[] = [];
    for (const node of [...this.missingSince.keys()])
      if (!owners.includes(node)) this.missingSince.delete(node);
    for (const node of owners) {
      if (alive.has(node)) {
        this.missingSince.delete(node);
        continue;
      }
      const since = this.missingSince.get(node) ?? now;
      this.missingSince.set(node, since);
      if (now - since >= this.deps.config.nodeHeartbeatMs * 2) dead.push(node);
    }
    if (dead.length === 0) return dead;
    this.deps.logger.warn(
      { nodes: dead },
      'server processes stopped beating: removing their live connections',
    );
    // Several survivors may reap the same node at once: leave() skips rows another one removed.
    await this.live.forgetNodes(dead);
    for (const node of dead) this.missingSince.delete(node);
    this.onReaped(dead);
    return dead;
  }

  async start() {
    await this.beat();
    this.poller.start();
  }

  stop() {
    return this.poller.stop();
  }
}

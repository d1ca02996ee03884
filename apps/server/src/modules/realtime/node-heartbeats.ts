import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import type { LiveSessions } from './live.service.js';

/** Where server processes of a cluster say they are alive (Redis: a key with a TTL per node). */
export interface NodeRegistry {
  beat(nodeId: string, ttlMs: number): Promise<void>;
  /** Which of `nodeIds` have a heartbeat that has not run out. */
  alive(nodeIds: string[]): Promise<Set<string>>;
}

/**
 * Cluster mode: every process renews its heartbeat; every process also looks
 * for nodes that still own `live_connections` rows but stopped beating (killed,
 * crashed, cut off), and removes those rows as if each partner had left, so
 * presence, status and the remote-connection record are right again.
 *
 * A heartbeat lives for three periods. A node is declared dead only once its
 * heartbeat has been missing for two more periods as this process counts
 * them: a restarted Redis forgets every key at once, and live nodes need one
 * period to write theirs again. Removing a live node's rows is harmless
 * anyway (its partner's next reconnect rejoins), but would show a wrong presence.
 */
export class NodeHeartbeats {
  private readonly poller: Poller;
  private readonly missingSince = new Map<string, number>();

  constructor(
    private readonly deps: Deps,
    private readonly registry: NodeRegistry,
    private readonly live: LiveSessions,
    private readonly onReaped: (nodeIds: string[]) => void = () => {},
  ) {
    this.poller = new Poller('node heartbeat', deps.config.nodeHeartbeatMs, deps.logger, async () => {
      await this.beat();
      await this.reap();
    });
  }

  get nodeId() {
    return this.live.nodeId;
  }

  beat() {
    return this.registry.beat(this.nodeId, this.deps.config.nodeHeartbeatMs * 3);
  }

  /** Removes the connections of nodes found dead; returns their ids. */
  async reap(): Promise<string[]> {
    const now = this.deps.clock.now();
    const owners = (await this.live.nodesWithConnections()).filter((n) => n !== this.nodeId);
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

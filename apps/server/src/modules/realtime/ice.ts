import { createHmac } from 'node:crypto';
import type { IceServer } from '@lifeline/contracts';
import type { Config } from '../../config/config.js';

/**
 * ICE servers for one case. TURN credentials follow coturn's shared-secret
 * scheme (`use-auth-secret`): the username is `expiry:caseCode` (expiry in
 * Unix seconds) and the password is base64(HMAC-SHA1(secret, username)), so
 * coturn checks them without asking us, and they stop working by themselves.
 */
export function iceServersFor(ice: Config['ice'], caseCode: string, now: number): IceServer[] {
  const servers: IceServer[] = [];
  if (ice.stunUrls.length) servers.push({ urls: ice.stunUrls });
  if (ice.turnUrls.length && ice.turnSecret) {
    const username = `${Math.floor((now + ice.turnTtlMs) / 1000)}:${caseCode}`;
    const credential = createHmac('sha1', ice.turnSecret).update(username).digest('base64');
    servers.push({ urls: ice.turnUrls, username, credential });
  }
  return servers;
}

import { closeCodes } from '@lifeline/contracts';
import { expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestServer } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** SPEC §11: open sockets close within a second of the change. */
const WITHIN_MS = 1000;

/** The close of `socket`, or a failure if it stays open longer than SPEC §11 allows. */
function closedWithin(socket: TestSocket, ms = WITHIN_MS) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the socket was still open ${ms} ms later`)), ms);
  });
  return Promise.race([socket.closed, late]).finally(() => clearTimeout(timer));
}

/** An agent with a case, their console socket and their session socket, opened on `baseUrl`. */
async function agentOnline(t: TestServer, baseUrl = t.baseUrl) {
  const org = await t.newOrg();
  const agent = await t.newAgent(org, 'Alex Agent');
  const created = await agent.client.cases.create({ name: 'Printer offline' });
  const cookie = agent.client.sessionCookie() ?? '';
  const openConsole = () => TestSocket.open(wsUrl(baseUrl, '/ws/console'), { cookie });
  const openSession = () => TestSocket.open(wsUrl(baseUrl, `/ws/session?case=${created.code}`), { cookie });
  const consoleSocket = openConsole();
  await consoleSocket.next('ready');
  const sessionSocket = openSession();
  await sessionSocket.next('welcome');
  return { org, agent, created, openConsole, openSession, consoleSocket, sessionSocket };
}

describeEachDatabase('access ends everywhere: open sockets', (t) => {
  it('a colleague of the same organisation keeps their console while the agent signs out', async () => {
    const scene = await agentOnline(t);
    const colleague = TestSocket.open(wsUrl(t.baseUrl, '/ws/console'), {
      cookie: scene.org.admin.sessionCookie() ?? '',
    });
    await colleague.next('ready');

    await scene.agent.client.auth.logout();
    expect(await closedWithin(scene.consoleSocket)).toEqual({
      code: closeCodes.accessChanged,
      reason: 'signed_out',
    });
    expect((await closedWithin(scene.sessionSocket)).code).toBe(closeCodes.accessChanged);
    // Reconnecting with the ended session is refused.
    expect((await closedWithin(scene.openConsole())).code).toBe(closeCodes.unauthenticated);
    expect((await closedWithin(scene.openSession())).code).toBe(closeCodes.unauthenticated);

    const next = await scene.org.admin.cases.create({ name: 'Still watching' });
    await expect
      .poll(() => colleague.received.some((m) => m.type === 'case.changed' && m.case.code === next.code))
      .toBe(true);
    expect(colleague.ws.readyState).toBe(colleague.ws.OPEN);
    await colleague.close();
  });

  it('closes them when an admin deactivates the agent', async () => {
    const scene = await agentOnline(t);
    await scene.org.admin.users.update(scene.agent.id, { active: false });
    expect(await closedWithin(scene.consoleSocket)).toEqual({
      code: closeCodes.accessChanged,
      reason: 'deactivated',
    });
    expect((await closedWithin(scene.sessionSocket)).code).toBe(closeCodes.accessChanged);
    expect((await closedWithin(scene.openConsole())).code).toBe(closeCodes.unauthenticated);
    expect((await closedWithin(scene.openSession())).code).toBe(closeCodes.unauthenticated);
  });

  it('closes them when an admin sets a new password, which also ends the cookie sessions', async () => {
    const scene = await agentOnline(t);
    await scene.org.admin.users.update(scene.agent.id, { password: 'a brand new passphrase' });
    expect(await closedWithin(scene.consoleSocket)).toEqual({
      code: closeCodes.accessChanged,
      reason: 'password_changed',
    });
    expect((await closedWithin(scene.sessionSocket)).code).toBe(closeCodes.accessChanged);
    expect((await apiError(scene.agent.client.me())).status).toBe(401);
    expect((await closedWithin(scene.openConsole())).code).toBe(closeCodes.unauthenticated);
    expect((await (await t.signIn(scene.agent.email, 'a brand new passphrase')).me()).user.id).toBe(
      scene.agent.id,
    );
  });

  it('closes them when a token of the agent is revoked; a still-valid sign-in reconnects', async () => {
    const scene = await agentOnline(t);
    const token = await scene.agent.client.tokens.create({ name: 'crm', scopes: ['cases:read'] });
    await scene.agent.client.tokens.revoke(token.id);
    expect(await closedWithin(scene.consoleSocket)).toEqual({
      code: closeCodes.accessChanged,
      reason: 'token_revoked',
    });
    expect((await closedWithin(scene.sessionSocket)).code).toBe(closeCodes.accessChanged);
    // The cookie itself was not revoked: the page's reconnect is let in again.
    const back = scene.openConsole();
    await back.next('ready');
    await back.close();
  });
});

describeEachDatabase(
  'access ends everywhere: two processes sharing Redis',
  (t) => {
    it("closes the agent's sockets on the other process when an admin deactivates them", async () => {
      const other = await t.listeningSibling();
      const scene = await agentOnline(t, other.baseUrl);

      // The admin talks to the first process; the agent's sockets are held by the second.
      await scene.org.admin.users.update(scene.agent.id, { active: false });
      expect(await closedWithin(scene.consoleSocket)).toEqual({
        code: closeCodes.accessChanged,
        reason: 'deactivated',
      });
      expect((await closedWithin(scene.sessionSocket)).code).toBe(closeCodes.accessChanged);
      expect((await closedWithin(scene.openConsole())).code).toBe(closeCodes.unauthenticated);
      await other.stop();
    });
  },
  { config: { redisUrl: REDIS_URL } },
);

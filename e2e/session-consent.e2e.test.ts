import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  failOnConsoleErrors,
  newScene,
  pageErrors,
  screenshot,
  signIn,
  useE2e,
  videoPlaying,
} from './harness.js';

const env = useE2e();

/** Keeps every RTCPeerConnection the page makes in `window.peers`, so the test can read their state and stats. */
async function watchPeers(page: Page) {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const peers: RTCPeerConnection[] = [];
    Object.assign(window, { peers });
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        peers.push(this);
      }
    };
  });
}

type PeerFacts = { state: string; tracks: number; rtpSent: number; rtpReceived: number };

/** Per peer connection: its state, the media tracks it carries, and the RTP it sent and received so far. */
function peerFacts(page: Page): Promise<PeerFacts[]> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { peers: RTCPeerConnection[] }).peers;
    return Promise.all(
      peers.map(async (pc) => {
        let rtpSent = 0;
        let rtpReceived = 0;
        if (pc.connectionState !== 'closed') {
          for (const s of (await pc.getStats()).values()) {
            if (s.type === 'outbound-rtp') rtpSent += s.packetsSent ?? 0;
            if (s.type === 'inbound-rtp') rtpReceived += s.packetsReceived ?? 0;
          }
        }
        // Every audio or video section is a transceiver: none means no track either way.
        const tracks = pc.connectionState === 'closed' ? 0 : pc.getTransceivers().length;
        return { state: pc.connectionState, tracks, rtpSent, rtpReceived };
      }),
    );
  });
}

const open = (facts: PeerFacts[]) => facts.filter((f) => f.state !== 'closed');

describe('consent in the browser', () => {
  it('connects while the customer decides, sends nothing before "Allow", and "Deny" tears the connection down', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await Promise.all([watchPeers(s.customerPage), watchPeers(s.agentPage)]);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage
      .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your screen?' })
      .waitFor();

    // ICE and DTLS are done while the prompt is open, and not one media packet went out.
    await expect
      .poll(async () => open(await peerFacts(s.customerPage)).map((f) => f.state))
      .toEqual(['connected']);
    await expect
      .poll(async () => open(await peerFacts(s.agentPage)).map((f) => f.state))
      .toEqual(['connected']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(open(await peerFacts(s.customerPage))).toEqual([
      { state: 'connected', tracks: 0, rtpSent: 0, rtpReceived: 0 },
    ]);
    expect(open(await peerFacts(s.agentPage))).toEqual([
      { state: 'connected', tracks: 0, rtpSent: 0, rtpReceived: 0 },
    ]);
    expect(
      await s.agentPage.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBeNull();

    await s.customerPage.getByRole('button', { name: 'Deny' }).click();
    await s.customerPage.getByRole('heading', { name: 'You did not allow access' }).waitFor();
    await s.agentPage.getByText('Cleo Customer denied access to their screen.').waitFor();
    await expect.poll(async () => open(await peerFacts(s.customerPage))).toEqual([]);
    await expect.poll(async () => open(await peerFacts(s.agentPage))).toEqual([]);

    // "Allow" after all: the picture flows, over a connection of its own.
    await s.customerPage.getByRole('button', { name: 'Allow after all…' }).click();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    const [sending] = open(await peerFacts(s.customerPage));
    expect(sending?.rtpSent).toBeGreaterThan(0);
    // The picture starts at 1 Mbit/s, not at Chromium's 300 kbit/s (start-bitrate.ts).
    const applied = await s.customerPage.evaluate(() =>
      (window as unknown as { peers: RTCPeerConnection[] }).peers
        .filter((pc) => pc.connectionState !== 'closed')
        .map((pc) => [...new Set(pc.remoteDescription?.sdp.match(/x-google-start-bitrate=\d+/g))]),
    );
    expect(applied).toEqual([['x-google-start-bitrate=1000']]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it("asks the customer and sets up the connection before the agent's page has even rendered", async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await watchPeers(s.customerPage);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, '/');

    // The staff app and the agent client's chunks are held back: only the page's entry code runs.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held: string[] = [];
    await s.agentPage.context().route(/\/assets\/(app|agent)-[^/]*\.js$/, async (route) => {
      held.push(route.request().url());
      await released;
      await route.continue();
    });
    await s.agentPage.goto(`${t.baseUrl}/session/${s.case.code}`, { waitUntil: 'commit' });

    await s.customerPage
      .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your screen?' })
      .waitFor();
    await expect
      .poll(async () => open(await peerFacts(s.customerPage)).map((f) => f.state))
      .toEqual(['connected']);
    expect(held.length).toBeGreaterThan(0);
    expect(await s.agentPage.getByLabel("Customer's screen").count()).toBe(0);

    // "Allow" while the agent's page is still loading: the picture is there once it renders.
    await s.customerPage.getByRole('button', { name: 'Allow', exact: true }).click();
    release();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    expect(pageErrors(s.customerPage)).toEqual([]);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('"Connect" asks the customer while the agent\'s tab is still being created, and the session outlives the queue', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    // Every heading the customer's page shows, however briefly.
    await s.customerPage.addInitScript(() => {
      const seen = new Set<string>();
      Object.assign(window, { headingsSeen: seen });
      new MutationObserver(() => {
        for (const h of document.querySelectorAll('h1, h2')) seen.add(h.textContent ?? '');
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    const queue = s.agentPage;
    await signIn(queue, t.baseUrl, s.agent.email, '/');

    // The agent's tab gets its page only when the test says so.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = false;
    await queue.context().route(new RegExp(`/session/${s.case.code}$`), async (route) => {
      asked = true;
      await released;
      await route.continue();
    });
    const opened = queue.context().waitForEvent('page');
    await queue
      .getByRole('table', { name: 'Service cases' })
      .getByRole('row', { name: `Printer offline ${s.case.code}` })
      .getByRole('link', { name: 'Connect' })
      .click();
    await s.customerPage
      .getByRole('heading', { name: 'Allow Alex Agent from Acme Support to see your screen?' })
      .waitFor();
    // Asked while the tab's page was still held back.
    expect(asked).toBe(true);
    await screenshot(s.customerPage, 'consent-before-agent-tab');

    await s.customerPage.getByRole('button', { name: 'Allow', exact: true }).click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const tab = await opened;
    failOnConsoleErrors(tab);
    await expect.poll(() => videoPlaying(tab, "Customer's screen"), { timeout: 15_000 }).toBe(true);

    // Between "Allow" and the sharing view the customer never read that they did not allow it.
    const headings = await s.customerPage.evaluate(() => [
      ...(window as unknown as { headingsSeen: Set<string> }).headingsSeen,
    ]);
    expect(headings).toContain('Starting to share your screen…');
    expect(headings).not.toContain('You did not allow access');

    // The tab moved the connection to a socket of its own: closing the queue ends nothing.
    await queue.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await s.customerPage.getByText('Alex Agent can see your screen').waitFor();
    expect(await s.customerPage.getByRole('button', { name: 'Allow', exact: true }).count()).toBe(0);
    const before = await tab.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.currentTime);
    await expect
      .poll(() => tab.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.currentTime))
      .toBeGreaterThan(before);
    const trail = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items.map((e) => e.type);
    expect(trail.filter((type) => type === 'session.joined')).toHaveLength(2);
    expect(trail.filter((type) => type === 'session.left')).toEqual([]);
    expect(trail.filter((type) => type === 'consent.allowed')).toHaveLength(1);
    expect(pageErrors(s.customerPage)).toEqual([]);
    expect(pageErrors(tab)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });

  it('announces a second agent by name, who sees nothing until the customer allows them too', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    const bea = await t.newAgent(s.org, 'Bea Boss');
    const beaContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const beaPage = await beaContext.newPage();
    failOnConsoleErrors(beaPage);
    const banner = s.customerPage.getByRole('status', { name: 'Session active' });

    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);

    // A colleague opens the same session: named to the customer, and given nothing.
    await signIn(beaPage, t.baseUrl, bea.email, `/session/${s.case.code}`);
    await s.customerPage
      .getByRole('heading', { name: 'Allow Bea Boss from Acme Support to see your screen?' })
      .waitFor();
    await beaPage.getByText('Waiting for Cleo Customer to allow access to their screen…').waitFor();
    await expect(banner.textContent()).resolves.toContain('Alex Agent can see your screen');
    await screenshot(s.customerPage, 'consent-second-agent');

    // Stopping and sharing again does not hand Bea the picture.
    await s.customerPage.getByRole('button', { name: 'Stop sharing' }).click();
    await s.customerPage.getByRole('button', { name: 'Share again' }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    await s.customerPage.getByText('Alex Agent can see your screen').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(
      await beaPage.getByLabel("Customer's screen").evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBeNull();

    // Nor does chat history or new chat reach her before "Allow".
    await s.customerPage.getByRole('textbox', { name: 'Message' }).fill('Only for Alex');
    await s.customerPage.getByRole('button', { name: 'Send' }).click();
    await s.agentPage.getByText('Only for Alex').waitFor();
    expect(await beaPage.getByText('Only for Alex').count()).toBe(0);

    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => videoPlaying(beaPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);
    await s.customerPage.getByText('Alex Agent and Bea Boss can see your screen').waitFor();
    await screenshot(s.customerPage, 'consent-two-agents-sharing');

    const allowed = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items
      .filter((e) => e.type === 'consent.allowed')
      .map((e) => (e.data as { agent: { name: string } }).agent.name);
    expect(allowed).toEqual(['Alex Agent', 'Bea Boss']);
    expect(pageErrors(beaPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all([...s.contexts, beaContext].map((c) => c.close()));
  });

  it('"End session" ends the presence at once, and only "Join again" rejoins', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's screen"), { timeout: 15_000 }).toBe(true);

    await s.customerPage.getByRole('button', { name: 'End session' }).click();
    await s.customerPage.getByRole('heading', { name: 'You left the support session' }).waitFor();
    await expect
      .poll(async () => (await s.agent.client.cases.get(s.case.code)).presence.customer)
      .toBe(false);
    // Long past the page's reconnect delay, the customer is still gone.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await s.agent.client.cases.get(s.case.code)).presence.customer).toBe(false);
    await s.agentPage.getByText('Customer offline').waitFor();
    const trail = (await s.agent.client.cases.events(s.case.code, { limit: 50 })).items.map((e) => e.type);
    expect(trail.filter((type) => type === 'session.left')).toHaveLength(1);
    expect(trail.filter((type) => type === 'session.joined')).toHaveLength(2);

    await s.customerPage.getByRole('button', { name: 'Join again' }).click();
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await expect.poll(async () => (await s.agent.client.cases.get(s.case.code)).presence.customer).toBe(true);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});

import { describe, expect, it } from 'vitest';
import { newScene, pageErrors, paintedPixels, screenshot, signIn, useE2e, videoPlaying } from './harness.js';

const env = useE2e();

describe('session recording', () => {
  it('records what the agent sees while the customer shares; staff play it back at its length, admins download it, and the audit trail says so', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'ar');

    // An admin turns recording on in Administration.
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await adminContext.newPage();
    await signIn(admin, t.baseUrl, s.org.adminEmail, '/admin/recording');
    await admin.getByRole('switch', { name: 'Record sessions' }).check({ force: true });
    await admin.getByRole('textbox', { name: /Keep recordings for/ }).fill('14');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await screenshot(admin, 'recording-1-admin-settings');
    expect(await s.org.admin.recordings.settings()).toEqual({ enabled: true, retentionDays: 14 });

    // The customer is told before allowing that the session is recorded.
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.getByRole('heading', { name: 'Alex Agent from Acme Support is calling' }).waitFor();
    await s.customerPage.getByText('This session is recorded.').waitFor();
    await screenshot(s.customerPage, 'recording-2-customer-consent');
    await s.customerPage.getByRole('button', { name: 'Accept' }).click();
    await s.customerPage
      .getByRole('status', { name: 'Session active' })
      .getByText(/recorded/)
      .waitFor();
    await expect.poll(() => videoPlaying(s.agentPage, "Customer's camera"), { timeout: 15_000 }).toBe(true);

    // The agent sees that the session is recorded; chunks arrive while it runs.
    const indicator = s.agentPage.getByLabel('This session is being recorded');
    await indicator.waitFor({ timeout: 15_000 });
    const started = Date.now();
    await s.agentPage.getByText('Arrow', { exact: true }).click();
    const box = await s.agentPage.getByTestId('annotation-layer').boundingBox();
    if (!box) throw new Error('no drawing surface');
    await s.agentPage.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await s.agentPage.mouse.down();
    await s.agentPage.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await s.agentPage.mouse.up();
    await expect.poll(() => paintedPixels(s.customerPage)).toBeGreaterThan(100);
    await expect
      .poll(async () => (await s.org.admin.recordings.list(s.case.code))[0]?.sizeBytes ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await screenshot(s.agentPage, 'recording-3-agent-recording');
    await screenshot(s.customerPage, 'recording-3-customer-recorded');
    await s.agentPage.waitForTimeout(Math.max(0, 6000 - (Date.now() - started)));

    // Closing the case stops the recording; its last chunk and the finish still arrive.
    await s.agentPage.getByRole('button', { name: 'Close case' }).click();
    await s.agentPage.getByRole('dialog').getByRole('button', { name: 'Close case' }).click();
    // The page stops recording as it shows that the case is closed.
    await s.agentPage.getByRole('heading', { name: 'Case closed' }).waitFor();
    const stopped = Date.now();
    await expect
      .poll(async () => (await s.org.admin.recordings.list(s.case.code))[0]?.finished, { timeout: 15_000 })
      .toBe(true);
    const [recording, ...others] = await s.org.admin.recordings.list(s.case.code);
    expect(others).toEqual([]);
    // The server's clock stands still in these tests: the length is the player's to tell, below.
    const seen = (stopped - started) / 1000;
    const outcome = (await s.org.admin.cases.get(s.case.code)).outcome;
    expect(outcome?.recordings).toEqual([recording]);

    // The case page plays it back, as long as it was recorded.
    await admin.goto(`${t.baseUrl}/cases/${s.case.code}`);
    const player = admin.getByRole('region', { name: 'Recordings' }).locator('video');
    await player.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await expect
      .poll(
        () => player.evaluate((v: HTMLVideoElement) => Number.isFinite(v.duration) && v.currentTime > 0.5),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    const duration = await player.evaluate((v: HTMLVideoElement) => v.duration);
    console.log(`recorded for ${seen} s, plays for ${duration} s`);
    expect(Math.abs(duration - seen)).toBeLessThanOrEqual(1);
    expect(await player.evaluate((v: HTMLVideoElement) => [v.videoWidth > 0, v.error])).toEqual([true, null]);
    // Both voices were mixed in: the recording has sound.
    await expect
      .poll(() =>
        player.evaluate(
          (v: HTMLVideoElement & { webkitAudioDecodedByteCount?: number }) =>
            v.webkitAudioDecodedByteCount ?? 0,
        ),
      )
      .toBeGreaterThan(0);
    // The agent's arrow is drawn into the picture (red on the test camera's green).
    const redPixels = await player.evaluate(async (v: HTMLVideoElement) => {
      v.pause();
      const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      v.currentTime = v.duration - 1;
      await seeked;
      const c = document.createElement('canvas');
      [c.width, c.height] = [v.videoWidth, v.videoHeight];
      const ctx = c.getContext('2d');
      ctx?.drawImage(v, 0, 0);
      const data = ctx?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if ((data[i] ?? 0) > 180 && (data[i + 1] ?? 0) < 120 && (data[i + 2] ?? 0) < 120) n++;
      return n;
    });
    expect(redPixels).toBeGreaterThan(50);
    await screenshot(admin, 'recording-4-case-page-player');

    // Admins download it; the file is the recording.
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`recording-${recording?.id}.webm`);

    // Viewing and downloading are in the audit trail, in words.
    await admin.reload();
    const trail = admin.getByRole('region', { name: 'Audit trail' });
    await trail.getByText('Alex Agent started recording the session').waitFor();
    await trail.getByText('Ada Admin played a recording').waitFor();
    await trail.getByText('Ada Admin downloaded a recording').waitFor();
    // The outcome links to the recording for a CRM.
    await admin
      .getByRole('region', { name: 'Outcome' })
      .getByRole('link', { name: /Recording of/ })
      .waitFor();
    await admin.getByRole('region', { name: 'Outcome' }).scrollIntoViewIfNeeded();
    await screenshot(admin, 'recording-5-case-page-outcome');

    // The outcome's link opens the case page at that recording.
    await admin.goto(recording?.url ?? '');
    const item = admin.getByRole('article', { name: /Recording by Alex Agent/ });
    await expect
      .poll(() =>
        item.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }),
      )
      .toBe(true);

    // An agent plays but does not download.
    await s.agentPage.goto(`${t.baseUrl}/cases/${s.case.code}`);
    await s.agentPage.getByRole('region', { name: 'Recordings' }).locator('video').waitFor();
    expect(await s.agentPage.getByRole('link', { name: 'Download' }).count()).toBe(0);

    expect(pageErrors(s.agentPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    expect(pageErrors(admin)).toEqual([]);
    await Promise.all([...s.contexts, adminContext].map((c) => c.close()));
  });
  it('records a shared screen as video alone, playing back at its length', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await s.org.admin.recordings.updateSettings({ enabled: true });
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.getByText('This session is recorded.').waitFor();
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await s.agentPage.getByLabel('This session is being recorded').waitFor({ timeout: 15_000 });
    const started = Date.now();
    await s.agentPage.waitForTimeout(4000);
    // Stopping the share stops the recording, as the picture goes away.
    await s.customerPage.getByRole('button', { name: 'Stop sharing' }).click();
    await s.agentPage.getByText('Cleo Customer stopped sharing').waitFor();
    const seen = (Date.now() - started) / 1000;
    await expect
      .poll(async () => (await s.agent.client.recordings.list(s.case.code))[0]?.finished, { timeout: 15_000 })
      .toBe(true);
    const [recording] = await s.agent.client.recordings.list(s.case.code);
    expect(recording?.mediaType).not.toContain('opus');
    expect(await s.agentPage.getByLabel('This session is being recorded').count()).toBe(0);

    await s.agentPage.goto(`${t.baseUrl}/cases/${s.case.code}`);
    const player = s.agentPage.getByRole('region', { name: 'Recordings' }).locator('video');
    await player.evaluate((v: HTMLVideoElement) => v.play());
    await expect
      .poll(
        () => player.evaluate((v: HTMLVideoElement) => Number.isFinite(v.duration) && v.currentTime > 0.5),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    const duration = await player.evaluate((v: HTMLVideoElement) => v.duration);
    console.log(`screen recorded for ${seen} s, plays for ${duration} s`);
    expect(Math.abs(duration - seen)).toBeLessThanOrEqual(1);
    expect(await player.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
    expect(pageErrors(s.agentPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
  it('stops at a refused chunk and tells the agent; what was stored stays, unfinished', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, 'remote_control');
    await s.org.admin.recordings.updateSettings({ enabled: true });
    // The third chunk is refused, as the server would refuse one out of order.
    await s.agentPage.route('**/recordings/*/chunks/2', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          code: 'chunk_out_of_order',
          detail: 'Chunk 1 comes next.',
        }),
      }),
    );
    await s.customerPage.goto(s.case.links.customer);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.customerPage.getByRole('button', { name: 'Allow' }).click();
    await s.agentPage.getByLabel('This session is being recorded').waitFor({ timeout: 15_000 });
    await s.agentPage.getByText('Recording stopped: Chunk 1 comes next.').waitFor({ timeout: 15_000 });
    expect(await s.agentPage.getByLabel('This session is being recorded').count()).toBe(0);
    await screenshot(s.agentPage, 'recording-6-agent-recording-stopped');
    const [recording] = await s.agent.client.recordings.list(s.case.code);
    expect(recording).toMatchObject({ finished: false });
    expect(recording?.sizeBytes).toBeGreaterThan(0);
    expect(pageErrors(s.agentPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});

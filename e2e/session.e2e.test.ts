import type { CaseType } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { newScene, pageErrors, paintedPixels, screenshot, signIn, useE2e, videoPlaying } from './harness.js';

const env = useE2e();

const what = (type: CaseType) => (type === 'ar' ? 'camera' : 'screen');

describe.each(['remote_control', 'ar'] as const)('a live %s session in the browser', (type) => {
  it('runs from the invitation link through consent to video, drawing and chat, until the agent closes the case', async () => {
    const { t, browser } = env;
    const s = await newScene(t, browser, type, {
      waitingMessage: 'Please keep your device switched on.',
      customerViewport: type === 'ar' ? { width: 390, height: 844 } : undefined,
    });

    // The customer arrives first and waits.
    await s.customerPage.goto(s.case.links.customer);
    await expect
      .poll(() => s.customerPage.getByRole('heading', { name: s.case.name }).isVisible())
      .toBe(true);
    await screenshot(s.customerPage, `${type}-1-customer-join`);
    await s.customerPage.getByRole('button', { name: 'Join in browser' }).click();
    await s.customerPage.getByRole('heading', { name: 'Waiting for your support agent…' }).waitFor();
    await s.customerPage.getByText('Please keep your device switched on.').waitFor();
    await screenshot(s.customerPage, `${type}-2-waiting-room`);
    await expect.poll(async () => (await s.agent.client.cases.get(s.case.code)).status).toBe('pending');

    // The agent opens the agent link and joins at once.
    await signIn(s.agentPage, t.baseUrl, s.agent.email, `/session/${s.case.code}`);
    await s.agentPage.getByText('Waiting for Cleo Customer to allow access').waitFor();

    // In AR the agent calls the customer's phone: the prompt is a call screen.
    const prompt = s.customerPage.getByRole('heading', {
      name:
        type === 'ar'
          ? 'Alex Agent from Acme Support is calling'
          : `Allow Alex Agent from Acme Support to see your ${what(type)}?`,
    });
    await prompt.waitFor();
    await screenshot(s.customerPage, `${type}-3-consent`);
    // Nothing reaches the agent before "Allow".
    expect(
      await s.agentPage.getByLabel(`Customer's ${what(type)}`).evaluate((v: HTMLVideoElement) => v.srcObject),
    ).toBe(null);
    expect((await s.agent.client.cases.get(s.case.code)).status).toBe('in_progress');

    await s.customerPage.getByRole('button', { name: type === 'ar' ? 'Accept' : 'Allow' }).click();
    await s.customerPage.getByRole('status', { name: 'Session active' }).waitFor();
    await expect
      .poll(() => videoPlaying(s.agentPage, `Customer's ${what(type)}`), { timeout: 15_000 })
      .toBe(true);

    // The agent draws an arrow; the customer sees it in place.
    await s.agentPage.getByText('Arrow', { exact: true }).click();
    const surface = s.agentPage.getByTestId('annotation-layer');
    const box = await surface.boundingBox();
    if (!box) throw new Error('no drawing surface');
    await s.agentPage.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await s.agentPage.mouse.down();
    await s.agentPage.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
    await s.agentPage.mouse.up();
    await expect.poll(() => paintedPixels(s.customerPage)).toBeGreaterThan(100);

    // Chat both ways.
    await s.agentPage
      .getByRole('textbox', { name: 'Message' })
      .fill('I can see it. Click the red button, please.');
    await s.agentPage.getByRole('button', { name: 'Send' }).click();
    await s.customerPage.getByText('I can see it. Click the red button, please.').waitFor();
    await s.customerPage.getByRole('textbox', { name: 'Message' }).fill('Done!');
    await s.customerPage.getByRole('button', { name: 'Send' }).click();
    await s.agentPage.getByText('Done!').waitFor();

    if (type === 'ar') {
      // Freeze frame: both pictures hold still for precise drawing.
      await s.agentPage.getByRole('button', { name: 'Freeze frame' }).click();
      await s.customerPage.getByText('Your agent froze the picture to draw on it').waitFor();
      await s.agentPage.getByRole('button', { name: 'Unfreeze' }).waitFor();
      // The audio call: each side receives the other's voice.
      await expect
        .poll(() =>
          s.agentPage
            .getByLabel("Customer's camera")
            .evaluate(
              (v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getAudioTracks().length ?? 0,
            ),
        )
        .toBe(1);
      await expect
        .poll(() =>
          s.customerPage
            .getByLabel("Your agent's voice")
            .evaluate(
              (a: HTMLAudioElement) => (a.srcObject as MediaStream | null)?.getAudioTracks().length ?? 0,
            ),
        )
        .toBe(1);
    }
    await screenshot(s.agentPage, `${type}-4-agent-client`);
    await screenshot(s.customerPage, `${type}-5-customer-sharing`);

    // Closing the case ends the customer's session at once.
    await s.agentPage.getByRole('button', { name: 'Close case' }).click();
    await s.agentPage.getByRole('dialog').getByRole('button', { name: 'Close case' }).click();
    await s.customerPage.getByRole('heading', { name: 'This support session has ended' }).waitFor();
    await s.agentPage.getByRole('heading', { name: 'Case closed' }).waitFor();
    await screenshot(s.customerPage, `${type}-6-ended`);
    expect((await s.agent.client.cases.get(s.case.code)).status).toBe('closed');

    expect(pageErrors(s.agentPage)).toEqual([]);
    expect(pageErrors(s.customerPage)).toEqual([]);
    await Promise.all(s.contexts.map((c) => c.close()));
  });
});

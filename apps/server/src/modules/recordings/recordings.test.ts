import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endpoints } from '@lifeline/contracts';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestOrg, type TestServer } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';

const DAY = 86_400_000;
const webm = 'video/webm;codecs=vp8,opus';
const bytes = (text: string) => new TextEncoder().encode(text);

/** An organisation that records, an agent and an open case of theirs. */
async function recordingScene(t: TestServer) {
  const org = await t.newOrg();
  await org.admin.recordings.updateSettings({ enabled: true });
  const agent = await t.newAgent(org, 'Alex Agent');
  const created = await agent.client.cases.create({ name: 'Printer offline' });
  return { org, agent, created };
}

const eventTypes = async (org: TestOrg, code: string) =>
  (await org.admin.cases.events(code, { limit: 200 })).items.map((e) => e.type);

describe('recordings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-recordings-test-'));
  const stored = (orgId: string, id: string) => path.join(dir, orgId, `${id}.webm`);

  describeEachDatabase(
    'recordings',
    (t) => {
      describe('settings', () => {
        it('are off with the deployment’s retention until an admin changes them; agents only read them', async () => {
          const org = await t.newOrg();
          const agent = await t.newAgent(org);
          expect(await agent.client.recordings.settings()).toEqual({ enabled: false, retentionDays: 30 });
          expect((await apiError(agent.client.recordings.updateSettings({ enabled: true }))).status).toBe(
            403,
          );
          expect(await org.admin.recordings.updateSettings({ enabled: true, retentionDays: 7 })).toEqual({
            enabled: true,
            retentionDays: 7,
          });
          expect(await agent.client.recordings.settings()).toEqual({ enabled: true, retentionDays: 7 });
          // Another organisation is untouched.
          expect(await (await t.newOrg('Other')).admin.recordings.settings()).toMatchObject({
            enabled: false,
          });
        });

        it('refuse a retention out of range and unknown fields, changing nothing', async () => {
          const org = await t.newOrg();
          for (const body of [
            { retentionDays: 0 },
            { retentionDays: 1.5 },
            { enabled: true, keep: 'forever' },
          ]) {
            const err = await apiError(org.admin.recordings.updateSettings(body as never));
            expect(err.status).toBe(400);
          }
          expect(await org.admin.recordings.settings()).toEqual({ enabled: false, retentionDays: 30 });
        });

        it('tell the customer’s join page whether the session is recorded', async () => {
          const org = await t.newOrg();
          const created = await org.admin.cases.create({ name: 'Wi-Fi drops' });
          const token = created.links.customer.split('/j/')[1] ?? '';
          expect(await t.client().join.byToken(token)).toMatchObject({ recorded: false });
          await org.admin.recordings.updateSettings({ enabled: true });
          expect(await t.client().join.byToken(token)).toMatchObject({ recorded: true });
          // The session socket's welcome says so too (the desktop helper reads it there).
          const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${token}`));
          expect(await customer.next('welcome')).toMatchObject({ session: { recorded: true } });
          await customer.close();
        });
      });

      describe('writing', () => {
        it('starts, appends chunks in order and finishes; the file is the chunks one after another', async () => {
          const { org, agent, created } = await recordingScene(t);
          const started = await agent.client.recordings.start(created.code, { mediaType: webm });
          expect(started).toMatchObject({
            agent: { id: agent.id, name: 'Alex Agent' },
            mediaType: webm,
            finished: false,
            sizeBytes: 0,
            url: `http://lifeline.test/cases/${created.code}#recording-${started.id}`,
          });
          await agent.client.recordings.chunk(created.code, started.id, 0, bytes('first-'));
          t.clock.advance(2000);
          await agent.client.recordings.chunk(created.code, started.id, 1, bytes('second-'));
          t.clock.advance(2000);
          const third = await agent.client.recordings.chunk(created.code, started.id, 2, bytes('third'));
          expect(third).toMatchObject({ sizeBytes: 18, durationSeconds: 4, finished: false });
          // Written as it goes: a crash now keeps everything up to the last chunk.
          expect(fs.readFileSync(stored(org.orgId, started.id), 'utf8')).toBe('first-second-third');

          t.clock.advance(1000);
          const finished = await agent.client.recordings.finish(created.code, started.id);
          expect(finished).toMatchObject({ finished: true, durationSeconds: 5, sizeBytes: 18 });
          // Finishing again answers the same.
          expect(await agent.client.recordings.finish(created.code, started.id)).toEqual(finished);
          expect(await org.admin.recordings.list(created.code)).toEqual([finished]);
          expect(await eventTypes(org, created.code)).toContain('recording.started');
        });

        it('refuses chunks out of order, empty or after the finish with a 4xx, storing nothing', async () => {
          const { org, agent, created } = await recordingScene(t);
          const { id } = await agent.client.recordings.start(created.code, { mediaType: webm });
          await agent.client.recordings.chunk(created.code, id, 0, bytes('aaa'));

          const skipped = await apiError(agent.client.recordings.chunk(created.code, id, 2, bytes('ccc')));
          expect([skipped.status, skipped.code]).toEqual([409, 'chunk_out_of_order']);
          const empty = await apiError(agent.client.recordings.chunk(created.code, id, 1, new Uint8Array()));
          expect([empty.status, empty.code]).toEqual([400, 'empty_chunk']);
          const { token } = await agent.client.tokens.create({ name: 'raw', scopes: ['cases:write'] });
          const notANumber = await t.fetch(`/api/v1/cases/${created.code}/recordings/${id}/chunks/one`, {
            method: 'PUT',
            headers: { 'content-type': 'video/webm', authorization: `Bearer ${token}` },
            body: 'x',
          });
          expect(notANumber.status).toBe(400);
          // A retry of the last chunk is answered as it stands, not appended twice.
          const retried = await agent.client.recordings.chunk(created.code, id, 0, bytes('aaa'));
          expect(retried.sizeBytes).toBe(3);
          const json = await apiError(
            agent.client.call(endpoints.recordings.chunk, {
              params: { code: created.code, id, seq: 1 },
              upload: { body: bytes('{}'), contentType: 'application/json' },
            }),
          );
          expect(json.status).toBe(415);

          await agent.client.recordings.finish(created.code, id);
          const late = await apiError(agent.client.recordings.chunk(created.code, id, 1, bytes('bbb')));
          expect([late.status, late.code]).toEqual([409, 'recording_finished']);
          expect(fs.readFileSync(stored(org.orgId, id), 'utf8')).toBe('aaa');
          expect(await org.admin.recordings.list(created.code)).toMatchObject([{ sizeBytes: 3 }]);
        });

        it('takes chunks only from the agent who started it, and only in the organisation of the case', async () => {
          const { org, agent, created } = await recordingScene(t);
          const { id } = await agent.client.recordings.start(created.code, { mediaType: webm });
          const colleague = await t.newAgent(org, 'Colleague');
          const refused = await apiError(colleague.client.recordings.chunk(created.code, id, 0, bytes('x')));
          expect([refused.status, refused.code]).toEqual([403, 'not_allowed']);
          expect((await apiError(colleague.client.recordings.finish(created.code, id))).status).toBe(403);
          const outsider = await t.newOrg('Other');
          await outsider.admin.recordings.updateSettings({ enabled: true });
          expect((await apiError(outsider.admin.recordings.list(created.code))).status).toBe(404);
          expect(
            (await apiError(outsider.admin.recordings.start(created.code, { mediaType: webm }))).status,
          ).toBe(404);
          const reader = await t.tokenClient(agent.client, ['cases:read']);
          expect((await apiError(reader.recordings.start(created.code, { mediaType: webm }))).status).toBe(
            403,
          );
          expect(await org.admin.recordings.list(created.code)).toMatchObject([{ sizeBytes: 0 }]);
        });

        it('does not start when the organisation does not record, nor on an ended case, nor for another type', async () => {
          const org = await t.newOrg();
          const created = await org.admin.cases.create({ name: 'Not recorded' });
          const off = await apiError(org.admin.recordings.start(created.code, { mediaType: webm }));
          expect([off.status, off.code]).toEqual([409, 'recording_disabled']);
          await org.admin.recordings.updateSettings({ enabled: true });
          const mp4 = await apiError(org.admin.recordings.start(created.code, { mediaType: 'video/mp4' }));
          expect(mp4.status).toBe(400);
          await org.admin.cases.close(created.code);
          const ended = await apiError(org.admin.recordings.start(created.code, { mediaType: webm }));
          expect([ended.status, ended.code]).toEqual([409, 'case_ended']);
          expect(await org.admin.recordings.list(created.code)).toEqual([]);
        });

        it('keeps the last chunks that arrive after the case closed, and lists the recording in the outcome', async () => {
          const { org, agent, created } = await recordingScene(t);
          const { id } = await agent.client.recordings.start(created.code, { mediaType: webm });
          await agent.client.recordings.chunk(created.code, id, 0, bytes('before'));
          const closed = await agent.client.cases.close(created.code, { note: 'Fixed.' });
          expect(closed.outcome?.recordings).toMatchObject([{ id, sizeBytes: 6 }]);
          const closing = (await org.admin.cases.events(created.code, { limit: 50 })).items.find(
            (e) => e.type === 'case.closed',
          );
          expect(closing?.data).toMatchObject({ outcome: { recordings: [{ id }] } });
          await agent.client.recordings.chunk(created.code, id, 1, bytes('-after'));
          await agent.client.recordings.finish(created.code, id);
          expect((await org.admin.cases.get(created.code)).outcome?.recordings).toMatchObject([
            { id, sizeBytes: 12, finished: true },
          ]);
        });
      });

      describe('playing and downloading', () => {
        async function recorded() {
          const scene = await recordingScene(t);
          const { id } = await scene.agent.client.recordings.start(scene.created.code, { mediaType: webm });
          await scene.agent.client.recordings.chunk(scene.created.code, id, 0, bytes('0123456789'));
          await scene.agent.client.recordings.finish(scene.created.code, id);
          return { ...scene, id, media: `/api/v1/cases/${scene.created.code}/recordings/${id}/media` };
        }

        it('streams to any agent of the organisation, answering ranges; one viewing is one audit entry', async () => {
          const { org, created, media } = await recorded();
          const colleague = await t.newAgent(org, 'Colleague');
          const cookie = colleague.client.sessionCookie() ?? '';
          const whole = await t.fetch(media, { headers: { cookie } });
          expect(whole.status).toBe(200);
          expect(whole.headers.get('content-type')).toBe('video/webm');
          expect(whole.headers.get('accept-ranges')).toBe('bytes');
          expect(await whole.text()).toBe('0123456789');

          const part = await t.fetch(media, { headers: { cookie, range: 'bytes=2-5' } });
          expect(part.status).toBe(206);
          expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
          expect(await part.text()).toBe('2345');
          const tail = await t.fetch(media, { headers: { cookie, range: 'bytes=-3' } });
          expect([tail.status, await tail.text()]).toEqual([206, '789']);
          const open = await t.fetch(media, { headers: { cookie, range: 'bytes=0-' } });
          expect([open.status, await open.text()]).toEqual([206, '0123456789']);
          const past = await t.fetch(media, { headers: { cookie, range: 'bytes=10-' } });
          expect([past.status, past.headers.get('content-range')]).toEqual([416, 'bytes */10']);

          // The player's several requests from the start are one viewing; a later one is another.
          const viewed = async () =>
            (await org.admin.cases.events(created.code, { limit: 200 })).items.filter(
              (e) => e.type === 'recording.viewed',
            );
          expect(await viewed()).toMatchObject([{ actor: { name: 'Colleague' } }]);
          t.clock.advance(60_000);
          await (await t.fetch(media, { headers: { cookie } })).arrayBuffer();
          expect(await viewed()).toHaveLength(2);
          expect((await t.fetch(media)).status).toBe(401);
        });

        it('downloads for admins only, as an attachment, each download in the audit trail', async () => {
          const { org, agent, created, id } = await recorded();
          const refused = await apiError(agent.client.recordings.download(created.code, id));
          expect([refused.status, refused.code]).toEqual([403, 'not_allowed']);
          const res = await t.fetch(`/api/v1/cases/${created.code}/recordings/${id}/download`, {
            headers: { cookie: org.admin.sessionCookie() ?? '' },
          });
          expect(res.status).toBe(200);
          expect(res.headers.get('content-disposition')).toBe(`attachment; filename="recording-${id}.webm"`);
          expect(await res.text()).toBe('0123456789');
          const events = await eventTypes(org, created.code);
          expect(events.filter((e) => e === 'recording.downloaded')).toHaveLength(1);
          const outsider = await t.newOrg('Other');
          expect((await apiError(outsider.admin.recordings.download(created.code, id))).status).toBe(404);
        });
      });

      describe('retention', () => {
        it('deletes recordings older than the organisation’s retention, file and row, in the audit trail', async () => {
          const scene = await recordingScene(t);
          const { created } = scene;
          // Days pass: sign-in sessions would lapse, tokens do not.
          const org = {
            ...scene.org,
            admin: await t.tokenClient(scene.org.admin, ['cases:read', 'cases:write', 'admin']),
          };
          const agent = { client: await t.tokenClient(scene.agent.client) };
          await org.admin.recordings.updateSettings({ retentionDays: 2 });
          const old = await agent.client.recordings.start(created.code, { mediaType: webm });
          await agent.client.recordings.chunk(created.code, old.id, 0, bytes('old'));
          t.clock.advance(1 * DAY);
          // The first case has expired by now (a day): the next recording is of a case of the next day.
          const next = await agent.client.cases.create({ name: 'Printer offline again' });
          const recent = await agent.client.recordings.start(next.code, { mediaType: webm });
          await agent.client.recordings.chunk(next.code, recent.id, 0, bytes('recent'));
          // Another organisation keeps the default 30 days.
          const other = await recordingScene(t);
          const otherAdmin = await t.tokenClient(other.org.admin);
          const kept = await other.agent.client.recordings.start(other.created.code, { mediaType: webm });

          t.clock.advance(1 * DAY - 1);
          await t.app.services.recordings.sweep();
          expect(await org.admin.recordings.list(created.code)).toHaveLength(1);

          t.clock.advance(1);
          await t.app.services.recordings.sweep();
          expect(await org.admin.recordings.list(created.code)).toEqual([]);
          expect((await org.admin.recordings.list(next.code)).map((r) => r.id)).toEqual([recent.id]);
          expect(fs.existsSync(stored(org.orgId, old.id))).toBe(false);
          expect(fs.existsSync(stored(org.orgId, recent.id))).toBe(true);
          const deleted = (await org.admin.cases.events(created.code, { limit: 200 })).items.filter(
            (e) => e.type === 'recording.deleted',
          );
          expect(deleted).toMatchObject([
            { actor: { type: 'system' }, data: { recordingId: old.id, retentionDays: 2 } },
          ]);
          const media = org.admin.call(endpoints.recordings.media, {
            params: { code: created.code, id: old.id },
          });
          expect((await apiError(media)).status).toBe(404);
          expect(await otherAdmin.recordings.list(other.created.code)).toMatchObject([{ id: kept.id }]);

          // A second sweep finds nothing more to do.
          await t.app.services.recordings.sweep();
          expect((await eventTypes(org, created.code)).filter((e) => e === 'recording.deleted')).toHaveLength(
            1,
          );
        });

        it('removes the recordings of a deleted case', async () => {
          const { org, agent, created } = await recordingScene(t);
          const { id } = await agent.client.recordings.start(created.code, { mediaType: webm });
          await agent.client.recordings.chunk(created.code, id, 0, bytes('gone soon'));
          await org.admin.cases.delete(created.code);
          await expect.poll(() => fs.existsSync(stored(org.orgId, id))).toBe(false);
          const left = await t.db.selectFrom('recordings').select('id').where('id', '=', id).execute();
          expect(left).toEqual([]);
        });
      });
    },
    { config: { recordings: { dir, retentionDays: 30 } } },
  );
});

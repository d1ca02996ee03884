import { endpoints } from '@lifeline/contracts';
import type { FastifyReply } from 'fastify';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { RecordingMedia, RecordingsService } from './recordings.service.js';

/** Nothing in a recording is run or reinterpreted, and no shared cache keeps one. */
function sendMedia(reply: FastifyReply, media: RecordingMedia, attachment: boolean) {
  reply.headers({
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  });
  if (attachment) reply.header('content-disposition', `attachment; filename="${media.filename}"`);
  if (media.range) {
    const { start, end } = media.range;
    reply.code(206).header('content-range', `bytes ${start}-${end}/${media.size}`);
    reply.header('content-length', end - start + 1);
  } else {
    reply.header('content-length', media.size);
  }
  return reply.type(media.mediaType).send(media.size === 0 ? '' : media.open());
}

/** Session recordings: the settings (admins), the agent's browser uploading, staff playing and downloading. */
export function recordingsRoutes(route: Route, recordings: RecordingsService) {
  const api = endpoints.recordings;
  route(api.settings, async (req) => recordings.settings(principalOf(req).orgId));
  route(api.updateSettings, async (req) => recordings.updateSettings(principalOf(req).orgId, req.body));
  route(api.list, async (req) => recordings.list(principalOf(req), req.params.code));
  route(api.start, async (req) => recordings.startRecording(principalOf(req), req.params.code, req.body));
  route(api.chunk, async (req) =>
    recordings.chunk(principalOf(req), req.params.code, req.params.id, req.params.seq, req.body),
  );
  route(api.finish, async (req) => recordings.finish(principalOf(req), req.params.code, req.params.id));
  route(api.media, async (req, reply) =>
    sendMedia(
      reply,
      await recordings.play(principalOf(req), req.params.code, req.params.id, req.headers.range),
      false,
    ),
  );
  route(api.download, async (req, reply) =>
    sendMedia(reply, await recordings.download(principalOf(req), req.params.code, req.params.id), true),
  );
}

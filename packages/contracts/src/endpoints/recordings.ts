import { z } from 'zod';
import { caseParams } from '../cases.js';
import { id } from '../common.js';
import { defineEndpoint } from '../endpoint.js';
import {
  RECORDING_CHUNK_MAX_BYTES,
  recordingSchema,
  recordingSettingsSchema,
  startRecordingRequest,
  updateRecordingSettingsRequest,
} from '../recordings.js';

const tags = ['Recordings'];
const recordingParams = caseParams.extend({ id });
const chunkParams = recordingParams.extend({ seq: z.coerce.number().int().min(0).max(1_000_000) });
const webm = { mediaTypes: ['video/webm'], description: 'The recording (WebM).' };

export const recordings = {
  settings: defineEndpoint({
    method: 'GET',
    path: '/api/v1/settings/recording',
    operationId: 'getRecordingSettings',
    summary: 'Whether sessions are recorded, and for how long recordings are kept',
    description: 'Any signed-in caller of the organisation; only admins change it.',
    tags,
    access: 'signedIn',
    responses: { 200: recordingSettingsSchema },
    problems: [],
  }),
  updateSettings: defineEndpoint({
    method: 'PATCH',
    path: '/api/v1/settings/recording',
    operationId: 'updateRecordingSettings',
    summary: 'Turn session recording on or off, or change the retention',
    description:
      'Admins only. With recording on, the customer’s consent prompt says the session is recorded and the agent’s browser records what the agent sees. A shorter retention applies at the next sweep.',
    tags,
    access: 'admin',
    body: updateRecordingSettingsRequest,
    responses: { 200: recordingSettingsSchema },
    problems: [],
  }),
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/cases/{code}/recordings',
    operationId: 'listCaseRecordings',
    summary: 'A service case’s recordings, oldest first',
    description: 'Every agent of the organisation who may see the case sees its recordings.',
    tags,
    access: 'cases:read',
    params: caseParams,
    responses: { 200: z.object({ items: z.array(recordingSchema) }) },
    problems: [404],
  }),
  start: defineEndpoint({
    method: 'POST',
    path: '/api/v1/cases/{code}/recordings',
    operationId: 'startRecording',
    summary: 'Start a recording of the session',
    description:
      'Called by the agent’s browser once the customer’s picture arrives. 409 `recording_disabled` when the organisation does not record sessions, 409 `case_ended` for an ended case. Chunks follow with `PUT …/chunks/{seq}`.',
    tags,
    access: 'cases:write',
    params: caseParams,
    body: startRecordingRequest,
    responses: { 201: recordingSchema },
    problems: [404, 409],
  }),
  chunk: defineEndpoint({
    method: 'PUT',
    path: '/api/v1/cases/{code}/recordings/{id}/chunks/{seq}',
    operationId: 'uploadRecordingChunk',
    summary: 'Append the next chunk of a recording',
    description:
      'The body is the chunk as MediaRecorder gave it. Chunks are numbered from 0 and must come in order: sending the last stored chunk again answers it unchanged (a retry), any other number answers 409 `chunk_out_of_order` and stores nothing. Only the agent who started the recording sends its chunks (403); a finished recording answers 409. The case may have ended meanwhile: the last seconds still arrive.',
    tags,
    access: 'cases:write',
    params: chunkParams,
    upload: {
      mediaTypes: ['video/webm', 'application/octet-stream'],
      maxBytes: RECORDING_CHUNK_MAX_BYTES,
      description: 'One chunk of the WebM stream.',
    },
    responses: { 200: recordingSchema },
    problems: [404, 409],
  }),
  finish: defineEndpoint({
    method: 'POST',
    path: '/api/v1/cases/{code}/recordings/{id}/finish',
    operationId: 'finishRecording',
    summary: 'Finish a recording',
    description:
      'After the last chunk. Finishing a finished recording answers it unchanged. A recording never finished (the agent’s browser closed) ends with its last chunk.',
    tags,
    access: 'cases:write',
    params: recordingParams,
    responses: { 200: recordingSchema },
    problems: [404],
  }),
  media: defineEndpoint({
    method: 'GET',
    path: '/api/v1/cases/{code}/recordings/{id}/media',
    operationId: 'playRecording',
    summary: 'Play a recording',
    description:
      'The WebM stream for a player, answering `Range` requests with 206. Every agent who may see the case may play it; each viewing is written to the case’s audit trail (`recording.viewed`).',
    tags,
    access: 'cases:read',
    params: recordingParams,
    responses: { 200: webm },
    problems: [404],
  }),
  download: defineEndpoint({
    method: 'GET',
    path: '/api/v1/cases/{code}/recordings/{id}/download',
    operationId: 'downloadRecording',
    summary: 'Download a recording',
    description:
      'Admins only (403 `not_allowed` for other agents): the whole file as an attachment, written to the case’s audit trail (`recording.downloaded`).',
    tags,
    access: 'cases:read',
    params: recordingParams,
    responses: { 200: { ...webm, description: 'The recording (WebM), as an attachment.' } },
    problems: [404],
  }),
};

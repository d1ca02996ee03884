import { z } from 'zod';
import { id, timestamp } from './common.js';

/** The largest chunk an agent's browser uploads at once (about two seconds of video each). */
export const RECORDING_CHUNK_MAX_BYTES = 16 * 1024 * 1024;
/** How long an organisation may keep recordings: a day to ten years. */
export const RECORDING_RETENTION_MAX_DAYS = 3650;

/**
 * One recording of a session, made by the agent's browser of what the agent
 * saw (and, in AR, heard). It grows chunk by chunk while the session runs.
 */
export const recordingSchema = z
  .object({
    id,
    agent: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
    mediaType: z.string(),
    startedAt: timestamp,
    /** The finish, or while the agent's browser has not finished it (still recording, or gone), the last chunk's arrival. */
    endedAt: timestamp,
    /** False while chunks may still arrive (or the agent's browser went away before finishing). */
    finished: z.boolean(),
    durationSeconds: z.number().int(),
    sizeBytes: z.number().int(),
    /** The case page in the console, where staff play it. */
    url: z.url(),
  })
  .meta({ id: 'Recording' });
export type Recording = z.infer<typeof recordingSchema>;

export const recordingSettingsSchema = z
  .object({
    /** The agent's browser records every session; the customer's consent prompt says so. */
    enabled: z.boolean(),
    /** Recordings are deleted this many days after they started. */
    retentionDays: z.number().int().min(1).max(RECORDING_RETENTION_MAX_DAYS),
  })
  .meta({ id: 'RecordingSettings' });
export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;

export const updateRecordingSettingsRequest = z
  .strictObject({
    enabled: z.boolean().optional(),
    retentionDays: z.number().int().min(1).max(RECORDING_RETENTION_MAX_DAYS).optional(),
  })
  .meta({ id: 'UpdateRecordingSettingsRequest' });
export type UpdateRecordingSettingsRequest = z.input<typeof updateRecordingSettingsRequest>;

export const startRecordingRequest = z
  .strictObject({
    /** What MediaRecorder writes, e.g. `video/webm;codecs=vp8,opus`. */
    mediaType: z
      .string()
      .max(100)
      .regex(/^video\/webm(;[ a-z0-9=,.]*)?$/i, 'must be a video/webm type'),
  })
  .meta({ id: 'StartRecordingRequest' });
export type StartRecordingRequest = z.input<typeof startRecordingRequest>;

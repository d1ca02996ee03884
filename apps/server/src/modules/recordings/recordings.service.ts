import type { Readable } from 'node:stream';
import type {
  Actor,
  CaseEventType,
  Recording,
  RecordingSettings,
  startRecordingRequest,
  updateRecordingSettingsRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import type { CaseRow, RecordingRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../lib/errors.js';
import { LruMap } from '../../lib/lru.js';
import { Poller } from '../../lib/poller.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { caseEvent } from '../cases/case-events.js';
import type { CaseLedger } from '../cases/case-ledger.js';
import { effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import { byteRange } from './byte-range.js';
import type { RecordingStore } from './recording-store.js';
import { RecordingsRepository } from './recordings.repository.js';

const DAY_MS = 86_400_000;
const SWEEP_BATCH = 200;
/** A player asks for the start of a file more than once while it loads: that is still one viewing. */
const VIEW_WINDOW_MS = 60_000;

export interface RecordingMedia {
  /** Opened only when sent: an empty recording has no file yet. */
  open(): Readable;
  mediaType: string;
  size: number;
  /** Set when a `Range` asked for part of it (206). */
  range: { start: number; end: number } | undefined;
  filename: string;
}

const SYSTEM: Actor = { type: 'system', id: null, name: null };
const keyOf = (r: Pick<RecordingRow, 'org_id' | 'id'>) => `${r.org_id}/${r.id}.webm`;

/**
 * Session recordings: the agent's browser starts one, uploads it chunk by
 * chunk while the session runs and finishes it; staff play it back (and
 * admins download it), each of which the case's audit trail records; a
 * sweep deletes what is older than the organisation's retention.
 */
export class RecordingsService {
  private readonly repo: RecordingsRepository;
  private readonly poller: Poller;
  /** When each user last started viewing each recording, to write one `recording.viewed` per viewing. */
  private readonly views = new LruMap<string, number>(10_000);
  /** Chunks of one recording are written one after the other in this process (a retry may overlap its original). */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: Deps,
    private readonly cases: CasesService,
    private readonly ledger: CaseLedger,
    private readonly store: RecordingStore,
  ) {
    this.repo = new RecordingsRepository(deps.database.db);
    this.poller = new Poller('recording retention sweep', deps.config.sweepIntervalMs, deps.logger, () =>
      this.sweep(),
    );
    // A deleted case takes its recordings with it; the sweep catches any this misses (a crash in between).
    ledger.events.on('case.ended', (e) => {
      if (e.reason !== 'deleted') return;
      void this.repo
        .ofCase(e.caseId)
        .then((rows) => this.remove(rows, undefined))
        .catch((err: unknown) =>
          deps.logger.error({ err }, 'removing the recordings of a deleted case failed'),
        );
    });
  }

  private present(row: RecordingRow, code: string): Recording {
    const ended = row.finished_at ?? row.updated_at;
    return {
      id: row.id,
      agent: { id: row.agent_id, name: row.agent_name },
      mediaType: row.media_type,
      startedAt: toIso(row.started_at),
      endedAt: toIso(ended),
      finished: row.finished_at !== null,
      durationSeconds: Math.round((ended - row.started_at) / 1000),
      sizeBytes: row.size_bytes,
      url: `${this.deps.config.publicUrl}/cases/${code}#recording-${row.id}`,
    };
  }

  async settings(orgId: string): Promise<RecordingSettings> {
    const row = await this.repo.settings(orgId);
    return {
      enabled: row?.recording_enabled === 1,
      retentionDays: row?.recording_retention_days ?? this.deps.config.recordings.retentionDays,
    };
  }

  async updateSettings(orgId: string, input: z.output<typeof updateRecordingSettingsRequest>) {
    await this.repo.updateSettings(orgId, {
      ...(input.enabled !== undefined ? { recording_enabled: input.enabled ? 1 : 0 } : {}),
      ...(input.retentionDays !== undefined ? { recording_retention_days: input.retentionDays } : {}),
    });
    return this.settings(orgId);
  }

  /** Whether the organisation records its sessions: the customer's consent prompt says so. */
  async records(orgId: string): Promise<boolean> {
    return (await this.settings(orgId)).enabled;
  }

  async list(p: Principal, code: string) {
    const row = await this.cases.findRow(p.orgId, code);
    return { items: await this.ofCase(row) };
  }

  /** For the case's outcome. */
  async ofCase(row: Pick<CaseRow, 'id' | 'code'>): Promise<Recording[]> {
    return (await this.repo.ofCase(row.id)).map((r) => this.present(r, row.code));
  }

  async startRecording(
    p: Principal,
    code: string,
    input: z.output<typeof startRecordingRequest>,
  ): Promise<Recording> {
    const found = await this.cases.findRow(p.orgId, code);
    if (!(await this.records(p.orgId)))
      throw conflict('recording_disabled', 'Your organisation does not record sessions.');
    const now = this.deps.clock.now();
    const row: RecordingRow = {
      id: this.deps.newId(),
      org_id: p.orgId,
      case_id: found.id,
      agent_id: p.userId,
      agent_name: p.userName,
      media_type: input.mediaType,
      started_at: now,
      updated_at: now,
      finished_at: null,
      chunks: 0,
      size_bytes: 0,
    };
    await this.ledger.transact(found.id, async (tx) => {
      if (!tx.row) throw notFound(`Service case ${code}`);
      const status = effectiveStatus(tx.row, now);
      if (isEnded(status))
        throw conflict('case_ended', `Service case ${code} is ${status}; it is not recorded any more.`);
      await this.repo.insert(tx.trx, row);
      tx.append(caseEvent(tx.row, 'recording.started', actorOf(p), { recordingId: row.id }, now));
    });
    return this.present(row, code);
  }

  private async find(p: Principal, code: string, id: string) {
    const found = await this.cases.findRow(p.orgId, code);
    const recording = await this.repo.find(p.orgId, found.id, id);
    if (!recording) throw notFound(`Recording ${id} of ${code}`);
    return { found, recording };
  }

  private async own(p: Principal, code: string, id: string) {
    const { found, recording } = await this.find(p, code, id);
    if (recording.agent_id !== p.userId)
      throw forbidden('not_allowed', 'Only the agent who started a recording adds to it.');
    return { found, recording };
  }

  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.writing.get(id) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(work);
    this.writing.set(id, mine);
    const forget = () => {
      if (this.writing.get(id) === mine) this.writing.delete(id);
    };
    mine.then(forget, forget);
    return mine;
  }

  /** Chunk `seq` of the recording: the next one, or the last one again (a retry, answered unchanged). */
  async chunk(p: Principal, code: string, id: string, seq: number, bytes: unknown): Promise<Recording> {
    // The upload's scope still parses JSON: a chunk sent as JSON arrives here parsed.
    if (!Buffer.isBuffer(bytes))
      throw new AppError(
        415,
        'unsupported_media_type',
        'Unsupported media type',
        'Send the chunk as video/webm.',
      );
    if (bytes.length === 0)
      throw badRequest('empty_chunk', 'A chunk is the bytes MediaRecorder gave, at least one.');
    const { found } = await this.own(p, code, id);
    return this.serially(id, async () => {
      const { recording } = await this.find(p, code, id);
      if (recording.finished_at !== null)
        throw conflict('recording_finished', `Recording ${id} is finished; it takes no more chunks.`);
      if (seq === recording.chunks - 1) return this.present(recording, found.code);
      if (seq !== recording.chunks)
        throw conflict(
          'chunk_out_of_order',
          `Chunk ${recording.chunks} of recording ${id} comes next, not ${seq}.`,
        );
      await this.store.write(keyOf(recording), recording.size_bytes, bytes);
      const now = this.deps.clock.now();
      const size = recording.size_bytes + bytes.length;
      // Another process stored this chunk meanwhile (a retry that reached it): the same bytes at the same offset.
      if (!(await this.repo.advance(id, seq, size, now)))
        throw conflict(
          'chunk_out_of_order',
          `Chunk ${seq} of recording ${id} was stored by another request.`,
        );
      return this.present({ ...recording, chunks: seq + 1, size_bytes: size, updated_at: now }, found.code);
    });
  }

  async finish(p: Principal, code: string, id: string): Promise<Recording> {
    const { found } = await this.own(p, code, id);
    return this.serially(id, async () => {
      await this.repo.finish(id, this.deps.clock.now());
      return this.present((await this.find(p, code, id)).recording, found.code);
    });
  }

  /** The recording for a player; a request from its first byte starts a viewing, written to the audit trail. */
  async play(
    p: Principal,
    code: string,
    id: string,
    rangeHeader: string | undefined,
  ): Promise<RecordingMedia> {
    const { found, recording } = await this.find(p, code, id);
    const range = byteRange(rangeHeader, recording.size_bytes);
    if (!range || range.start === 0) {
      const key = `${p.userId}:${id}`;
      const now = this.deps.clock.now();
      const last = this.views.get(key);
      if (last === undefined || now - last >= VIEW_WINDOW_MS) {
        this.views.set(key, now);
        await this.audit(found.id, 'recording.viewed', actorOf(p), { recordingId: id });
      }
    }
    return this.media(recording, range);
  }

  async download(p: Principal, code: string, id: string): Promise<RecordingMedia> {
    if (p.role !== 'admin') throw forbidden('not_allowed', 'Only admins download recordings.');
    const { found, recording } = await this.find(p, code, id);
    await this.audit(found.id, 'recording.downloaded', actorOf(p), { recordingId: id });
    return this.media(recording, undefined);
  }

  private media(recording: RecordingRow, range: { start: number; end: number } | undefined): RecordingMedia {
    const whole = { start: 0, end: recording.size_bytes - 1 };
    return {
      open: () => this.store.read(keyOf(recording), range ?? whole),
      mediaType: 'video/webm',
      size: recording.size_bytes,
      range,
      filename: `recording-${recording.id}.webm`,
    };
  }

  private async audit(caseId: string, type: CaseEventType, actor: Actor, data: object) {
    await this.ledger.transact(caseId, async (tx) => {
      if (tx.row) tx.append(caseEvent(tx.row, type, actor, data, this.deps.clock.now()));
    });
  }

  /**
   * Deletes the bytes first, then the row with a `recording.deleted` entry in
   * the case's trail when `reason` is given (a deleted case has no trail).
   * The row is what proves a recording exists, so a sweep cut short between
   * the two finds it again and finishes the job.
   */
  private async remove(rows: RecordingRow[], reason: { retentionDays: number } | undefined) {
    for (const row of rows) {
      await this.store.remove(keyOf(row));
      await this.ledger.transact(row.case_id, async (tx) => {
        const removed = await this.repo.remove(tx.trx, row.id);
        // Two processes sweeping at once: only the one that deleted the row writes the entry.
        if (removed && reason && tx.row)
          tx.append(
            caseEvent(
              tx.row,
              'recording.deleted',
              SYSTEM,
              { recordingId: row.id, ...reason },
              this.deps.clock.now(),
            ),
          );
      });
    }
  }

  /** Deletes every recording older than its organisation's retention; returns how many. */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    let total = 0;
    for (const org of await this.repo.organizationsWithRecordings()) {
      const retentionDays = org.recording_retention_days ?? this.deps.config.recordings.retentionDays;
      for (;;) {
        const due = await this.repo.startedBy(org.id, now - retentionDays * DAY_MS, SWEEP_BATCH);
        await this.remove(due, { retentionDays });
        total += due.length;
        if (due.length < SWEEP_BATCH) break;
      }
    }
    for (;;) {
      const orphans = await this.repo.orphans(SWEEP_BATCH);
      await this.remove(orphans, undefined);
      if (orphans.length < SWEEP_BATCH) break;
    }
    return total;
  }

  start() {
    this.poller.start();
  }

  stop() {
    return this.poller.stop();
  }
}

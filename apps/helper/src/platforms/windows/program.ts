import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getAsset } from 'node:sea';
import { decodeQuicksupportTrailer, QUICKSUPPORT_TRAILER_MAX } from '@lifeline/contracts';
import type { Embedded } from '../../config.js';

/**
 * The Windows program is one file: Node's own node.exe with the helper and two
 * assets (ffmpeg.exe and Koffi's native module) injected as a single
 * executable application. Programs are written out once per build, to the
 * user's local application data, where no admin rights are needed.
 */

/** Set by the build (a hash of the assets), so a new build never runs an older build's ffmpeg. */
declare const LIFELINE_BUILD_ID: string;

export function assetDir(env: Record<string, string | undefined>): string {
  return path.join(env.LOCALAPPDATA || os.tmpdir(), 'Lifeline', 'QuickSupport', LIFELINE_BUILD_ID);
}

/** Writes an asset of the program to `dir` unless it is there already (same size), and answers its path. */
export function extractAsset(name: string, dir: string): string {
  const file = path.join(dir, name);
  const data = new Uint8Array(getAsset(name));
  if (fs.existsSync(file) && fs.statSync(file).size === data.length) return file;
  fs.mkdirSync(dir, { recursive: true });
  // Written aside and renamed, so a second QuickSupport started meanwhile never runs half a file.
  const partial = `${file}.${process.pid}.part`;
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, file);
  return file;
}

/** The session (or at least the server) the server appended to this copy of the program when it was downloaded. */
export function readEmbedded(program: string): Embedded | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(program, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, QUICKSUPPORT_TRAILER_MAX);
    const tail = Buffer.alloc(length);
    fs.readSync(fd, tail, 0, length, size - length);
    return decodeQuicksupportTrailer(tail);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

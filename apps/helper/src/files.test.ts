import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadsDir, type FileChannel, HelperFiles, safeName, saveWithoutOverwrite } from './files.js';

class FakeChannel implements FileChannel {
  readyState = 'open';
  bufferedAmount = 0;
  readonly sent: (string | Buffer)[] = [];
  send(data: string | Buffer) {
    this.sent.push(data);
  }
  messages() {
    return this.sent.filter((d): d is string => typeof d === 'string').map((d) => JSON.parse(d));
  }
  bytes() {
    return Buffer.concat(this.sent.filter((d): d is Buffer => typeof d !== 'string'));
  }
}

let dir: string;
let notices: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-files-'));
  notices = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function link(maxBytes = 1024 * 1024) {
  const files = new HelperFiles({
    folder: dir,
    maxBytes: () => maxBytes,
    onChange: () => {},
    notify: (line) => notices.push(line),
    agent: () => 'Alex Agent',
  });
  const channel = new FakeChannel();
  files.attach(channel);
  return { files, channel };
}

const json = (m: object) => JSON.stringify(m);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const state = (files: HelperFiles, id: string) => files.view().transfers.find((t) => t.id === id);

/** The agent offers `content` as `name`, the person accepts, the bytes arrive. */
async function receive(files: HelperFiles, id: string, name: string, content: Buffer) {
  files.receive(json({ t: 'offer', id, name, size: content.length, type: 'text/plain' }));
  files.accept(id);
  files.receive(json({ t: 'begin', id }));
  files.receive(content.subarray(0, 3));
  files.receive(content.subarray(3));
  files.receive(json({ t: 'end', id }));
  await until(() => state(files, id)?.state === 'done');
  return state(files, id)?.savedAs as string;
}

describe('files from the agent, saved in the Downloads folder', () => {
  it('writes the file while it arrives and confirms it once saved under its name', async () => {
    const { files, channel } = link();
    const saved = await receive(files, 'a', 'report.txt', Buffer.from('hello world'));
    expect(saved).toBe(path.join(dir, 'report.txt'));
    expect(fs.readFileSync(saved, 'utf8')).toBe('hello world');
    expect(channel.messages()).toEqual([
      { t: 'accept', id: 'a' },
      { t: 'received', id: 'a' },
    ]);
    expect(fs.readdirSync(dir)).toEqual(['report.txt']);
    expect(notices).toEqual([`Alex Agent sent you report.txt: saved as ${saved}.`]);
  });

  it('never overwrites: the same name again becomes "name (1).ext", then "name (2).ext"', async () => {
    const { files } = link();
    fs.writeFileSync(path.join(dir, 'report.txt'), 'mine');
    expect(await receive(files, 'a', 'report.txt', Buffer.from('one'))).toBe(
      path.join(dir, 'report (1).txt'),
    );
    expect(await receive(files, 'b', 'report.txt', Buffer.from('two'))).toBe(
      path.join(dir, 'report (2).txt'),
    );
    expect(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8')).toBe('mine');
  });

  it('writes nothing for a declined offer', () => {
    const { files, channel } = link();
    files.receive(json({ t: 'offer', id: 'a', name: 'x.bin', size: 3, type: '' }));
    files.decline('a');
    expect(channel.messages()).toEqual([{ t: 'decline', id: 'a' }]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a file over the size limit before anything is sent', () => {
    const { files, channel } = link(10);
    files.receive(json({ t: 'offer', id: 'a', name: 'big.iso', size: 11, type: '' }));
    expect(state(files, 'a')?.state).toBe('too-large');
    expect(channel.messages()).toEqual([{ t: 'decline', id: 'a', tooLarge: true }]);
    files.accept('a');
    expect(channel.messages()).toHaveLength(1);
  });

  it('deletes the partial file when either side cancels, and when the connection goes', async () => {
    const { files, channel } = link();
    const start = (id: string) => {
      files.receive(json({ t: 'offer', id, name: `${id}.bin`, size: 10, type: '' }));
      files.accept(id);
      files.receive(json({ t: 'begin', id }));
      files.receive(Buffer.from('12345'));
    };
    const parts = () => fs.readdirSync(dir).filter((f) => f.endsWith('.part'));

    start('mine');
    await until(() => parts().length === 1);
    files.cancel('mine');
    expect(channel.messages().at(-1)).toEqual({ t: 'cancel', id: 'mine' });
    await until(() => parts().length === 0);

    start('theirs');
    await until(() => parts().length === 1);
    files.receive(json({ t: 'cancel', id: 'theirs' }));
    expect(state(files, 'theirs')).toMatchObject({ state: 'cancelled', cancelledBy: 'peer' });
    await until(() => parts().length === 0);

    start('lost');
    await until(() => parts().length === 1);
    files.detach();
    expect(state(files, 'lost')?.state).toBe('failed');
    await until(() => parts().length === 0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses more bytes than announced', async () => {
    const { files, channel } = link();
    files.receive(json({ t: 'offer', id: 'a', name: 'a.bin', size: 2, type: '' }));
    files.accept('a');
    files.receive(json({ t: 'begin', id: 'a' }));
    files.receive(Buffer.from('123'));
    expect(state(files, 'a')?.state).toBe('failed');
    expect(channel.messages().at(-1)).toEqual({ t: 'cancel', id: 'a' });
    await until(() => fs.readdirSync(dir).length === 0);
  });

  it('ignores what is not a message of the protocol', () => {
    const { files, channel } = link();
    files.receive('not json');
    files.receive(json({ t: 'offer', id: 'a', name: '', size: 1, type: '' }));
    files.receive(json({ t: 'offer', id: 'a', name: 'a', size: -1, type: '' }));
    files.receive(json({ t: 'format-disk', id: 'a' }));
    expect(files.view().transfers).toEqual([]);
    expect(channel.sent).toEqual([]);
  });
});

describe('files to the agent', () => {
  it('answers a request with the file the person names, and streams it once accepted', async () => {
    const { files, channel } = link();
    const file = path.join(dir, 'log.txt');
    const content = Buffer.alloc(100_000, 7);
    fs.writeFileSync(file, content);
    files.receive(json({ t: 'request', id: 'r1' }));
    expect(files.view().requests).toEqual(['r1']);
    await files.offer(file, 'r1');
    expect(files.view().requests).toEqual([]);
    const offer = channel.messages()[0];
    expect(offer).toMatchObject({ t: 'offer', name: 'log.txt', size: 100_000, replyTo: 'r1' });
    files.receive(json({ t: 'accept', id: offer.id }));
    await until(() => state(files, offer.id)?.state === 'sent');
    expect(channel.messages().slice(1)).toEqual([
      { t: 'begin', id: offer.id },
      { t: 'end', id: offer.id },
    ]);
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(channel.bytes())).toBe(hash(content));
    files.receive(json({ t: 'received', id: offer.id }));
    expect(state(files, offer.id)?.state).toBe('done');
  });

  it('refuses a missing file, a folder and a file over the limit, sending nothing', async () => {
    const { files, channel } = link(10);
    fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(11));
    await expect(files.offer(path.join(dir, 'nope'))).rejects.toThrow('There is no file');
    await expect(files.offer(dir)).rejects.toThrow('is not a file');
    await expect(files.offer(path.join(dir, 'big.bin'))).rejects.toThrow('files up to 10 B can be sent');
    expect(channel.sent).toEqual([]);
  });

  it('declines a request', () => {
    const { files, channel } = link();
    files.receive(json({ t: 'request', id: 'r1' }));
    files.declineRequest('r1');
    expect(channel.messages()).toEqual([{ t: 'request-declined', id: 'r1' }]);
    expect(files.view().requests).toEqual([]);
  });
});

describe('names and folders', () => {
  it('makes a sent name safe to create', () => {
    expect(safeName('report.pdf')).toBe('report.pdf');
    expect(safeName('../../.bashrc')).toBe('_.._.bashrc');
    expect(safeName('..')).toBe('file');
    expect(safeName('C:\\Windows\\evil.dll')).toBe('C__Windows_evil.dll');
    expect(safeName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(safeName('CON.txt')).toBe('_CON.txt');
    expect(safeName('name. ')).toBe('name');
    expect(safeName(`${'a'.repeat(300)}.pdf`)).toHaveLength(150);
    expect(safeName(`${'a'.repeat(300)}.pdf`).endsWith('.pdf')).toBe(true);
  });

  it('saves next to existing files, also when one appears meanwhile', async () => {
    const partial = path.join(dir, 'x.part');
    fs.writeFileSync(partial, 'new');
    fs.writeFileSync(path.join(dir, 'a.tar.gz'), 'old');
    fs.writeFileSync(path.join(dir, 'a.tar (1).gz'), 'old');
    expect(await saveWithoutOverwrite(partial, dir, 'a.tar.gz')).toBe(path.join(dir, 'a.tar (2).gz'));
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('finds the Downloads folder', () => {
    expect(downloadsDir('/tmp/x', '/home/c/DL', '/home/c')).toBe('/tmp/x');
    expect(downloadsDir(undefined, '$HOME/Téléchargements', '/home/c')).toBe('/home/c/Téléchargements');
    expect(downloadsDir(undefined, undefined, '/home/c')).toBe(path.join('/home/c', 'Downloads'));
    expect(downloadsDir(undefined, undefined, undefined)).toBeUndefined();
  });
});

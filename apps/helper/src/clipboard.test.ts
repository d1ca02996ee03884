import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type ClipboardAdapter, ClipboardError, ClipboardGate, commandClipboard } from './clipboard.js';

function memory(initial = ''): ClipboardAdapter & { text: string } {
  return {
    text: initial,
    async read() {
      return this.text;
    },
    async write(text) {
      this.text = text;
    },
  };
}

describe('the clipboard gate', () => {
  it('reads and fills the clipboard only while control is granted, telling the person each time', async () => {
    const clipboard = memory('on the customer side');
    const notices: string[] = [];
    const gate = new ClipboardGate(clipboard, (l) => notices.push(l));
    const write = gate.parse(JSON.stringify({ type: 'clipboard-write', id: 'w', text: 'from the agent' }));
    const read = gate.parse(JSON.stringify({ type: 'clipboard-read', id: 'r' }));
    if (!write || !read) throw new Error('not parsed');

    expect(await gate.handle(read, 'Alex Agent')).toMatchObject({
      type: 'clipboard-refused',
      reason: 'not-granted',
    });
    expect(await gate.handle(write, 'Alex Agent')).toMatchObject({
      type: 'clipboard-refused',
      reason: 'not-granted',
    });
    expect(clipboard.text).toBe('on the customer side');
    expect(notices).toEqual([]);

    gate.setGranted(true);
    expect(await gate.handle(read, 'Alex Agent')).toEqual({
      type: 'clipboard-text',
      id: 'r',
      text: 'on the customer side',
      truncated: false,
    });
    expect(await gate.handle(write, 'Alex Agent')).toEqual({ type: 'clipboard-written', id: 'w' });
    expect(clipboard.text).toBe('from the agent');
    expect(notices).toEqual([
      'Alex Agent read your clipboard (20 characters).',
      'Alex Agent put text in your clipboard (14 characters).',
    ]);

    gate.setGranted(false);
    expect(await gate.handle(read, 'Alex Agent')).toMatchObject({ reason: 'not-granted' });
  });

  it('leaves input events and anything malformed to remote control', () => {
    const gate = new ClipboardGate(memory(), () => {});
    expect(gate.parse(JSON.stringify({ type: 'move', x: 0.5, y: 0.5 }))).toBeUndefined();
    expect(gate.parse(JSON.stringify({ type: 'clipboard-write', id: 'w' }))).toBeUndefined();
    expect(gate.parse(JSON.stringify({ type: 'clipboard-read', id: 'r', extra: 1 }))).toBeUndefined();
    expect(gate.parse('{"type":"clipboard-read"')).toBeUndefined();
    expect(gate.parse(undefined)).toBeUndefined();
  });

  it('sends the beginning of a very long clipboard, and says why it could not be used', async () => {
    const gate = new ClipboardGate(memory('x'.repeat(60_000)), () => {});
    gate.setGranted(true);
    expect(await gate.handle({ type: 'clipboard-read', id: 'r' }, 'A')).toMatchObject({
      text: 'x'.repeat(50_000),
      truncated: true,
    });
    const broken = new ClipboardGate(
      {
        read: () => Promise.reject(new ClipboardError('unavailable', 'needs xclip')),
        write: () => Promise.reject(new Error('boom')),
      },
      () => {},
    );
    broken.setGranted(true);
    expect(await broken.handle({ type: 'clipboard-read', id: 'r' }, 'A')).toEqual({
      type: 'clipboard-refused',
      id: 'r',
      reason: 'unavailable',
      message: 'needs xclip',
    });
    expect(await broken.handle({ type: 'clipboard-write', id: 'w', text: 'a' }, 'A')).toMatchObject({
      reason: 'failed',
    });
  });

  it('says the X clipboard needs xclip or xsel when neither is installed', async () => {
    const tried: string[] = [];
    const clipboard = commandClipboard(':0', (command) => {
      tried.push(command);
      const child = new EventEmitter();
      setImmediate(() => child.emit('error', Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' })));
      return child as ChildProcess;
    });
    await expect(clipboard.read()).rejects.toThrow('xclip or xsel');
    expect(tried).toEqual(['xclip', 'xsel']);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { type ClipboardAdapter, ClipboardError } from '../../clipboard.js';
import type { KoffiModule } from './input.js';

const CF_UNICODETEXT = 13;
const GMEM_MOVEABLE = 0x2;
/** A message-only window's parent. */
const HWND_MESSAGE = -3;

/**
 * The Windows clipboard as text (CF_UNICODETEXT) through user32 and
 * kernel32, as any program of the signed-in user may use it. Another program
 * may hold the clipboard open for a moment: opening it is tried a few times.
 */
export function win32Clipboard(koffi: KoffiModule): ClipboardAdapter {
  const user32 = koffi.load('user32.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const openClipboard = user32.func('int __stdcall OpenClipboard(void *owner)') as (o: unknown) => number;
  const createWindow = user32.func(
    'void * __stdcall CreateWindowExW(uint32 exStyle, str16 cls, str16 name, uint32 style, int x, int y, int w, int h, intptr_t parent, void *menu, void *instance, void *param)',
  ) as (...args: unknown[]) => unknown;
  const destroyWindow = user32.func('int __stdcall DestroyWindow(void *window)') as (w: unknown) => number;
  const closeClipboard = user32.func('int __stdcall CloseClipboard()') as () => number;
  const emptyClipboard = user32.func('int __stdcall EmptyClipboard()') as () => number;
  const getClipboardData = user32.func('void * __stdcall GetClipboardData(uint32 format)') as (
    f: number,
  ) => unknown;
  const setClipboardData = user32.func('void * __stdcall SetClipboardData(uint32 format, void *mem)') as (
    f: number,
    mem: unknown,
  ) => unknown;
  const globalAlloc = kernel32.func('void * __stdcall GlobalAlloc(uint32 flags, uintptr_t bytes)') as (
    flags: number,
    bytes: number,
  ) => unknown;
  const globalLock = kernel32.func('void * __stdcall GlobalLock(void *mem)') as (mem: unknown) => unknown;
  const globalUnlock = kernel32.func('int __stdcall GlobalUnlock(void *mem)') as (mem: unknown) => number;
  const globalSize = kernel32.func('uintptr_t __stdcall GlobalSize(void *mem)') as (mem: unknown) => number;
  const globalFree = kernel32.func('void * __stdcall GlobalFree(void *mem)') as (mem: unknown) => unknown;

  /** `owner`: a window, without which Windows lets a program empty the clipboard but not fill it. */
  async function opened<T>(use: () => T, owner: unknown = null): Promise<T> {
    for (let attempt = 0; !openClipboard(owner); attempt++) {
      if (attempt === 10) throw new ClipboardError('failed', 'Another program keeps the clipboard open.');
      await sleep(50);
    }
    try {
      return use();
    } finally {
      closeClipboard();
    }
  }

  return {
    read: () =>
      opened(() => {
        const mem = getClipboardData(CF_UNICODETEXT);
        if (!mem) return '';
        const data = globalLock(mem);
        if (!data) return '';
        try {
          const bytes = Buffer.from(koffi.view(data, Number(globalSize(mem))));
          const text = bytes.toString('utf16le');
          const end = text.indexOf('\0');
          return end === -1 ? text : text.slice(0, end);
        } finally {
          globalUnlock(mem);
        }
      }),
    write: async (text) => {
      // A message-only window owns the text only while it is set; once destroyed, Windows keeps
      // the text with no owner, so no other program ever waits for this one to answer a message.
      const owner = createWindow(0, 'STATIC', '', 0, 0, 0, 0, 0, HWND_MESSAGE, null, null, null);
      if (!owner) throw new ClipboardError('failed', 'Windows gave no window to own the clipboard.');
      try {
        await opened(() => {
          const bytes = Buffer.from(`${text}\0`, 'utf16le');
          const mem = globalAlloc(GMEM_MOVEABLE, bytes.length);
          const data = mem && globalLock(mem);
          if (!data) throw new ClipboardError('failed', 'Windows gave no memory for the clipboard.');
          new Uint8Array(koffi.view(data, bytes.length)).set(bytes);
          globalUnlock(mem);
          emptyClipboard();
          // Once set, the memory is the clipboard's; only a refused one is ours to free.
          if (!setClipboardData(CF_UNICODETEXT, mem)) {
            globalFree(mem);
            throw new ClipboardError('failed', 'Windows refused the text for the clipboard.');
          }
        }, owner);
      } finally {
        destroyWindow(owner);
      }
    },
  };
}

import { describe, expect, it } from 'vitest';
import { desktopDir, moduleOf } from './sos.js';

// Fetching and writing the shortcut is tested against the real server in e2e/helper.e2e.test.ts.
describe('the SOS shortcut', () => {
  it('is for a module link, /qs/{slug}, and says so of anything else', () => {
    expect(moduleOf(new URL('https://help.example.com/qs/printers'))).toEqual({
      origin: 'https://help.example.com',
      slug: 'printers',
    });
    expect(moduleOf(new URL('https://help.example.com/qs/printers/?sos=1')).slug).toBe('printers');
    expect(() => moduleOf(new URL('https://help.example.com/j/abc'))).toThrow(
      /not a QuickSupport module link/,
    );
  });

  it('goes to $XDG_DESKTOP_DIR, else ~/Desktop', () => {
    expect(desktopDir('$HOME/Schreibtisch', '/home/cleo')).toBe('/home/cleo/Schreibtisch');
    expect(desktopDir(undefined, '/home/cleo')).toBe('/home/cleo/Desktop');
    expect(() => desktopDir(undefined, undefined)).toThrow(/Cannot find the desktop/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig, UsageError } from './config.js';

const env = { DISPLAY: ':0', HOME: '/home/cleo' };
const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

describe('the helper command line', () => {
  it('takes an invitation link, and finds the server it belongs to, also under a path prefix', () => {
    const c = parseConfig([`https://help.example.com/support/j/${TOKEN}`], env);
    expect(c.mode).toBe('session');
    if (c.mode !== 'session') return;
    expect(c.target).toEqual({
      kind: 'link',
      server: new URL('https://help.example.com/support/'),
      token: TOKEN,
    });
    expect(c.display).toBe(':0');
    expect(c.openBrowser).toBe(true);
  });

  it('takes a session code with the server, with or without dashes', () => {
    const c = parseConfig(['s12345678', '--server', 'http://localhost:8080', '--no-browser'], env);
    if (c.mode !== 'session') throw new Error(`expected a session, got ${c.mode}`);
    expect(c.target).toEqual({
      kind: 'code',
      server: new URL('http://localhost:8080/'),
      code: 's12-345-678',
    });
    expect(c.openBrowser).toBe(false);
  });

  it('explains what is wrong with a bad link, a code without server, or an unknown option', () => {
    expect(() => parseConfig(['https://example.com/x/y'], env)).toThrow(/neither an invitation link/);
    expect(() => parseConfig([`ftp://example.com/j/${TOKEN}`], env)).toThrow(UsageError);
    expect(() => parseConfig(['s12-345-678'], env)).toThrow(/needs --server/);
    expect(() => parseConfig(['--frobnicate'], env)).toThrow(/Unknown option --frobnicate/);
    expect(() => parseConfig(['--server'], env)).toThrow(/--server needs a value/);
    expect(() => parseConfig([], env)).toThrow(/invitation link or session code/);
    expect(() => parseConfig([`https://a.example/j/${TOKEN}`, '--display', 'nonsense'], env)).toThrow(
      /display/,
    );
  });

  it('installs the SOS shortcut from a module link, with the desktop folder from the environment', () => {
    const c = parseConfig(['--install-sos=https://help.example.com/qs/printers'], {
      ...env,
      XDG_DESKTOP_DIR: '/home/cleo/Schreibtisch',
    });
    expect(c.mode).toBe('install-sos');
    if (c.mode !== 'install-sos') return;
    expect(c.sosLink.href).toBe('https://help.example.com/qs/printers');
    expect(c.desktopDir).toBe('/home/cleo/Schreibtisch');
  });

  it('saves received files in Downloads: --downloads, else the XDG folder, else the home folder (USERPROFILE on Windows)', () => {
    const link = 'https://help.example.com/j/AbCdEfGhIjKlMnOpQrSt';
    expect(parseConfig([link, '--downloads', '/tmp/in'], env).downloadDir).toBe('/tmp/in');
    expect(parseConfig([link], { ...env, XDG_DOWNLOAD_DIR: '$HOME/Téléchargements' }).downloadDir).toBe(
      '/home/cleo/Téléchargements',
    );
    expect(parseConfig([link], env).downloadDir).toBe('/home/cleo/Downloads');
    const windows = parseConfig([link], { USERPROFILE: 'C:\\Users\\cleo' }, { platform: 'windows' });
    expect(windows.downloadDir).toMatch(/^C:\\Users\\cleo[\\/]Downloads$/);
  });
});

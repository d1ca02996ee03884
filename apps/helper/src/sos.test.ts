import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopDir, desktopEntry, installSos } from './sos.js';

describe('the SOS shortcut', () => {
  it('is a desktop Link entry that opens the module page marked as SOS', () => {
    const entry = desktopEntry(new URL('https://help.example.com/qs/printers?lang=de'));
    expect(entry).toContain('[Desktop Entry]\n');
    expect(entry).toContain('Type=Link\n');
    expect(entry).toContain('URL=https://help.example.com/qs/printers?lang=de&sos=1\n');
    expect(entry).toContain('Name=SOS – help.example.com support\n');
  });

  it('goes to $XDG_DESKTOP_DIR, else ~/Desktop', () => {
    expect(desktopDir('$HOME/Schreibtisch', '/home/cleo')).toBe('/home/cleo/Schreibtisch');
    expect(desktopDir(undefined, '/home/cleo')).toBe('/home/cleo/Desktop');
    expect(() => desktopDir(undefined, undefined)).toThrow(/Cannot find the desktop/);
  });

  it('is written as an executable file named after the module', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-sos-'));
    try {
      const file = await installSos(
        new URL('https://help.example.com/qs/printers'),
        path.join(dir, 'Desktop'),
      );
      expect(path.basename(file)).toBe('lifeline-sos-printers.desktop');
      expect(fs.readFileSync(file, 'utf8')).toContain('URL=https://help.example.com/qs/printers?sos=1');
      expect(fs.statSync(file).mode & 0o111).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

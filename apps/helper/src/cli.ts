#!/usr/bin/env node
import { main } from './main.js';
import { x11Platform } from './platforms/x11.js';

// The x11 package still calls the deprecated Buffer(); that warning means nothing to the person at the screen.
process.noDeprecation = true;

/** The Linux program's edge: real streams, the real environment, the X11 adapter. */
void main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  platform: 'x11',
  makePlatform: x11Platform,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  },
}).then((code) => process.exit(code));

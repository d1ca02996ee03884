#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { main } from './main.js';

// The x11 package still calls the deprecated Buffer(); that warning means nothing to the person at the screen.
process.noDeprecation = true;

/** The program's edge: real streams, the real environment, xdg-open for the consent page. */
void main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  openBrowser: (command, url) => {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stdout.write(`Open this page in your browser to answer: ${url}\n`));
    child.unref();
  },
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  },
}).then((code) => process.exit(code));

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './cluster-kit.js';

const NGINX = '/usr/sbin/nginx';
const deploy = path.join(REPO, 'deploy/nginx');

/**
 * The example nginx configurations in deploy/ are checked by nginx itself
 * (`nginx -t`), with the paths a real machine would have pointed into a
 * temporary directory. The snippets are also run for real by the cluster test.
 */
describe('deploy/nginx examples', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-nginx-t-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function nginxTest(site: string) {
    fs.writeFileSync(path.join(dir, 'site.conf'), site);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `events {}\nhttp { include ${dir}/site.conf; }\n`);
    return execFileSync(
      NGINX,
      [
        '-t',
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-g',
        `error_log ${dir}/error.log; pid ${dir}/nginx.pid;`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }

  it('accepts the site configuration for two processes on one machine (TLS, snippets, /metrics closed)', () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=support.example.com',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const site = fs
      .readFileSync(path.join(deploy, 'lifeline.conf'), 'utf8')
      .replaceAll('/etc/nginx/lifeline/', `${deploy}/`)
      .replace('/etc/letsencrypt/live/support.example.com/fullchain.pem', path.join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/support.example.com/privkey.pem', path.join(dir, 'key.pem'))
      .replace('/var/log/nginx/lifeline.access.log', path.join(dir, 'access.log'));
    expect(site).toContain('location = /metrics { return 404; }');
    expect(() => nginxTest(site)).not.toThrow();
  });

  it('accepts the compose configuration', () => {
    const site = fs
      .readFileSync(path.join(deploy, 'compose.conf'), 'utf8')
      // The compose service names resolve only inside compose's network.
      .replace('app-a:8080', '127.0.0.1:8081')
      .replace('app-b:8080', '127.0.0.1:8082');
    expect(() => nginxTest(site)).not.toThrow();
  });
});

import net from 'node:net';

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * Addresses that are not a public host on the internet: this machine, private
 * and carrier-grade NAT networks, link-local (cloud metadata at 169.254.169.254),
 * unique-local, multicast, documentation and reserved ranges. IPv4 written as
 * IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 it is; NAT64 and 6to4
 * addresses embed one too and are refused whole.
 */
const internal = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  internal.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  internal.addSubnet(prefix, bits, 'ipv6');

/** An IP address as a URL's hostname spells it: IPv6 in brackets. */
const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** A host name that always means this machine (RFC 6761), whatever DNS says. */
const LOCAL_NAME = /(^|\.)localhost\.?$/i;

/** True for an IP address (v4 or v6) that is not a public internet host. */
export function isInternalAddress(address: string): boolean {
  const ip = bare(address);
  const family = net.isIP(ip);
  if (family === 0) return false;
  return internal.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost`, 127.x.x.x or ::1: a server on this machine, where plain text never crosses a network. */
export function isLoopbackHost(host: string): boolean {
  const ip = bare(host);
  const family = net.isIP(ip);
  if (family === 0) return LOCAL_NAME.test(ip);
  return loopback.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A URL host that names an internal machine without asking DNS: an internal
 * IP literal (the URL parser has already turned `0x7f000001` or `127.1` into
 * `127.0.0.1`) or a `localhost` name. Names that DNS resolves are judged by
 * their addresses when they are used.
 */
export function isInternalHost(host: string): boolean {
  return LOCAL_NAME.test(bare(host)) || isInternalAddress(host);
}

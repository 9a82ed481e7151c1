// Imported first by every hub test (and its child processes): any TCP connection to an
// address other than the loopback interface is refused and recorded, so no test can reach
// the real hub, even by mistake.

import net from 'node:net';

export const blockedConnections: string[] = [];

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const originalConnect = net.Socket.prototype.connect;

function targetOf(args: unknown[]): { host?: string; path?: string } {
  const first = args[0];
  // net.connect() hands socket.connect() its normalized [options, callback] pair.
  if (Array.isArray(first)) return first[0] as { host?: string; path?: string };
  if (typeof first === 'object' && first !== null) return first as { host?: string; path?: string };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost' };
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const { host = 'localhost', path } = targetOf(args);
  if (path === undefined && !LOOPBACK.has(host)) {
    blockedConnections.push(host);
    // Fail the way a refused connection does: asynchronously, through the socket.
    process.nextTick(() => this.destroy(new Error(`test network guard: connection to ${host} refused`)));
    return this;
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

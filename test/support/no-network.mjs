/**
 * Network guard for tests: loaded with `node --import` (and through NODE_OPTIONS in spawned CLI
 * processes) it makes every connection or DNS lookup to a non-loopback host throw, so no test can
 * reach Replicate, or anything else on the internet, by mistake. Plain JS so it runs without tsx.
 */
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

const INSTALLED = Symbol.for('run-pipeline.test-network-guard');

/** True for hosts that stay on this machine: localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped). */
export function isLoopbackHost(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  const name = String(host).toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const ipv4 = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return /^127(?:\.\d{1,3}){3}$/.test(ipv4);
}

/** The error every blocked attempt throws; tests match on its message. */
export function blockedError(host) {
  const error = new Error(`test network guard: blocked connection to ${host}`);
  error.code = 'E_TEST_NETWORK_BLOCKED';
  return error;
}

/** The host a `connect` call targets, or null for IPC (unix socket / named pipe) connections. */
function targetHost(args) {
  // net.connect() hands Socket#connect its already-normalised arguments as an array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    if (typeof first.path === 'string') return null;
    return first.host ?? first.hostname ?? 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null; // a pipe path
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

function guard(host) {
  if (host !== null && !isLoopbackHost(host)) throw blockedError(host);
}

function install() {
  if (globalThis[INSTALLED]) return;
  globalThis[INSTALLED] = true;

  const socketConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(...args) {
    guard(targetHost(args));
    return socketConnect.apply(this, args);
  };

  for (const [module, name] of [
    [net, 'connect'],
    [net, 'createConnection'],
    [tls, 'connect'],
  ]) {
    const original = module[name];
    module[name] = function guardedConnect(...args) {
      guard(targetHost(args));
      return original.apply(this, args);
    };
  }

  const lookup = dns.lookup;
  dns.lookup = function guardedLookup(hostname, options, callback) {
    const done = typeof options === 'function' ? options : callback;
    if (!isLoopbackHost(hostname)) {
      process.nextTick(() => done(blockedError(hostname)));
      return {};
    }
    return lookup.call(this, hostname, options, callback);
  };
  const promisesLookup = dns.promises.lookup;
  dns.promises.lookup = async function guardedPromisesLookup(hostname, options) {
    if (!isLoopbackHost(hostname)) throw blockedError(hostname);
    return promisesLookup.call(this, hostname, options);
  };

  // Make `import { connect } from 'node:net'` and friends see the guarded functions too.
  syncBuiltinESMExports();
}

install();

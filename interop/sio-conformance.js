// Checks a Socket.IO server against the conformance contract
// (shared/peers/node-conformance/README.md) with the official socket.io-client
// 2.5.0: every row of the contract's table and every namespace rule. With
// SIO_CLIENT=4 in the environment it runs socket.io-client 4.8.3 (Engine.IO
// v4, Socket.IO v5) instead, and adds the rows of the 4.x contract
// (shared/peers/node-conformance-v4/README.md): socket ids, auth; a server
// serving both contracts (examples/conformance) passes both runs.
//
// usage: [SIO_CLIENT=4] node sio-conformance.js URL TRANSPORTS [ROW_FILTER]
//   URL         e.g. http://127.0.0.1:3210 (only the origin is used; path /socket.io/)
//   TRANSPORTS  "websocket", "polling" or "polling,websocket" (the default
//               upgrade path; then a check also requires the upgrade to websocket)
//   ROW_FILTER  optional regex; only checks whose name matches it run
//
// Prints "PASS <name>" or "FAIL <name>: <why>" per check, then
// "N passed, M failed"; exits 0 only if every selected check passed
// (1 on any failure, on the overall timeout, or when the filter selects
// nothing; 2 on bad usage). Each check has its own timeout (SIO_CHECK_TIMEOUT_MS,
// default 5000), so a missing reply is a FAIL, not a hang; the whole run has
// SIO_OVERALL_TIMEOUT_MS (default 60000).
//
// Checks run one after another, each on its own sockets (forceNew: true, so
// one Manager / engine connection per socket), which are closed when the check
// ends. Payloads that other clients could see (room names, broadcast messages)
// carry a per-run id; only the `join` check uses the fixed room "r1" from the
// contract, so two runs must not execute `join` against one server at the same time.
'use strict';

const util = require('util');
const V4 = process.env.SIO_CLIENT === '4';
const io = require(V4 ? 'socket.io-client-v4' : 'socket.io-client');

const USAGE = 'usage: node sio-conformance.js URL TRANSPORTS [ROW_FILTER]\n' +
  '  TRANSPORTS: "websocket", "polling" or "polling,websocket"';
const CHECK_TIMEOUT = Number(process.env.SIO_CHECK_TIMEOUT_MS || 5000);
const OVERALL_TIMEOUT = Number(process.env.SIO_OVERALL_TIMEOUT_MS || 60000);
const QUIET_MS = 500; // how long "must not receive" waits

const [urlArg, transportsArg = 'polling,websocket', filterArg] = process.argv.slice(2);
if (!urlArg || ['-h', '--help'].includes(urlArg)) { console.error(USAGE); process.exit(2); }
let base;
try { base = new URL(urlArg).origin; } catch (e) { console.error(`bad URL ${urlArg}: ${e.message}\n${USAGE}`); process.exit(2); }
if (!['websocket', 'polling', 'polling,websocket'].includes(transportsArg)) {
  console.error(`bad TRANSPORTS ${JSON.stringify(transportsArg)}\n${USAGE}`);
  process.exit(2);
}
const transports = transportsArg.split(',');
let filter = null;
if (filterArg !== undefined && filterArg !== '') {
  try { filter = new RegExp(filterArg); } catch (e) { console.error(`bad ROW_FILTER: ${e.message}`); process.exit(2); }
}

const RUN = Math.random().toString(36).slice(2, 10);
const ASDF = Buffer.from('asdfasdf', 'utf8');
const UTF8 = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string'];

// ---------------------------------------------------------------- helpers

class CheckError extends Error {}
function expect(cond, why) { if (!cond) throw new CheckError(why); }
function fmt(v) { return util.inspect(v, { depth: 6, compact: true, breakLength: Infinity, maxStringLength: 200, maxArrayLength: 20 }); }
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// Bytes of a binary value as delivered by the client (Buffer, ArrayBuffer or a
// typed array); null for anything that is not binary (a string is not binary).
function bytes(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return null;
}
function expectBinary(v, want, what) {
  const b = bytes(v);
  expect(b !== null, `${what}: expected binary, got ${typeof v} ${fmt(v)}`);
  expect(b.equals(want), `${what}: expected bytes ${fmt(want)}, got ${fmt(b)}`);
}
function isPlainObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v) && bytes(v) === null; }

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
function expectRecentIso(v, what) {
  expect(typeof v === 'string', `${what}: expected an ISO-8601 string, got ${typeof v} ${fmt(v)}`);
  expect(ISO.test(v), `${what}: not ISO-8601: ${fmt(v)}`);
  const t = Date.parse(v);
  expect(!Number.isNaN(t), `${what}: does not parse as a date: ${fmt(v)}`);
  expect(Math.abs(Date.now() - t) < 60000, `${what}: ${v} is not within a minute of now (${new Date().toISOString()})`);
}
// A 4.x server with connection state recovery (the socket has a _pid)
// appends an offset to every event it sends without an ack request, and
// socket.io-client hands it to the listeners as a last argument: drop it.
function ownArgs(e, args) {
  if (V4 && e && e._pid && args.length && typeof args[args.length - 1] === 'string') return args.slice(0, -1);
  return args;
}

function expectArgs(args, n, what) {
  expect(args.length === n, `${what}: expected ${n} argument(s), got ${args.length}: ${fmt(args)}`);
}

// Every socket ever opened, so that everything can be closed at the end.
const allSockets = new Set();
function closeSocket(s) {
  try { s.close(); } catch (e) { /* already closed */ }
  try { s.io.close(); } catch (e) { /* already closed */ }
  allSockets.delete(s);
}

// Context of one check: its sockets, and what it is still waiting for (for
// the timeout message).
class Ctx {
  constructor() { this.sockets = []; this.pending = new Set(); }

  waiting() { return [...this.pending].map((w) => w.what).join(', '); }

  // A new socket on its own Manager. nsp may carry a query ('/abc?b=c').
  open(nsp = '/', opts = {}) {
    const s = io(base + nsp, Object.assign({
      forceNew: true, transports, reconnection: false, timeout: CHECK_TIMEOUT,
    }, opts));
    this.sockets.push(s);
    allSockets.add(s);
    return s;
  }

  // Resolves once s is connected; rejects on a connection error or a
  // namespace ERROR (4.x: connect_error).
  connected(s, what = `connect to ${s.nsp}`) {
    if (s.connected) return Promise.resolve(s);
    return this.wait(what, (resolve, reject) => {
      const off = [];
      const on = (ev, fn) => { s.on(ev, fn); off.push(() => s.off(ev, fn)); };
      const done = (f) => (...a) => { off.forEach((o) => o()); f(...a); };
      on('connect', done(() => resolve(s)));
      on('error', done((e) => reject(new CheckError(`${what}: got 'error' ${fmt(e)}`))));
      on('connect_error', done((e) => reject(new CheckError(`${what}: connect_error ${e && e.message ? e.message : fmt(e)}`))));
      on('connect_timeout', done(() => reject(new CheckError(`${what}: connect_timeout`))));
      on('disconnect', done((r) => reject(new CheckError(`${what}: disconnected (${r})`))));
    });
  }

  async connect(nsp, opts) { return this.connected(this.open(nsp, opts)); }

  // Resolves with the arguments of the next `ev` on emitter e (a socket, a
  // Manager or an engine) whose arguments satisfy pred.
  once(e, ev, pred = () => true) {
    return this.wait(`'${ev}'`, (resolve) => {
      const fn = (...all) => { const args = ownArgs(e, all); if (pred(...args)) { e.off(ev, fn); resolve(args); } };
      e.on(ev, fn);
    });
  }

  // Collects the argument lists of every `ev` on s from now on.
  collect(s, ev, pred = () => true) {
    const got = [];
    s.on(ev, (...all) => { const args = ownArgs(s, all); if (pred(...args)) got.push(args); });
    return got;
  }

  // Emits ev with args and resolves with the arguments of the ack.
  emitAck(s, ev, ...args) {
    return this.wait(`the ack of '${ev}'`, (resolve) => s.emit(ev, ...args, (...ack) => resolve(ack)));
  }

  wait(what, executor) {
    const p = new Promise(executor);
    const w = { what };
    this.pending.add(w);
    const clear = () => { this.pending.delete(w); };
    p.then(clear, clear);
    return p;
  }

  close() { this.sockets.forEach(closeSocket); }
}

// ---------------------------------------------------------------- checks

const checks = [];
function check(name, fn) { checks.push({ name, fn }); }

// Transport: what the connection ended up on.
if (transportsArg === 'polling,websocket') {
  check('upgrade to websocket', async (c) => {
    const s = c.open('/');
    const up = c.once(s.io.engine, 'upgrade');
    await c.connected(s);
    const [t] = await up;
    const name = s.io.engine.transport.name;
    expect(name === 'websocket', `after 'upgrade' (${t && t.name}) the transport is ${name}`);
    const hi = c.once(s, 'hi');
    s.emit('hi');
    await hi;
    expect(s.io.engine.transport.name === 'websocket', `transport went back to ${s.io.engine.transport.name}`);
  });
} else {
  check(`transport ${transportsArg}`, async (c) => {
    const s = await c.connect('/');
    const hi = c.once(s, 'hi');
    s.emit('hi');
    await hi;
    const name = s.io.engine.transport.name;
    expect(name === transportsArg, `transport is ${name}`);
  });
}

check('hi', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'hi');
  s.emit('hi');
  expectArgs(await p, 0, 'hi');
});

check('ack', async (c) => {
  const s = await c.connect('/');
  const ask = c.once(s, 'ack');
  const got = c.once(s, 'got it');
  s.emit('ack');
  const args = await ask;
  expect(args.length === 1 && typeof args[0] === 'function',
    `'ack' should carry only an ack request, got ${fmt(args)}`);
  args[0](5, { test: true });
  expectArgs(await got, 0, 'got it');
});

check('getAckDate', async (c) => {
  const s = await c.connect('/');
  const ack = await c.emitAck(s, 'getAckDate', { test: true });
  expectArgs(ack, 1, 'ack');
  expectRecentIso(ack[0], 'ack');
});

check('getDate', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'takeDate');
  s.emit('getDate');
  const args = await p;
  expectArgs(args, 1, 'takeDate');
  expectRecentIso(args[0], 'takeDate');
});

check('getDateObj', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'takeDateObj');
  s.emit('getDateObj');
  const args = await p;
  expectArgs(args, 1, 'takeDateObj');
  expect(isPlainObject(args[0]), `takeDateObj: expected an object, got ${fmt(args[0])}`);
  expect(util.isDeepStrictEqual(Object.keys(args[0]), ['date']), `takeDateObj: expected only key date, got ${fmt(args[0])}`);
  expectRecentIso(args[0].date, 'takeDateObj.date');
});

check('getUtf8', async (c) => {
  const s = await c.connect('/');
  const got = [];
  let five;
  const all = c.wait(`five 'takeUtf8'`, (resolve) => { five = resolve; });
  s.on('takeUtf8', (...args) => { got.push(ownArgs(s, args)); if (got.length === UTF8.length) five(); });
  s.emit('getUtf8');
  await all;
  await sleep(100); // catch a sixth
  const want = UTF8.map((x) => [x]);
  expect(util.isDeepStrictEqual(got, want), `expected ${fmt(want)}, got ${fmt(got)}`);
});

check('false', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'false');
  s.emit('false');
  const args = await p;
  expect(args.length === 1 && args[0] === false, `expected (false), got ${fmt(args)}`);
});

check('doge', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'doge');
  s.emit('doge');
  const args = await p;
  expectArgs(args, 1, 'doge');
  expectBinary(args[0], ASDF, 'doge');
});

check('buffa', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'buffack');
  s.emit('buffa', Buffer.from(ASDF));
  expectArgs(await p, 0, 'buffack');
});

check('jsonbuff', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'jsonbuff-ack');
  s.emit('jsonbuff', { hello: 'lol', message: Buffer.from(ASDF), goodbye: 'gotcha' });
  expectArgs(await p, 0, 'jsonbuff-ack');
});

check('abuff1/abuff2', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'abuff2-ack');
  s.emit('abuff1', Buffer.from(ASDF));
  s.emit('abuff2', 'x');
  expectArgs(await p, 0, 'abuff2-ack');
});

check('getbin', async (c) => {
  const s = await c.connect('/');
  const p = c.once(s, 'takebin');
  s.emit('getbin');
  const args = await p;
  expectArgs(args, 1, 'takebin');
  expectBinary(args[0], ASDF, 'takebin');
});

// echo: one check per kind of value.
const ECHO_BIN = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x61, 0x73, 0x64, 0x66]);
const echoes = [
  ['string', 'hello echo', (v) => expect(v === 'hello echo', `got ${fmt(v)}`)],
  ['number', 42, (v) => expect(v === 42, `got ${typeof v} ${fmt(v)}`)],
  ['object', { s: 'str', n: -7, f: 2.5, t: true, no: false, z: null, arr: [1, 'two', { three: 3 }, []], nested: { deep: { x: 'y' } }, empty: {} },
    (v) => {
      const want = { s: 'str', n: -7, f: 2.5, t: true, no: false, z: null, arr: [1, 'two', { three: 3 }, []], nested: { deep: { x: 'y' } }, empty: {} };
      expect(util.isDeepStrictEqual(v, want), `expected ${fmt(want)}, got ${fmt(v)}`);
    }],
  ['binary', ECHO_BIN, (v) => expectBinary(v, ECHO_BIN, 'echo')],
  ['nested binary', { a: { b: ECHO_BIN } }, (v) => {
    expect(isPlainObject(v) && util.isDeepStrictEqual(Object.keys(v), ['a']), `expected {a: {b: binary}}, got ${fmt(v)}`);
    expect(isPlainObject(v.a) && util.isDeepStrictEqual(Object.keys(v.a), ['b']), `expected {a: {b: binary}}, got ${fmt(v)}`);
    expectBinary(v.a.b, ECHO_BIN, 'a.b');
  }],
  ['utf8 emoji', 'héllo wörld — 日本語 😀👍🏽 🇺🇦 \u{1F600}', (v) => expect(v === 'héllo wörld — 日本語 😀👍🏽 🇺🇦 \u{1F600}', `got ${fmt(v)}`)],
];
for (const [kind, value, verify] of echoes) {
  check(`echo ${kind}`, async (c) => {
    const s = await c.connect('/');
    const ack = await c.emitAck(s, 'echo', value);
    expectArgs(ack, 1, 'ack');
    verify(ack[0]);
  });
}

function expectHandshake(hs, what) {
  expect(isPlainObject(hs), `${what}: expected an object, got ${fmt(hs)}`);
  const types = { headers: 'object', time: 'string', address: 'string', xdomain: 'boolean', secure: 'boolean', issued: 'number', url: 'string', query: 'object' };
  for (const [k, t] of Object.entries(types)) {
    expect(typeof hs[k] === t && hs[k] !== null, `${what}.${k}: expected ${t}, got ${fmt(hs[k])}`);
  }
  expect(isPlainObject(hs.headers), `${what}.headers: expected an object, got ${fmt(hs.headers)}`);
  expect(isPlainObject(hs.query), `${what}.query: expected an object, got ${fmt(hs.query)}`);
  if (V4) {
    expect(isPlainObject(hs.auth), `${what}.auth: expected an object, got ${fmt(hs.auth)}`);
    expect(hs.query.EIO === '4' && typeof hs.query.transport === 'string', `${what}.query: expected EIO 4 and transport, got ${fmt(hs.query)}`);
  } else {
    expect(hs.auth === undefined, `${what}.auth: a 2.x handshake has none, got ${fmt(hs.auth)}`);
  }
}

check('getHandshake', async (c) => {
  const s = await c.connect('/', { query: { foo: 'bar' } });
  const ack = await c.emitAck(s, 'getHandshake');
  expectArgs(ack, 1, 'ack');
  expectHandshake(ack[0], 'handshake');
  expect(ack[0].query.foo === 'bar', `handshake.query.foo: expected 'bar', got ${fmt(ack[0].query)}`);
});

check('join', async (c) => {
  const a = await c.connect('/');
  const b = await c.connect('/');
  const n1 = await c.emitAck(a, 'join', 'r1');
  expect(n1.length === 1 && n1[0] === 1, `first join of r1: expected ack (1), got ${fmt(n1)}`);
  const n2 = await c.emitAck(b, 'join', 'r1');
  expect(n2.length === 1 && n2[0] === 2, `second join of r1: expected ack (2), got ${fmt(n2)}`);
});

check('room message', async (c) => {
  const room = `room-${RUN}`;
  const msg = `hello ${room}`;
  const [a, b, cc] = await Promise.all([c.connect('/'), c.connect('/'), c.connect('/')]);
  const na = await c.emitAck(a, 'join', room);
  expect(util.isDeepStrictEqual(na, [1]), `A join: expected ack (1), got ${fmt(na)}`);
  const nb = await c.emitAck(b, 'join', room);
  expect(util.isDeepStrictEqual(nb, [2]), `B join: expected ack (2), got ${fmt(nb)}`);
  const onA = c.collect(a, 'room message');
  const onC = c.collect(cc, 'room message');
  const pB = c.once(b, 'room message');
  a.emit('room message', room, msg);
  const args = await pB;
  expect(util.isDeepStrictEqual(args, [room, msg]), `B: expected ${fmt([room, msg])}, got ${fmt(args)}`);
  await sleep(QUIET_MS);
  expect(onA.length === 0, `the sender A received ${fmt(onA)}`);
  expect(onC.length === 0, `C (not in the room) received ${fmt(onC)}`);
});

check('broadcast', async (c) => {
  const msg = `broadcast ${RUN}`;
  const [a, b, cc] = await Promise.all([c.connect('/'), c.connect('/'), c.connect('/')]);
  const mine = (...args) => args[0] === msg;
  const onA = c.collect(a, 'broadcast', mine);
  const pB = c.once(b, 'broadcast', mine);
  const pC = c.once(cc, 'broadcast', mine);
  a.emit('broadcast', msg);
  const [gb, gc] = await Promise.all([pB, pC]);
  expect(util.isDeepStrictEqual(gb, [msg]), `B: expected ${fmt([msg])}, got ${fmt(gb)}`);
  expect(util.isDeepStrictEqual(gc, [msg]), `C: expected ${fmt([msg])}, got ${fmt(gc)}`);
  await sleep(QUIET_MS);
  expect(onA.length === 0, `the sender A received ${fmt(onA)}`);
});

check('disconnect me', async (c) => {
  // Reconnection on, with short delays, so that a wrong reconnect shows up quickly.
  const s = await c.connect('/', { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  const attempts = c.collect(s, 'reconnect_attempt');
  const reconnects = c.collect(s, 'connect');
  const p = c.once(s, 'disconnect');
  s.emit('disconnect me');
  const [reason] = await p;
  expect(reason === 'io server disconnect', `disconnect reason: expected 'io server disconnect', got ${fmt(reason)}`);
  await sleep(1000);
  expect(attempts.length === 0 && reconnects.length === 0 && !s.connected,
    `the client reconnected (${attempts.length} attempt(s), ${reconnects.length} connect(s))`);
});

check('server ack', async (c) => {
  const s = await c.connect('/');
  const pd = c.once(s, 'double');
  const pr = c.once(s, 'double result');
  s.emit('server ack', 21);
  const args = await pd;
  expect(args.length === 2 && args[0] === 21 && typeof args[1] === 'function',
    `expected 'double' (21) with an ack request, got ${fmt(args)}`);
  args[1](42);
  const r = await pr;
  expect(r.length === 1 && r[0] === 42, `expected 'double result' (42), got ${fmt(r)}`);
});

// ---------------------------------------------------------------- namespaces

for (const nsp of ['/foo', '/asd', '/valid', '/timeout_socket']) {
  check(`nsp ${nsp}`, async (c) => {
    const s = await c.connect(nsp);
    expect(s.nsp === nsp, `socket namespace is ${s.nsp}`);
  });
}

check('nsp /abc?b=c handshake', async (c) => {
  const s = c.open('/abc?b=c');
  const p = c.once(s, 'handshake');
  await c.connected(s);
  const args = await p;
  expectArgs(args, 1, 'handshake');
  expectHandshake(args[0], 'handshake');
  expect(args[0].query.b === 'c', `handshake.query.b: expected 'c', got ${fmt(args[0].query)}`);
});

// A refused namespace: the socket gets 'error' with exactly `message` and
// never 'connect'. 4.x: 'connect_error' with an Error of that message.
async function refused(c, s, message) {
  const connects = c.collect(s, 'connect');
  if (V4) {
    const [err] = await c.once(s, 'connect_error');
    expect(err instanceof Error && err.message === message, `expected connect_error ${fmt(message)}, got ${fmt(err)}`);
    await sleep(200);
    expect(connects.length === 0 && !s.connected, 'the socket connected');
    return;
  }
  const [err] = await c.wait(`'error'`, (resolve, reject) => {
    s.once('error', (...args) => resolve(args));
    s.once('connect_error', (e) => reject(new CheckError(`connect_error ${e && e.message ? e.message : fmt(e)}`)));
    s.once('connect_timeout', () => reject(new CheckError('connect_timeout')));
  });
  expect(err === message, `expected error ${fmt(message)}, got ${fmt(err)}`);
  await sleep(200);
  expect(connects.length === 0 && !s.connected, 'the socket connected');
}

check('nsp /no refused', (c) => refused(c, c.open('/no'), 'Auth failed (custom namespace)'));
check('nsp /admin without token refused', (c) => refused(c, c.open('/admin'), 'not authorized'));
check('nsp /admin token=secret whoami', async (c) => {
  const s = await c.connect('/admin', { query: { token: 'secret' } });
  const ack = await c.emitAck(s, 'whoami');
  expect(util.isDeepStrictEqual(ack, ['admin']), `whoami: expected ack ('admin'), got ${fmt(ack)}`);
});
check('nsp /nope invalid', (c) => refused(c, c.open('/nope'), 'Invalid namespace'));
check('nsp / fail=1 refused', (c) => refused(c, c.open('/', { query: { fail: '1' } }), 'Auth failed (main namespace)'));

// A namespace ERROR leaves the engine connection, and '/' on it, working
// (same Manager on purpose here).
check('nsp refusal keeps connection', async (c) => {
  const root = await c.connect('/');
  const nope = root.io.socket('/nope');
  c.sockets.push(nope);
  allSockets.add(nope);
  const [err] = await c.once(nope, V4 ? 'connect_error' : 'error');
  const msg = V4 ? err && err.message : err;
  expect(msg === 'Invalid namespace', `/nope: expected error 'Invalid namespace', got ${fmt(err)}`);
  const p = c.once(root, 'hi');
  root.emit('hi');
  await p;
  expect(root.connected, '/ is no longer connected');
});

// ---------------------------------------------------------------- 4.x rows

if (V4) {
  for (const nsp of ['/', '/foo']) {
    check(`getId ${nsp}`, async (c) => {
      const s = await c.connect(nsp);
      const ack = await c.emitAck(s, 'getId');
      expect(util.isDeepStrictEqual(ack, [s.id]), `expected ack (${s.id}), got ${fmt(ack)}`);
      expect(s.id !== s.io.engine.id, `socket id ${s.id} is the engine session id`);
    });
  }

  check('socket ids differ per namespace and connection', async (c) => {
    const root = await c.connect('/');
    const foo = root.io.socket('/foo');
    c.sockets.push(foo);
    allSockets.add(foo);
    await c.connected(foo);
    const other = await c.connect('/');
    const ids = new Set([root.id, foo.id, other.id, root.io.engine.id]);
    expect(ids.size === 4, `ids ${fmt([root.id, foo.id, other.id, root.io.engine.id])}`);
  });

  check('auth in the handshake', async (c) => {
    const s = c.open('/abc', { auth: { a: 'b', c: 'd' }, query: { e: 'f' } });
    const p = c.once(s, 'handshake');
    await c.connected(s);
    const [hs] = await p;
    expectHandshake(hs, 'handshake');
    expect(util.isDeepStrictEqual(hs.auth, { a: 'b', c: 'd' }), `handshake.auth: expected {a: 'b', c: 'd'}, got ${fmt(hs.auth)}`);
    expect(hs.query.e === 'f' && hs.query.a === undefined, `handshake.query: expected e=f and no auth, got ${fmt(hs.query)}`);
    const root = await c.connect('/');
    const [own] = await c.emitAck(root, 'getHandshake');
    expect(util.isDeepStrictEqual(own.auth, {}), `handshake.auth without auth: expected {}, got ${fmt(own.auth)}`);
  });

  check('leave a namespace and come back', async (c) => {
    const root = await c.connect('/');
    const foo = root.io.socket('/foo');
    c.sockets.push(foo);
    allSockets.add(foo);
    await c.connected(foo);
    const first = foo.id;
    foo.disconnect();
    const p = c.once(root, 'hi');
    root.emit('hi');
    await p;
    expect(root.connected, '/ left with /foo');
    foo.connect();
    await c.connected(foo);
    expect(foo.id !== first, `/foo came back with its old id ${first}`);
    const [id] = await c.emitAck(foo, 'getId');
    expect(id === foo.id, `getId on /foo: ${fmt(id)}, want ${foo.id}`);
  });

  // Connection state recovery: a socket whose connection drops gets its
  // session back (same id, recovered) and what was sent to it meanwhile.
  // The reference keeps sessions; a server without recovery fails here.
  check('recovery after a dropped connection', async (c) => {
    const room = `recover-${RUN}`;
    const a = await c.connect('/', { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
    expect(typeof a._pid === 'string', 'the CONNECT answer carries no pid: recovery is off');
    const b = await c.connect('/');
    const [n] = await c.emitAck(a, 'join', room);
    expect(n === 1, `join: ${fmt(n)}`);
    const hi = c.once(a, 'hi');
    a.emit('hi');
    await hi; // an event with an offset, which the client sends back
    const id = a.id;
    const gone = c.once(a, 'disconnect');
    a.io.engine.close(); // as the socket.io test suite drops a connection
    await gone;
    const got = c.once(a, 'room message');
    const back = c.once(a, 'connect');
    b.emit('room message', room, 'while away');
    await back;
    const args = await got;
    expect(util.isDeepStrictEqual(args, [room, 'while away']), `room message: ${fmt(args)}`);
    expect(a.recovered === true && a.id === id, `recovered ${a.recovered}, id ${a.id} (was ${id})`);
  });

  check('unknown events get nothing', async (c) => {
    const s = await c.connect('/');
    let got = false;
    s.onAny(() => { got = true; });
    s.emit('unknown', 1, () => { got = true; });
    s.emit('unknown');
    await sleep(QUIET_MS);
    expect(!got, 'something came back');
  });
}

// ---------------------------------------------------------------- runner

let passed = 0;
let failed = 0;
function report(name, err) {
  if (err) { failed++; console.log(`FAIL ${name}: ${err}`); } else { passed++; console.log(`PASS ${name}`); }
}
function summary() { console.log(`${passed} passed, ${failed} failed`); }

async function runOne({ name, fn }) {
  const c = new Ctx();
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${CHECK_TIMEOUT} ms` +
      (c.pending.size ? ` waiting for ${c.waiting()}` : '')), CHECK_TIMEOUT);
  });
  const run = Promise.resolve().then(() => fn(c)).then(
    () => null,
    (e) => (e instanceof CheckError ? e.message : (e && e.stack) || String(e)));
  const err = await Promise.race([run, timeout]);
  clearTimeout(timer);
  c.close();
  report(name, err);
}

async function main() {
  const selected = checks.filter((ch) => !filter || filter.test(ch.name));
  if (!selected.length) {
    console.log(`FAIL filter: no check matches ${filter}`);
    failed++;
  }
  let current = 0;
  const overall = setTimeout(() => {
    report('overall', `timed out after ${OVERALL_TIMEOUT / 1000} s during '${selected[current].name}', ` +
      `${selected.length - current - 1} check(s) not run`);
    summary();
    process.exit(1);
  }, OVERALL_TIMEOUT);
  for (; current < selected.length; current++) await runOne(selected[current]);
  clearTimeout(overall);
  allSockets.forEach(closeSocket);
  summary();
  process.exitCode = failed ? 1 : 0;
  // Everything is closed, so node should exit on its own; make sure it does.
  setTimeout(() => process.exit(process.exitCode), 3000).unref();
}

main().catch((e) => { console.log(`FAIL runner: ${(e && e.stack) || e}`); process.exit(1); });

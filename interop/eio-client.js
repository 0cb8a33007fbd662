// Drives the official engine.io-client 3.5.6 (Engine.IO v3), or with EIO=4
// in the environment the engine.io-client 6.x that socket.io-client 4.x
// depends on (Engine.IO v4), against an Engine.IO server that echoes every
// message (text stays text, binary stays binary) and closes the session when
// it receives the text "close me".
//
// usage: [EIO=4] node eio-client.js URL TRANSPORTS [forceBase64]
//   TRANSPORTS: "polling,websocket" (default upgrade path), "websocket", "polling"
// Prints "PASS <check>" per check, "FAIL <check>: <why>" on failure, and
// exits 0 only when every check passed.
const path = require('path');
const eio = process.env.EIO === '4'
  ? require(require.resolve('engine.io-client', { paths: [path.dirname(require.resolve('socket.io-client-v4'))] }))
  : require('engine.io-client');

const [url, transports = 'polling,websocket', b64] = process.argv.slice(2);
const u = new URL(url);
const opts = {
  path: u.pathname.endsWith('/') ? u.pathname : u.pathname + '/',
  transports: transports.split(','),
  forceBase64: b64 === 'forceBase64',
  query: { token: 'abc' },
};
const expectUpgrade = transports === 'polling,websocket';

let failed = false;
function fail(check, why) { failed = true; console.log(`FAIL ${check}: ${why}`); }
function pass(check) { console.log(`PASS ${check}`); }

const timer = setTimeout(() => { fail('overall', 'timed out'); process.exit(1); }, 30000);

const socket = new eio.Socket(u.origin, opts);
const inbox = [];
let waiter = null;
socket.on('message', (m) => { inbox.push(m); if (waiter) waiter(); });
function next() {
  return new Promise((resolve) => {
    if (inbox.length) return resolve(inbox.shift());
    waiter = () => { waiter = null; resolve(inbox.shift()); };
  });
}
function isBinary(m) { return typeof m !== 'string'; }
function bytesOf(m) { return Buffer.from(m instanceof ArrayBuffer ? new Uint8Array(m) : m); }

let sent = 0; // messages of the burst sent so far
let sentAtUpgrade = -1; // and when the 'upgrade' event came
let onUpgrade = null;
socket.on('upgrade', () => { sentAtUpgrade = sent; if (onUpgrade) onUpgrade(); });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// burst sends m0..m(N-1). When an upgrade is expected it is spread over the
// switch: it starts at 'open', before the probe can have finished, sends 200
// at once, then one a millisecond while on polling, and, should the upgrade
// still not have come 200 before the end, waits for it (15 s) before sending
// the rest.
async function burst(N) {
  for (; sent < N; sent++) {
    if (expectUpgrade && sentAtUpgrade < 0 && sent >= 200 && sent < N - 200) await sleep(1);
    if (expectUpgrade && sentAtUpgrade < 0 && sent === N - 200) {
      await Promise.race([new Promise((resolve) => { onUpgrade = resolve; }), sleep(15000)]);
    }
    socket.send('m' + sent);
  }
}

socket.on('open', async () => {
  try {
    if (process.env.EIO === '4') {
      // The handshake was v4: the client took the server's maxPayload.
      socket._maxPayload > 0 ? pass('protocol 4') : fail('protocol 4', `maxPayload ${socket._maxPayload}`);
    }
    const N = 1000;
    const sending = burst(N);
    let inOrder = true;
    for (let i = 0; i < N; i++) { const m = await next(); if (m !== 'm' + i) { inOrder = false; fail('1000 in order', `got ${m} at ${i}`); break; } }
    await sending;
    if (expectUpgrade) {
      // As the Go client's clientCheckBurst: both sides of the switch.
      if (sentAtUpgrade < 0) fail('1000 in order across the upgrade', 'no upgrade during the burst');
      else if (sentAtUpgrade === 0 || sentAtUpgrade >= N) fail('1000 in order across the upgrade', `${sentAtUpgrade} of ${N} sent before the upgrade`);
      else if (inOrder) pass(`1000 in order across the upgrade (${sentAtUpgrade} sent before it, ${N - sentAtUpgrade} after)`);
    } else if (inOrder) {
      pass('1000 in order');
    }

    socket.send('hello €😀');
    const t = await next();
    t === 'hello €😀' ? pass('text echo') : fail('text echo', JSON.stringify(t));

    socket.send(Buffer.from([1, 2, 3, 255]));
    const b = await next();
    isBinary(b) && bytesOf(b).equals(Buffer.from([1, 2, 3, 255])) ? pass('binary echo') : fail('binary echo', String(b));

    const big = 'x'.repeat(1 << 20);
    socket.send(big);
    const bb = await next();
    bb === big ? pass('1 MiB text') : fail('1 MiB text', `length ${bb.length}`);

    const bigBin = Buffer.alloc(1 << 20, 7);
    socket.send(bigBin);
    const bbb = await next();
    isBinary(bbb) && bytesOf(bbb).equals(bigBin) ? pass('1 MiB binary') : fail('1 MiB binary', `length ${bbb.length}`);

    if (expectUpgrade) {
      socket.transport.name === 'websocket' ? pass('upgraded') : fail('upgraded', socket.transport.name);
    }
    socket.on('close', (reason) => {
      reason === 'transport close' ? pass('server close') : fail('server close', reason);
      clearTimeout(timer);
      process.exit(failed ? 1 : 0);
    });
    socket.send('close me');
  } catch (e) {
    fail('exception', e.stack);
    process.exit(1);
  }
});
socket.on('error', (e) => { fail('error', String(e)); process.exit(1); });

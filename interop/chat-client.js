// Checks a chat server (examples/chat, or the reference
// shared/peers/node-chat) with the official socket.io-client 2.5.0: the
// seed's wire contract, and, with EXTRAS=1, siogen's additions (the
// delivery ack, nicknames, join and leave notices, the {error} ack of an
// argument that does not decode).
//
// usage: [EXTRAS=1] node chat-client.js URL TRANSPORTS
//   TRANSPORTS  "websocket", "polling" or "polling,websocket" (then the
//               upgrade to websocket is required too)
// Prints "PASS <name>" or "FAIL <name>: <why>" per check and
// "N passed, M failed"; exits 0 only when all passed.
'use strict';

const io = require('socket.io-client');

const [url, transportsArg = 'polling,websocket'] = process.argv.slice(2);
if (!url) { console.error('usage: node chat-client.js URL TRANSPORTS'); process.exit(2); }
const transports = transportsArg.split(',');
const extras = process.env.EXTRAS === '1';
const RUN = Math.random().toString(36).slice(2, 10);
const TIMEOUT = 5000;

function connect() {
  const s = io(url, { transports, forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connect timeout')), TIMEOUT);
    s.on('connect', () => { clearTimeout(t); resolve(s); });
    s.on('connect_error', (e) => { clearTimeout(t); reject(e); });
  });
}

// next resolves with the arguments of the next event `name` on s that
// passes ok.
function next(s, name, ok = () => true) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { s.off(name, h); reject(new Error(`no ${name} within ${TIMEOUT} ms`)); }, TIMEOUT);
    function h(...args) {
      if (!ok(...args)) return;
      clearTimeout(t);
      s.off(name, h);
      resolve(args);
    }
    s.on(name, h);
  });
}

function waitUpgrade(s) {
  return new Promise((resolve, reject) => {
    if (s.io.engine.transport.name === 'websocket') return resolve();
    const t = setTimeout(() => reject(new Error('no upgrade to websocket')), TIMEOUT);
    s.io.engine.on('upgrade', () => { clearTimeout(t); resolve(); });
  });
}

const checks = [];
function check(name, fn) { checks.push([name, fn]); }

check('a message reaches every client, the sender included', async () => {
  const [a, b] = [await connect(), await connect()];
  try {
    const msg = `hello ${RUN}`;
    const got = [next(a, 'chat message', (m) => m === msg), next(b, 'chat message', (m) => m === msg)];
    a.emit('chat message', msg);
    await Promise.all(got);
  } finally { a.close(); b.close(); }
});

check('messages arrive in order', async () => {
  const [a, b] = [await connect(), await connect()];
  try {
    const want = Array.from({ length: 50 }, (_, i) => `${RUN} #${i}`);
    const seen = [];
    const done = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`got ${seen.length} of ${want.length}`)), TIMEOUT);
      b.on('chat message', (m) => {
        if (!m.startsWith(RUN + ' #')) return;
        seen.push(m);
        if (seen.length === want.length) { clearTimeout(t); resolve(); }
      });
    });
    for (const m of want) a.emit('chat message', m);
    await done;
    if (seen.join('|') !== want.join('|')) throw new Error(`out of order: ${seen.slice(0, 5)}`);
  } finally { a.close(); b.close(); }
});

if (transports.length > 1) {
  check('the connection upgrades to websocket', async () => {
    const a = await connect();
    try { await waitUpgrade(a); } finally { a.close(); }
  });
}

if (extras) {
  check('the ack confirms delivery with the number of recipients', async () => {
    const [a, b] = [await connect(), await connect()];
    try {
      const n = await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no ack')), TIMEOUT);
        a.emit('chat message', `acked ${RUN}`, (n) => { clearTimeout(t); resolve(n); });
      });
      if (typeof n !== 'number' || n < 2) throw new Error(`ack ${JSON.stringify(n)}, want a count of at least 2`);
    } finally { a.close(); b.close(); }
  });

  // The generated server answers the ack of an event whose argument does not
  // decode with {error: "..."}, and drops only that event.
  check('a wrongly typed message gets {error} in its ack and the server keeps serving', async () => {
    const [a, b] = [await connect(), await connect()];
    try {
      const leaked = [];
      b.on('chat message', (m) => { if (typeof m !== 'string') leaked.push(m); });
      const ack = await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no ack')), TIMEOUT);
        a.emit('chat message', { not: 'a string' }, (...args) => { clearTimeout(t); resolve(args); });
      });
      const [err] = ack;
      if (ack.length !== 1 || err === null || typeof err !== 'object' || Object.keys(err).join() !== 'error' ||
          typeof err.error !== 'string') {
        throw new Error(`ack ${JSON.stringify(ack)}, want ({error: "..."})`);
      }
      if (!err.error.includes('"chat message"') || !err.error.includes('string')) {
        throw new Error(`error ${JSON.stringify(err.error)} names neither the event nor the expected type`);
      }
      // Same sockets: the connection survived and the server still serves it.
      const msg = `after the bad one ${RUN}`;
      const got = [next(a, 'chat message', (m) => m === msg), next(b, 'chat message', (m) => m === msg)];
      const n = await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no ack after the rejected message')), TIMEOUT);
        a.emit('chat message', msg, (n) => { clearTimeout(t); resolve(n); });
      });
      await Promise.all(got);
      if (typeof n !== 'number' || n < 2) throw new Error(`ack ${JSON.stringify(n)} after the rejected message`);
      if (!a.connected || !b.connected) throw new Error('a client was disconnected');
      if (leaked.length) throw new Error(`the rejected message was broadcast: ${JSON.stringify(leaked)}`);
    } finally { a.close(); b.close(); }
  });

  check('nicknames: set name is acked, others see joined and left', async () => {
    const [a, b] = [await connect(), await connect()];
    try {
      const name = `ann-${RUN}`;
      const joined = next(b, 'user joined', (n) => n === name);
      const kept = await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no ack for set name')), TIMEOUT);
        a.emit('set name', `  ${name}  `, (n) => { clearTimeout(t); resolve(n); });
      });
      if (kept !== name) throw new Error(`set name acked ${JSON.stringify(kept)}`);
      const [, users] = await joined;
      if (typeof users !== 'number' || users < 2) throw new Error(`user joined with ${users} users`);
      const left = next(b, 'user left', (n) => n === name);
      a.close();
      await left;
    } finally { a.close(); b.close(); }
  });
}

(async () => {
  let passed = 0, failed = 0;
  for (const [name, fn] of checks) {
    try { await fn(); passed++; console.log(`PASS ${name}`); }
    catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`); }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();

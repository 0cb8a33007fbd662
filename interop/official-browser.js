// Runs the official socket.io-client 2.5.0 browser bundle
// (node_modules/socket.io-client/dist/socket.io.js) in headless Chromium
// (playwright-core) against a server that implements the conformance
// contract, over polling alone: with XHR2 (binary payloads) or JSONP
// (forceJSONP, binary as base64 inside the script). Checks binary both
// ways and at depth, and bursts that must keep their order.
//
// usage: node official-browser.js CASE [CASE...]
//   CASE = NAME,URL,MODE
//   URL   a page that loads the bundle (window.io), on the server
//   MODE  "xhr2" or "jsonp"
// Prints "PASS [NAME] <check>" / "FAIL [NAME] <check>: <why>", then
// "N passed, M failed"; exits 0 only if every check passed (2 on bad usage).
// Environment: CHROMIUM_PATH, CHECK_TIMEOUT_MS (default 10000),
// OVERALL_TIMEOUT_MS (default 60000).
'use strict';

const { runCases, firstLine } = require('./browser-run');

const CHECK_TIMEOUT = Number(process.env.CHECK_TIMEOUT_MS || 10000);
const OVERALL_TIMEOUT = Number(process.env.OVERALL_TIMEOUT_MS || 60000);

const cases = process.argv.slice(2).map((arg) => {
  const [name, url, mode] = arg.split(',');
  if (!name || !url || !['xhr2', 'jsonp'].includes(mode)) {
    console.error(`bad CASE ${JSON.stringify(arg)}\nusage: node official-browser.js NAME,URL,xhr2|jsonp ...`);
    process.exit(2);
  }
  return { name, url, mode, passed: 0, failed: 0 };
});
if (cases.length === 0) {
  console.error('usage: node official-browser.js NAME,URL,xhr2|jsonp ...');
  process.exit(2);
}

async function inPage({ mode, timeout }) {
  const report = window.report;
  const expect = (cond, why) => { if (!cond) throw new Error(why); };
  const show = (v) => JSON.stringify(v, (k, x) => (x instanceof ArrayBuffer ? `ArrayBuffer[${new Uint8Array(x)}]` : x));
  const bytes = (v) => {
    expect(v instanceof ArrayBuffer, `expected an ArrayBuffer, got ${show(v)}`);
    return Array.from(new Uint8Array(v)).join(',');
  };
  const next = (s, event) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeout} ms`)), timeout);
    s.once(event, (...args) => { clearTimeout(timer); resolve(args); });
  });
  const call = (s, event, ...args) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for "${event}" within ${timeout} ms`)), timeout);
    s.emit(event, ...args, (...reply) => { clearTimeout(timer); resolve(reply); });
  });
  async function check(name, fn) {
    try {
      await fn();
      await report(true, name, '');
    } catch (err) {
      await report(false, name, String(err && err.message || err));
    }
  }

  const socket = io({ transports: ['polling'], forceJSONP: mode === 'jsonp', reconnection: false });
  await check('connect', async () => {
    await next(socket, 'connect');
  });
  if (!socket.connected) return;

  await check(`transport ${mode}`, async () => {
    const t = socket.io.engine.transport;
    expect(t.name === 'polling', `transport ${t.name}`);
    // XHR2 polling announces binary support; JSONP cannot carry it.
    expect(t.supportsBinary === (mode === 'xhr2'), `supportsBinary ${t.supportsBinary}`);
  });

  await check('binary from the server', async () => {
    socket.emit('doge');
    const [buf] = await next(socket, 'doge');
    expect(new TextDecoder().decode(buf) === 'asdfasdf', `got ${show(buf)}`);
  });

  await check('binary to the server', async () => {
    socket.emit('buffa', new Uint8Array([1, 2, 3, 4]).buffer);
    await next(socket, 'buffack');
  });

  await check('binary at depth, echoed', async () => {
    const [got] = await call(socket, 'echo', { a: [1, { b: new Uint8Array([2, 3, 4]).buffer }], c: new Uint8Array([0, 255]).buffer, d: 'x' });
    expect(got && got.a && got.a[0] === 1 && got.d === 'x', `echoed ${show(got)}`);
    expect(bytes(got.a[1].b) === '2,3,4', `nested bytes ${show(got.a[1].b)}`);
    expect(bytes(got.c) === '0,255', `bytes ${show(got.c)}`);
  });

  await check('a burst of acked echoes, in order', async () => {
    const n = 50;
    const order = [];
    await Promise.all(Array.from({ length: n }, (_, i) => call(socket, 'echo', i % 5 === 0 ? new Uint8Array([i]).buffer : i)
      .then(([v]) => order.push(v instanceof ArrayBuffer ? new Uint8Array(v)[0] : v))));
    expect(order.every((v, i) => v === i), `acks in order ${show(order)}`);
  });

  await check('a burst from the server, in order', async () => {
    const want = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string'];
    const got = [];
    const done = new Promise((resolve) => {
      const on = (s) => {
        got.push(s);
        if (got.length === want.length) { socket.off('takeUtf8', on); resolve(); }
      };
      socket.on('takeUtf8', on);
    });
    socket.emit('getUtf8');
    await Promise.race([done, new Promise((r) => setTimeout(r, timeout))]);
    expect(show(got) === show(want), `got ${show(got)}`);
  });

  socket.close();
}

async function runCase(browser, c) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.exposeFunction('report', (ok, name, why) => {
    if (ok) c.passed++;
    else c.failed++;
    console.log(ok ? `PASS [${c.name}] ${name}` : `FAIL [${c.name}] ${name}: ${why}`);
  });
  try {
    await page.goto(c.url);
    await page.evaluate(inPage, { mode: c.mode, timeout: CHECK_TIMEOUT });
    if (errors.length) {
      c.failed++;
      console.log(`FAIL [${c.name}] no uncaught errors: ${errors.join('; ')}`);
    }
  } catch (err) {
    c.failed++;
    console.log(`FAIL [${c.name}] driver: ${firstLine(err)}`);
  } finally {
    await page.close();
    console.log(`[${c.name}] ${c.passed} passed, ${c.failed} failed`);
  }
}

runCases(cases, runCase, OVERALL_TIMEOUT);

// Checks siogen's browser client (runtime/socketio/browser/socket.io.js) in
// headless Chromium (playwright-core) against a server that implements the
// conformance contract (shared/peers/node-conformance/README.md): events,
// acks both ways, UTF-8, binary both ways and nested, namespaces and their
// refusals, buffering, reconnection after the network drops, and the
// server's disconnect.
//
// usage: node browser-client.js CASE [CASE...]
//   CASE = NAME,URL,TRANSPORTS[,cut-probe]
//   URL         a page on the server that loads /socket.io/socket.io.js; the
//               server must close every connection but the caller's on
//               GET /drop and refuse the Socket.IO endpoint for the next
//               500 ms, or ?down=MS (the reconnection checks)
//   TRANSPORTS  "polling,websocket" (then the client must upgrade),
//               "polling" or "websocket"
//   cut-probe   with "polling,websocket": every websocket of the page is
//               closed right after the server's "3probe", when the client has
//               begun to pause polling; the client must carry on polling
//
// Cases run at the same time, each in its own page of one Chromium; checks
// run in the page, one after another. Prints "PASS [NAME] <check>" or
// "FAIL [NAME] <check>: <why>", "[NAME] N passed, M failed" per case, then
// "N passed, M failed"; exits 0 only if every check passed (2 on bad usage).
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), CHECK_TIMEOUT_MS
// (default 10000) per check, OVERALL_TIMEOUT_MS (default 60000).
'use strict';

const { runCases } = require('./browser-run');

const USAGE = 'usage: node browser-client.js NAME,URL,TRANSPORTS[,cut-probe] ...\n' +
  '  TRANSPORTS: "polling,websocket", "polling" or "websocket"';
const CHECK_TIMEOUT = Number(process.env.CHECK_TIMEOUT_MS || 10000);
const OVERALL_TIMEOUT = Number(process.env.OVERALL_TIMEOUT_MS || 60000);

const cases = process.argv.slice(2).map((arg) => {
  const [name, url, ...rest] = arg.split(',');
  const cutProbe = rest[rest.length - 1] === 'cut-probe';
  if (cutProbe) rest.pop();
  const transports = rest.join(',');
  if (!name || !url || !['polling,websocket', 'polling', 'websocket'].includes(transports) ||
      (cutProbe && transports !== 'polling,websocket')) {
    console.error(`bad CASE ${JSON.stringify(arg)}\n${USAGE}`);
    process.exit(2);
  }
  // With the probe cut, every upgrade fails and the client stays on polling.
  const want = cutProbe ? 'polling' : rest[rest.length - 1];
  return { name, url, transports, want, cutProbe, passed: 0, failed: 0 };
});
if (cases.length === 0) {
  console.error(USAGE);
  process.exit(2);
}

// inPage runs in the browser: every check, reported through report(ok, name, why).
async function inPage({ transports, want, timeout }) {
  const report = window.report;
  const list = transports.split(',');
  const base = { transports: list, forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 400 };
  const options = (extra) => Object.assign({}, base, extra);
  // Sockets a check opens, closed when it ends: a browser keeps at most six
  // connections per host, and every polling connection holds one.
  const sockets = [];
  const open = (url, extra) => {
    const s = url === undefined ? io(options(extra)) : io(url, options(extra));
    sockets.push(s);
    return s;
  };

  function expect(cond, why) {
    if (!cond) throw new Error(why);
  }
  // show renders v for messages and comparisons: object keys sorted (the
  // server may reorder them), binary as its bytes.
  function show(v) {
    return JSON.stringify(v, (k, x) => {
      if (x instanceof ArrayBuffer) return `ArrayBuffer[${new Uint8Array(x)}]`;
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        return Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]]));
      }
      return x;
    });
  }
  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
  // next resolves with the arguments of the next `event` on emitter.
  function next(emitter, event) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeout} ms${state(emitter)}`)), timeout);
      emitter.once(event, (...args) => {
        clearTimeout(timer);
        resolve(args);
      });
    });
  }
  // within resolves as promise does, or rejects after the check timeout.
  function within(promise, what, socket, ms = timeout) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${what}" within ${ms} ms${state(socket)}`)), ms);
      promise.then((v) => {
        clearTimeout(timer);
        resolve(v);
      }, reject);
    });
  }
  // state describes a socket's connection, for a failure's message.
  function state(s) {
    const e = s && s.io && s.io.engine;
    if (!e) return '';
    const t = e.transport || {};
    return ` (socket connected ${s.connected}, ${s.sendBuffer.length} buffered; manager ${s.io.readyState}` +
      `${s.io.reconnecting ? ', reconnecting' : ''}; engine ${e.id} ${e.readyState}${e.upgrading ? ', upgrading' : ''}, ` +
      `${e.writeBuffer.length} to write; ${t.name} ${t.readyState}${t.writable ? ', writable' : ''}${t.polling ? ', polling' : ''})`;
  }
  // call emits event with args and resolves with the ack's arguments.
  function call(socket, event, ...args) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for "${event}" within ${timeout} ms`)), timeout);
      socket.emit(event, ...args, (...reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }
  function bytes(v) {
    expect(v instanceof ArrayBuffer, `expected an ArrayBuffer, got ${show(v)}`);
    return Array.from(new Uint8Array(v)).join(',');
  }
  async function check(name, fn) {
    try {
      await fn();
      await report(true, name, '');
    } catch (err) {
      await report(false, name, String(err && err.message || err));
    }
    for (const s of sockets.splice(0)) s.close();
  }

  const socket = io(options());
  // Listen for the failed upgrade from the start: the probe may be cut
  // before the 'connect' check ends, and a late listener would miss it.
  // (No timer yet: the check below gives it its own timeout, however long
  // connecting took.)
  const upgradeFailed = new Promise((resolve) => socket.io.engine.once('upgradeError', resolve));
  await check('connect', async () => {
    await next(socket, 'connect');
    expect(socket.connected && !socket.disconnected, 'connected flags not set');
    expect(socket.id === socket.io.engine.id, `id ${socket.id}, engine id ${socket.io.engine.id}`);
  });
  if (!socket.connected) return;

  await check(`transport ${want}`, async () => {
    for (let waited = 0; socket.io.engine.transport.name !== want; waited += 20) {
      expect(waited < timeout, `transport is ${socket.io.engine.transport.name}`);
      await sleep(20);
    }
    if (want === 'polling' && list.includes('websocket')) {
      // Give the upgrade time to fail; then polling must still carry events.
      // Long: in CI under load a probe once did not end within 10 s (cause
      // unknown; a failing case prints its websocket trace).
      await within(upgradeFailed, 'upgradeError', socket, 3 * timeout);
      expect(socket.io.engine.transport.name === 'polling', `transport is ${socket.io.engine.transport.name}`);
    }
  });

  await check('event both ways', async () => {
    socket.emit('hi');
    await next(socket, 'hi');
  });

  await check('ack from the server', async () => {
    const [date] = await call(socket, 'getAckDate', { test: true });
    expect(typeof date === 'string' && !Number.isNaN(Date.parse(date)), `acked ${show(date)}`);
  });

  await check('ack to the server', async () => {
    socket.once('ack', (ack) => ack(5, { test: true }));
    socket.emit('ack');
    await next(socket, 'got it');
  });

  await check('ack to the server with the event argument', async () => {
    socket.once('double', (n, ack) => ack(n * 2));
    socket.emit('server ack', 21);
    const [m] = await next(socket, 'double result');
    expect(m === 42, `double result ${show(m)}`);
  });

  await check('UTF-8 from the server, in order', async () => {
    const want = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string'];
    const got = [];
    const done = new Promise((resolve) => {
      const on = (s) => {
        got.push(s);
        if (got.length === want.length) {
          socket.off('takeUtf8', on);
          resolve();
        }
      };
      socket.on('takeUtf8', on);
    });
    socket.emit('getUtf8');
    await Promise.race([done, sleep(timeout)]);
    expect(show(got) === show(want), `got ${show(got)}`);
  });

  await check('echo of text beyond the BMP, newlines and backslashes', async () => {
    const value = { text: '😀é\nline2 \\n "quoted" \u2028', n: 1.5, list: [null, true, 'x'] };
    const [got] = await call(socket, 'echo', value);
    expect(show(got) === show(value), `echoed ${show(got)}`);
  });

  await check('binary from the server', async () => {
    socket.emit('doge');
    const [buf] = await next(socket, 'doge');
    expect(new TextDecoder().decode(buf) === 'asdfasdf', `got ${show(buf)}`);
  });

  await check('binary to the server (Uint8Array)', async () => {
    socket.emit('buffa', new Uint8Array([1, 2, 3, 4]));
    await next(socket, 'buffack');
  });

  await check('binary nested in an object to the server', async () => {
    socket.emit('jsonbuff', { hello: 'lol', message: new TextEncoder().encode('asdfasdf').buffer, goodbye: 'gotcha' });
    await next(socket, 'jsonbuff-ack');
  });

  await check('binary event, then a text event, in order', async () => {
    socket.emit('abuff1', new Uint8Array([9, 8, 7]).buffer);
    socket.emit('abuff2', 'after');
    await next(socket, 'abuff2-ack');
  });

  await check('binary at depth in an acked echo', async () => {
    const sub = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 5);
    const [got] = await call(socket, 'echo', { a: [1, { b: sub }], c: new Uint8Array([255]).buffer, d: 'x' });
    expect(got && got.a && got.a[0] === 1 && got.d === 'x', `echoed ${show(got)}`);
    expect(bytes(got.a[1].b) === '2,3,4', `nested bytes ${show(got.a[1].b)}`);
    expect(bytes(got.c) === '255', `bytes ${show(got.c)}`);
  });

  await check('namespace with a query', async () => {
    const admin = open('/admin', { query: { token: 'secret' } });
    await next(admin, 'connect');
    expect(admin.id === '/admin#' + admin.io.engine.id, `id ${admin.id}`);
    const [who] = await call(admin, 'whoami');
    expect(who === 'admin', `whoami ${show(who)}`);
  });

  await check('namespaces share one connection', async () => {
    const a = io('/foo', { transports: list });
    const b = io('/asd', { transports: list });
    sockets.push(a, b);
    expect(a.io === b.io, 'two managers');
    await Promise.all([next(a, 'connect'), next(b, 'connect')]);
  });

  await check('namespace refused by middleware', async () => {
    const [err] = await next(open('/admin'), 'error');
    expect(err === 'not authorized', `error ${show(err)}`);
  });

  await check('unknown namespace', async () => {
    const [err] = await next(open('/nope'), 'error');
    expect(err === 'Invalid namespace', `error ${show(err)}`);
  });

  await check('default namespace refused by middleware', async () => {
    const [err] = await next(open('/?fail=1'), 'error');
    expect(err === 'Auth failed (main namespace)', `error ${show(err)}`);
  });

  await check('emit before connect is buffered', async () => {
    const s = open();
    s.emit('hi');
    expect(!s.connected, 'connected synchronously');
    await next(s, 'hi');
  });

  await check('reconnects after the network drops, sends what was emitted meanwhile', async () => {
    const firstId = socket.id;
    const disconnected = next(socket, 'disconnect');
    const reconnected = next(socket, 'reconnect');
    reconnected.catch(() => {}); // awaited below, unless the disconnect fails first
    await fetch('/drop');
    const [reason] = await disconnected;
    expect(reason === 'transport close' || reason === 'transport error', `disconnect reason ${show(reason)}`);
    expect(!socket.connected, 'still connected');
    socket.emit('hi');
    await reconnected;
    await next(socket, 'hi');
    expect(socket.connected && socket.id !== firstId, `id ${socket.id} after reconnecting (was ${firstId})`);
  });

  await check('gives up after reconnectionAttempts', async () => {
    const s = open(undefined, { reconnectionAttempts: 2, reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 });
    await next(s, 'connect');
    let attempts = 0;
    s.on('reconnect_attempt', () => attempts++);
    const failed = next(s, 'reconnect_failed');
    failed.catch(() => {}); // awaited below, unless the disconnect fails first
    const disconnected = next(s, 'disconnect');
    await fetch('/drop?down=2000');
    await disconnected;
    await failed;
    expect(attempts === 2 && !s.connected, `${attempts} attempts, connected ${s.connected}`);
    if (!socket.connected) await next(socket, 'connect'); // dropped too
  });

  await check('server disconnect: no reconnection', async () => {
    let attempts = 0;
    socket.on('reconnect_attempt', () => attempts++);
    socket.emit('disconnect me');
    const [reason] = await next(socket, 'disconnect');
    expect(reason === 'io server disconnect', `disconnect reason ${show(reason)}`);
    await sleep(600);
    expect(attempts === 0 && !socket.connected, `${attempts} reconnection attempts`);
  });

  await check('client disconnect', async () => {
    const s = open();
    await next(s, 'connect');
    const closed = next(s, 'disconnect');
    s.close();
    const [reason] = await closed;
    expect(reason === 'io client disconnect' && s.disconnected, `disconnect reason ${show(reason)}`);
  });

  socket.close();
}

async function runCase(browser, c) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => {
    errors.push(err.message);
    console.log(`[${c.name}] page error: ${err.message}`);
  });
  await page.exposeFunction('report', (ok, name, why) => {
    if (ok) c.passed++;
    else c.failed++;
    console.log(ok ? `PASS [${c.name}] ${name}` : `FAIL [${c.name}] ${name}: ${why}`);
  });
  // What the routed websockets did, printed if the case fails.
  const traced = [];
  const started = Date.now();
  const trace = (line) => traced.push(`${String(Date.now() - started).padStart(6)} ms ${line}`);
  try {
    if (c.cutProbe) {
      // The server releases the held GET (noop) as it answers "3probe", and
      // the client's pause ends with that GET. So a session's polling GET
      // answers wait from the moment its probe websocket is routed (before
      // "2probe") until the page has seen that websocket close: its close
      // event has run, so the client's handler has too. The probe is then
      // always cut while the client pauses, never after it switched. (Cuts
      // made at "3probe" were not enough: the noop could pass the driver
      // before "3probe" did and reach the page after it, ending the pause.)
      const sidOf = (url) => (url.match(/[?&]sid=([^&]+)/) || [, ''])[1];
      const cuts = new Map(); // sid -> { done, resolve }, from routing to the page's close event
      const endCut = (sid) => {
        const cut = cuts.get(sid);
        if (cut) {
          cuts.delete(sid);
          cut.resolve();
        }
      };
      await page.exposeFunction('websocketClosed', (url) => {
        trace(`${sidOf(url)}: close event in the page`);
        endCut(sidOf(url));
      });
      await page.addInitScript(() => {
        // Listeners run in the order they were added: this one before the
        // client's onclose, so the client has handled the close by the
        // time the driver hears of it (the exposed call is asynchronous).
        const Base = window.WebSocket;
        window.WebSocket = class extends Base {
          constructor(...args) {
            super(...args);
            this.addEventListener('close', () => window.websocketClosed(this.url));
          }
        };
      });
      await page.route(/\/socket\.io\/.*transport=polling/, async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        let response;
        try {
          response = await route.fetch({ timeout: 0 });
        } catch (err) {
          return route.abort().catch(() => {});
        }
        const cut = cuts.get(sidOf(route.request().url()));
        if (cut) await cut.done;
        await route.fulfill({ response }).catch(() => {});
      });
      await page.routeWebSocket(/\/socket\.io\//, (ws) => {
        const sid = sidOf(ws.url());
        trace(`${sid}: routed`);
        if (sid) {
          let resolve;
          const done = new Promise((r) => { resolve = r; });
          cuts.set(sid, { done, resolve });
          // Bounded, should a probe stall or a close event go unreported:
          // polling must not be held up for good.
          setTimeout(() => {
            if (cuts.get(sid)?.done === done) {
              trace(`${sid}: no close event within 5 s`);
              endCut(sid);
            }
          }, 5000);
        }
        const server = ws.connectToServer();
        // Handlers of their own for page messages and closes (forwarded by
        // hand: setting one turns the default forwarding off), to trace them.
        ws.onMessage((message) => {
          trace(`${sid}: page sends ${message}`);
          server.send(message);
        });
        ws.onClose((code, reason) => {
          trace(`${sid}: page closed ${code}`);
          server.close({ code, reason }).catch(() => {});
        });
        server.onClose((code, reason) => {
          trace(`${sid}: server closed ${code}`);
          ws.close({ code, reason }).catch(() => {});
        });
        server.onMessage((message) => {
          trace(`${sid}: server sends ${message}`);
          ws.send(message);
          if (message === '3probe') {
            ws.close().catch(() => {});
            server.close().catch(() => {});
          }
        });
      });
    }
    await page.goto(c.url);
    await page.evaluate(inPage, { transports: c.transports, want: c.want, timeout: CHECK_TIMEOUT });
    if (errors.length) {
      c.failed++;
      console.log(`FAIL [${c.name}] no uncaught errors: ${errors.join('; ')}`);
    }
  } catch (err) {
    c.failed++;
    console.log(`FAIL [${c.name}] driver: ${String(err && err.message || err).split('\n')[0]}`);
  } finally {
    if (c.failed && traced.length) console.log(`[${c.name}] websocket trace:\n  ${traced.join('\n  ')}`);
    await page.close();
    console.log(`[${c.name}] ${c.passed} passed, ${c.failed} failed`);
  }
}

runCases(cases, runCase, OVERALL_TIMEOUT);

// Drives the chat page of examples/chat in headless Chromium (playwright-core):
// per case, two pages on the same chat and messages typed in the page's form.
//
// usage: node chat-browser.js CASE [CASE...]
//   CASE = NAME,URL,CLIENT,TRANSPORT[,SCREENSHOT]
//   NAME        a label for the output, e.g. "siogen"
//   URL         the chat's page, e.g. http://127.0.0.1:3000/
//   CLIENT      "siogen" (the runtime's own /socket.io/socket.io.js),
//               "official" (socket.io-client 2.x served in its place), or
//               "mixed": page 1 opens URL?client=v4, for which the server
//               serves the socket.io-client 4.x bundle (Engine.IO v4), page 2
//               URL with a 2.x client: the two generations chat together
//   TRANSPORT   the transport both pages must end on: "websocket" (the
//               upgrade happened) or "polling" (websocket refused, or not tried)
//   SCREENSHOT  optional: save a PNG of page 1 with the conversation there
// e.g. node chat-browser.js siogen,http://127.0.0.1:3000/,siogen,websocket,/tmp/chat.png
//
// The cases run at the same time, each in its own browser context, in one
// Chromium. Prints "PASS [NAME] <check>" or "FAIL [NAME] <check>: <why>"
// per check, "[NAME] N passed, M failed" per case, then "N passed, M failed"
// overall; exits 0 only if every check passed (2 on bad usage).
// The heartbeat check waits for two pongs, so the servers must run with a
// short ping interval (the Go test uses 500 ms).
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), CHECK_TIMEOUT_MS
// (default 15000) per check, OVERALL_TIMEOUT_MS (default 60000).
'use strict';

const { runCases } = require('./browser-run');

const USAGE = 'usage: node chat-browser.js NAME,URL,siogen|official|mixed,websocket|polling[,SCREENSHOT] ...';
const CHECK_TIMEOUT = Number(process.env.CHECK_TIMEOUT_MS || 15000);
const OVERALL_TIMEOUT = Number(process.env.OVERALL_TIMEOUT_MS || 60000);

const cases = process.argv.slice(2).map((arg) => {
  const [name, url, client, transport, screenshot] = arg.split(',');
  if (!name || !url || !['siogen', 'official', 'mixed'].includes(client) || !['websocket', 'polling'].includes(transport)) {
    console.error(`bad CASE ${JSON.stringify(arg)}\n${USAGE}`);
    process.exit(2);
  }
  return { name, url, client, transport, screenshot, passed: 0, failed: 0 };
});
if (cases.length === 0) {
  console.error(USAGE);
  process.exit(2);
}

const RUN = Math.random().toString(36).slice(2, 8);

async function check(c, name, fn) {
  const started = Date.now();
  try {
    await fn();
    c.passed++;
    console.log(`PASS [${c.name}] ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    c.failed++;
    console.log(`FAIL [${c.name}] ${name}: ${String(err && err.message || err).split('\n')[0]}`);
  }
}

function expect(cond, why) {
  if (!cond) throw new Error(why);
}

// openChat opens the chat page (at url, default the case's) and records its
// uncaught errors.
async function openChat(context, c, label, url = c.url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => {
    page.errors.push(err.message);
    console.log(`[${c.name}] ${label} error: ${err.message}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[${c.name}] ${label} console: ${msg.text()}`);
  });
  // Not "load": a JSONP poll is a script element that holds the load event.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return page;
}

// send types text into the page's input and submits the form, as a user does.
async function send(page, text) {
  await page.fill('#m', text);
  await page.press('#m', 'Enter');
}

function shows(page, text) {
  return page.locator('#messages li', { hasText: text }).first().waitFor({ timeout: CHECK_TIMEOUT });
}

async function runCase(browser, c) {
  const context = await browser.newContext({ viewport: { width: 720, height: 360 } });
  try {
    const mixed = c.client === 'mixed';
    const page1 = await openChat(context, c, 'page1', mixed ? c.url + '?client=v4' : c.url);
    const page2 = await openChat(context, c, 'page2');
    const pages = [page1, page2];

    await check(c, `client ${c.client} loaded`, async () => {
      await page1.waitForFunction(() => window.io, null, { timeout: CHECK_TIMEOUT });
      const ours = await page1.evaluate(() => window.io.client === 'siogen');
      expect(ours === (c.client === 'siogen'), `window.io.client says ${ours ? 'siogen' : 'not siogen'}`);
      if (mixed) {
        // Only socket.io-client 4.x sockets have timeout().
        const v4 = await Promise.all(pages.map((page) => page.evaluate(() => typeof window.socket.timeout === 'function')));
        expect(v4[0] && !v4[1], `page 1 runs socket.io-client ${v4[0] ? '4.x' : '2.x'}, page 2 ${v4[1] ? '4.x' : '2.x'}; want 4.x and 2.x`);
      }
    });

    await check(c, 'both pages connect', async () => {
      for (const page of pages) {
        await page.waitForFunction(() => window.socket && window.socket.connected, null, { timeout: CHECK_TIMEOUT });
      }
      // Count heartbeats from here on.
      for (const page of pages) {
        await page.evaluate(() => {
          window.pongs = 0;
          if (typeof window.socket.timeout === 'function') {
            // 4.x: the server pings; the Manager reports each ping it answers.
            window.socket.io.on('ping', () => { window.pongs++; });
          } else {
            window.socket.on('pong', () => { window.pongs++; });
          }
        });
      }
    });

    await check(c, 'nickname from page 1', async () => {
      await send(page1, '/nick alice');
      await shows(page1, 'you are now alice');
      await shows(page2, 'alice joined (2 online)');
    });

    const first = `hello from page 1 (${RUN})`;
    await check(c, 'message typed in page 1 shows in both pages', async () => {
      await send(page1, first);
      await shows(page1, first);
      await shows(page2, first);
    });

    await check(c, 'delivery ack on page 1', async () => {
      await page1.waitForFunction(() => document.title === 'Socket.IO chat (delivered to 2)', null, { timeout: CHECK_TIMEOUT });
    });

    const second = `hi alice, page 2 here ✓ (${RUN})`;
    await check(c, 'message typed in page 2 shows in both pages', async () => {
      await send(page2, second);
      await shows(page1, second);
      await shows(page2, second);
    });

    await check(c, 'heartbeat: two pongs on each page', async () => {
      for (const page of pages) {
        await page.waitForFunction(() => window.pongs >= 2, null, { timeout: CHECK_TIMEOUT });
      }
    });

    await check(c, `transport ${c.transport} on both pages`, async () => {
      for (const page of pages) {
        try {
          await page.waitForFunction((want) => window.socket.io.engine.transport.name === want, c.transport, { timeout: CHECK_TIMEOUT });
        } catch (err) {
          const got = await page.evaluate(() => window.socket.io.engine.transport.name);
          throw new Error(`transport is ${got}`);
        }
      }
    });

    const third = `still here after the heartbeats (${RUN})`;
    await check(c, 'message after the transport settled shows in both pages', async () => {
      await send(page1, third);
      await shows(page1, third);
      await shows(page2, third);
    });

    await check(c, 'no uncaught errors in the pages', async () => {
      const errors = page1.errors.concat(page2.errors);
      expect(errors.length === 0, errors.join('; '));
    });

    if (c.screenshot) {
      await check(c, 'screenshot', async () => {
        await page1.screenshot({ path: c.screenshot });
        console.log(`[${c.name}] screenshot: ${c.screenshot}`);
      });
    }
  } catch (err) {
    c.failed++;
    console.log(`FAIL [${c.name}] driver: ${String(err && err.message || err).split('\n')[0]}`);
  } finally {
    await context.close();
    console.log(`[${c.name}] ${c.passed} passed, ${c.failed} failed`);
  }
}

runCases(cases, runCase, OVERALL_TIMEOUT);

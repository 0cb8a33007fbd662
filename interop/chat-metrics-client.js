// A known workload for the chat's metrics test (examples/chat
// TestMetricsAfterOfficialClients), with the official socket.io-client
// 2.5.0: three clients (polling, websocket, and polling upgraded to
// websocket) connect; each picks a name; the first sends three lines, an
// event the chat does not handle, and a last line, each line with its ack.
// It prints "workload done" once every line has reached every client and
// the last ack is back, then waits for the line "bye" and disconnects all
// three, printing "bye".
//
// usage: node chat-metrics-client.js URL
'use strict';

const io = require('socket.io-client');

const [url] = process.argv.slice(2);
if (!url) { console.error('usage: node chat-metrics-client.js URL'); process.exit(2); }
const TIMEOUT = 10000;
setTimeout(() => { console.error('timed out'); process.exit(1); }, 4 * TIMEOUT).unref();

function connect(transports) {
  const s = io(url, { transports, forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    s.on('connect', () => resolve(s));
    s.on('connect_error', reject);
  });
}

function waitUpgrade(s) {
  return new Promise((resolve) => {
    if (s.io.engine.transport.name === 'websocket') return resolve();
    s.io.engine.on('upgrade', () => resolve());
  });
}

function ack(s, ...args) {
  return new Promise((resolve) => s.emit(...args, resolve));
}

// lines resolves once s has received every line of want.
function lines(s, want) {
  const left = new Set(want);
  return new Promise((resolve) => {
    s.on('chat message', (msg) => {
      left.delete(msg);
      if (left.size === 0) resolve();
    });
  });
}

(async () => {
  const sockets = [
    await connect(['polling']),
    await connect(['websocket']),
    await connect(['polling', 'websocket']),
  ];
  await waitUpgrade(sockets[2]);
  for (const [i, s] of sockets.entries()) await ack(s, 'set name', 'user' + i);
  const sent = ['one', 'two', 'three', 'last'];
  const received = sockets.map((s) => lines(s, sent));
  const [a] = sockets;
  for (const line of sent.slice(0, 3)) await ack(a, 'chat message', line);
  a.emit('not in the schema', 1);
  await ack(a, 'chat message', 'last');
  await Promise.all(received);
  console.log('workload done');
  await Promise.all(sockets.map((s) => lines(s, ['bye'])));
  for (const s of sockets) s.close();
  console.log('bye');
})().catch((e) => { console.error(e); process.exit(1); });

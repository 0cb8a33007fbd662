// Checks that the official socket.io-client 2.5.0 (or 4.8.3, with
// SIO_CLIENT=4 in the environment) reconnects to a server
// that went away and came back on the same address, with its default
// reconnection (delays shortened): reconnect_attempt and reconnect fire, an
// event emitted while disconnected is sent after reconnecting, and every
// namespace of the Manager rejoins.
//
// usage: node sio-reconnect.js URL TRANSPORTS
//   The server must answer "hi" with "hi" on "/" and on "/foo", and record
//   "note" events (the caller checks that the note "while down" arrives).
// Prints "connected" once "/" and "/foo" are connected (the caller then
// stops the server), "disconnected <reason>" when "/" loses it, and
// "reconnected after N attempts" when both sockets are back and answer
// "hi"; exits 0 then, 1 on SIO_OVERALL_TIMEOUT_MS (default 30000).
'use strict';

const io = require(process.env.SIO_CLIENT === '4' ? 'socket.io-client-v4' : 'socket.io-client');

const [url, transportsArg = 'polling,websocket'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node sio-reconnect.js URL TRANSPORTS');
  process.exit(2);
}
const opts = { transports: transportsArg.split(','), reconnectionDelay: 100, reconnectionDelayMax: 500 };
const root = io(url, opts);
const foo = io(url + '/foo', opts);
if (root.io !== foo.io) {
  console.log('FAIL: the two namespaces do not share a Manager');
  process.exit(1);
}
setTimeout(() => {
  console.log('FAIL: not reconnected in time');
  process.exit(1);
}, Number(process.env.SIO_OVERALL_TIMEOUT_MS || 30000));

const hi = (s) => new Promise((resolve) => {
  s.once('hi', resolve);
  s.emit('hi');
});
const connected = (s) => new Promise((resolve) => (s.connected ? resolve() : s.once('connect', resolve)));

let attempts = 0;
let reconnectEvent = 0;
root.io.on('reconnect_attempt', (n) => {
  attempts = n;
  console.log(`reconnect_attempt ${n}`);
});
root.io.on('reconnect', (n) => {
  reconnectEvent = n;
  console.log(`reconnect ${n}`);
});

(async () => {
  await Promise.all([connected(root), connected(foo)]);
  const firstId = root.id;
  const down = new Promise((resolve) => root.once('disconnect', resolve));
  console.log('connected');
  const reason = await down;
  console.log(`disconnected ${reason}`);
  root.emit('note', 'while down'); // buffered until reconnected
  // 4.x fires 'reconnect' on the Manager only.
  await new Promise((resolve) => (process.env.SIO_CLIENT === '4' ? root.io : root).once('reconnect', resolve));
  await Promise.all([connected(root), connected(foo)]);
  await Promise.all([hi(root), hi(foo)]);
  if (attempts < 1 || reconnectEvent !== attempts || root.id === firstId) {
    console.log(`FAIL: ${attempts} attempts, reconnect(${reconnectEvent}), id ${root.id} (was ${firstId})`);
    process.exit(1);
  }
  console.log(`reconnected after ${attempts} attempts`);
  process.exit(0);
})();

// A client of the identity test (internal/apptest/identityapi), on the
// official socket.io-client 2.x or 4.x.
// usage: node identity-client.js URL VERSION USER
// VERSION is 2 (socket.io-client 2.5.0) or 4 (4.8.3, socket.io-client-v4).
// For each transport setup in turn (polling then upgrade, websocket alone,
// polling alone) it connects with the headers "Authorization: Bearer USER"
// and "X-Trace: v<VERSION>-<setup>", prints
//   whoami <setup> <user> <trace>
// with the whoami ack, asks for the hold "v<VERSION>-<setup>", prints
//   hold <setup> <holds>
// with its ack, and disconnects. It prints "done" at the end and exits 0
// once every connection is closed; any error exits 1.
'use strict';
const [url, version, user] = process.argv.slice(2);
const io = require(version === '4' ? 'socket.io-client-v4' : 'socket.io-client');
const setups = [
  ['polling+upgrade', ['polling', 'websocket']],
  ['websocket', ['websocket']],
  ['polling', ['polling']],
];

function fail(msg) {
  console.log('error ' + msg);
  process.exit(1);
}

function run(i) {
  if (i === setups.length) {
    // Not process.exit: node ends once the last DISCONNECT is out.
    console.log('done');
    return;
  }
  const [name, transports] = setups[i];
  const trace = 'v' + version + '-' + name;
  const s = io(url, {
    transports,
    forceNew: true,
    reconnection: false,
    extraHeaders: { Authorization: 'Bearer ' + user, 'X-Trace': trace },
  });
  s.on('connect_error', (err) => fail(name + ' connect_error ' + (err && err.message)));
  s.on('error', (err) => fail(name + ' error ' + JSON.stringify(err)));
  s.once('connect', () => {
    s.emit('whoami', (who, tr) => {
      console.log('whoami ' + name + ' ' + who + ' ' + tr);
      s.emit('hold', trace, (holds) => {
        console.log('hold ' + name + ' ' + holds);
        s.disconnect();
        run(i + 1);
      });
    });
  });
}

setTimeout(() => fail('timed out'), 20000).unref();
run(0);

// A client of the identity test (internal/apptest/identityapi), on the
// official socket.io-client 2.x or 4.x.
// usage: node identity-client.js URL VERSION USER [stay]
// VERSION is 2 (socket.io-client 2.5.0) or 4 (4.8.3, socket.io-client-v4).
// For each transport setup (polling then upgrade, websocket alone, polling
// alone) it connects with the headers "Authorization: Bearer USER" and
// "X-Trace: v<VERSION>-<setup>", prints
//   whoami <setup> <user> <trace>
// with the whoami ack, asks for the hold "v<VERSION>-<setup>" and prints
//   hold <setup> <holds>
// with its ack. Then it disconnects and goes on with the next setup; with
// "stay", the setups run side by side and stay connected until the server
// disconnects them, printing "disconnect <setup> <reason>" for each. It
// prints "done" when every setup is through, and exits 0 once every
// connection is closed; any error exits 1.
'use strict';
const [url, version, user, mode] = process.argv.slice(2);
const io = require(version === '4' ? 'socket.io-client-v4' : 'socket.io-client');
const stay = mode === 'stay';
const setups = [
  ['polling+upgrade', ['polling', 'websocket']],
  ['websocket', ['websocket']],
  ['polling', ['polling']],
];

function fail(msg) {
  console.log('error ' + msg);
  process.exit(1);
}

// run connects setup i and calls next once it is through.
function run(i, next) {
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
        if (!stay) {
          s.disconnect();
          next();
        }
      });
    });
  });
  if (stay) {
    s.on('disconnect', (reason) => {
      console.log('disconnect ' + name + ' ' + reason);
      next();
    });
  }
}

let through = 0;
function one() {
  through++;
  if (through === setups.length) {
    // Not process.exit: node ends once the last packets are out.
    console.log('done');
  } else if (!stay) {
    run(through, one);
  }
}

setTimeout(() => fail('timed out'), 20000).unref();
if (stay) {
  setups.forEach((_, i) => run(i, one));
} else {
  run(0, one);
}

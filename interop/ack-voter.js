// One voter of the broadcast-with-acks tests (internal/apptest/ackapi),
// on the official client.
// usage: node ack-voter.js URL VERSION TRANSPORT MODE [ROOM]
//   VERSION   2 (socket.io-client 2.5.0) or 4 (socket.io-client 4.8.3)
//   TRANSPORT polling or websocket (the only one offered)
//   MODE      answer: acks "vote" with ("<VERSION>-<TRANSPORT>", VERSION)
//             bad:    acks with a weight that is not a number
//             reject: acks with {error: "no"}
//             silent: never acks
// With ROOM it emits "enter" ROOM and waits for the ack first. Prints
// "connected <socket id>" once ready and "voted <question>" per vote.
'use strict';
const [url, version, transport, mode, room] = process.argv.slice(2);
const io = require(version === '4' ? 'socket.io-client-v4' : 'socket.io-client');
const s = io(url, { transports: [transport], reconnection: false, forceNew: true });
s.on('connect_error', (err) => { console.log('connect_error ' + err.message); process.exit(1); });
s.on('vote', (question, ack) => {
  console.log('voted ' + question);
  switch (mode) {
    case 'answer': ack(version + '-' + transport, Number(version)); break;
    case 'bad': ack('bad', 'heavy'); break;
    case 'reject': ack({ error: 'no' }); break;
  }
});
s.on('connect', () => {
  if (!room) { console.log('connected ' + s.id); return; }
  s.emit('enter', room, () => console.log('connected ' + s.id));
});

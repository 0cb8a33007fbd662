// One chat user on socket.io-client 4.8.3 (the socket.io-client-v4 alias),
// for the mixed-cluster tests of a socket.io 4.x chat node.
// usage: node chat-line-v4.js URL REPLY
// Prints "connected" once connected, then "got <JSON>" for every
// "chat message" it receives; on the first one that is not REPLY, it sends
// REPLY, then "end node" (after which a duplicate of REPLY cannot come).
'use strict';
const io = require('socket.io-client-v4');
const [url, reply] = process.argv.slice(2);
const s = io(url, { transports: ['websocket'], reconnection: false });
let replied = false;
s.on('connect', () => console.log('connected'));
s.on('connect_error', (err) => { console.log('connect_error ' + err.message); process.exit(1); });
s.on('chat message', (msg) => {
  console.log('got ' + JSON.stringify(msg));
  if (!replied && msg !== reply) {
    replied = true;
    s.emit('chat message', reply);
    s.emit('chat message', 'end node');
  }
});

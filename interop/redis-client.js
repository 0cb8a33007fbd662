// The official socket.io-client 2.5.0 as a client of one node of a
// socket.io cluster, driven by that node, for the Go Redis adapter's
// mixed-cluster test (runtime/redisadapter).
// usage: node redis-client.js URL
// Prints "connected <id>", then one line per event received:
//   said <JSON>        for "said" msg
//   said bin <hex>     for "said bin" buf
// and obeys the server's "cue" events: cue "say" msg emits "say" msg;
// cue "say bin" hex emits "say bin" with those bytes.
const io = require('socket.io-client');

const socket = io(process.argv[2], { transports: ['websocket'], reconnection: false });
socket.on('connect', () => console.log('connected ' + socket.id));
socket.on('said', (msg) => console.log('said ' + JSON.stringify(msg)));
socket.on('said bin', (buf) => console.log('said bin ' + Buffer.from(buf).toString('hex')));
socket.on('cue', (what, arg) => {
  if (what === 'say bin') socket.emit('say bin', Buffer.from(arg, 'hex'));
  else socket.emit(what, arg);
});
socket.on('disconnect', (reason) => {
  console.log('disconnected ' + reason);
  process.exit(0);
});
socket.on('connect_error', (err) => {
  console.log('connect_error ' + err);
  process.exit(1);
});

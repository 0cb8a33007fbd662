// A socket.io 2.5.1 node of a socket.io-redis 5.4.0 cluster, the Node side
// of the Go Redis adapter's mixed-cluster test (runtime/redisadapter).
// usage: PORT=3000 REDIS=127.0.0.1:6379 node redis-node.js
// Prints "ready" once it listens and Redis has confirmed its subscriptions.
// Events (as the Go nodes of the test):
//   say msg             everyone in the cluster gets "said" msg
//   say bin buf         everyone gets "said bin" buf
//   say to room msg     the sockets in room, on any node, get "said" msg
//   join room (ack)     the socket joins room
//   clients (ack ids)   the socket ids of every node (adapter.clients)
//   all rooms (ack)     the rooms of every node (adapter.allRooms)
//   client rooms sid (ack err rooms) adapter.clientRooms
//   remote join sid room (ack err)   adapter.remoteJoin
//   remote leave sid room (ack err)  adapter.remoteLeave
//   remote disconnect sid close (ack err)  adapter.remoteDisconnect
//   custom data (ack replies)        adapter.customRequest
// Its custom hook answers "node:" + data.
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const io = require('socket.io')(http);
const redisAdapter = require('socket.io-redis');

const [host, port] = (process.env.REDIS || '127.0.0.1:6379').split(':');
io.adapter(redisAdapter({ host, port: Number(port || 6379) }));
const nsp = io.of('/');
nsp.adapter.on('error', (err) => console.log('adapter error: ' + err));
nsp.adapter.customHook = (data, cb) => cb('node:' + data);

const errText = (err) => (err ? String(err) : null);
io.on('connection', (socket) => {
  socket.on('say', (msg) => io.emit('said', msg));
  socket.on('say bin', (buf) => io.emit('said bin', buf));
  socket.on('say to', (room, msg) => io.to(room).emit('said', msg));
  socket.on('join', (room, ack) => socket.join(room, () => ack && ack()));
  socket.on('clients', (ack) => nsp.adapter.clients((err, ids) => ack(errText(err), ids)));
  socket.on('all rooms', (ack) => nsp.adapter.allRooms((err, rooms) => ack(errText(err), rooms)));
  socket.on('client rooms', (sid, ack) => nsp.adapter.clientRooms(sid, (err, rooms) => ack(errText(err), rooms)));
  socket.on('remote join', (sid, room, ack) => nsp.adapter.remoteJoin(sid, room, (err) => ack(errText(err))));
  socket.on('remote leave', (sid, room, ack) => nsp.adapter.remoteLeave(sid, room, (err) => ack(errText(err))));
  socket.on('remote disconnect', (sid, close, ack) =>
    nsp.adapter.remoteDisconnect(sid, close, (err) => ack(errText(err))));
  socket.on('custom', (data, ack) => nsp.adapter.customRequest(data, (err, replies) => ack(errText(err), replies)));
});

// Ready: listening, the broadcast pattern and both request channels.
const waiting = new Set(['listening', 'psubscribe', 'socket.io-request#/#', 'socket.io-response#/#']);
const done = (what) => {
  waiting.delete(what);
  if (waiting.size === 0) console.log('ready');
};
nsp.adapter.subClient.on('psubscribe', () => done('psubscribe'));
nsp.adapter.subClient.on('subscribe', (channel) => done(String(channel)));
http.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => done('listening'));

// A socket.io 4.8.3 node of an @socket.io/redis-adapter 8.3.0 cluster (redis
// 4.7 client), the Node side of the Go Redis adapter's test of
// ProtocolRedisAdapter8 (runtime/redisadapter). It admits Engine.IO v3
// clients (allowEIO3), so the Go client of the test connects to it.
// usage: PORT=3000 REDIS=127.0.0.1:6379 node redis-adapter-node.js
// Prints "ready" once it listens and Redis has confirmed its subscriptions.
// Events (each answers through its ack: an error text or null, then a result):
//   say msg                 everyone in the cluster gets "said" msg
//   say bin buf             everyone gets "said bin" buf
//   say to room msg         the sockets in room, on any node, get "said" msg
//   join room               the socket joins room
//   fetch                   io.fetchSockets(): [{id, rooms}]
//   fetch in room           io.in(room).fetchSockets(): [{id, rooms}]
//   all rooms               adapter.allRooms()
//   sockets join target room / sockets leave target room
//                           io.in(target).socketsJoin(room) / socketsLeave(room)
//   disconnect sockets target close   io.in(target).disconnectSockets(close)
//   server emit event arg   io.serverSideEmit(event, arg)
//   server emit ack event arg         io.serverSideEmitWithAck(event, arg): replies
//   ask everyone arg        io.timeout(10000).emitWithAck("ask", arg): the answers
// Server-side: "note" arg makes everyone get "said" "noted " + arg; "ping"
// arg answers "node:" + arg.
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const { Server } = require('socket.io-v4');
const { createClient } = require('redis');
const { createAdapter } = require('@socket.io/redis-adapter');

const io = new Server(http, { allowEIO3: true });
const errText = (err) => (err ? String(err && err.message || err) : null);
const answer = (ack, promise) =>
  Promise.resolve(promise).then((v) => ack && ack(null, v === undefined ? null : v), (err) => ack && ack(errText(err)));

io.on('connection', (socket) => {
  socket.on('say', (msg) => io.emit('said', msg));
  socket.on('say bin', (buf) => io.emit('said bin', buf));
  socket.on('say to', (room, msg) => io.to(room).emit('said', msg));
  socket.on('join', (room, ack) => { socket.join(room); ack && ack(); });
  const described = (ss) => ss.map((s) => ({ id: s.id, rooms: [...s.rooms] }));
  socket.on('fetch', (ack) => answer(ack, io.fetchSockets().then(described)));
  socket.on('fetch in', (room, ack) => answer(ack, io.in(room).fetchSockets().then(described)));
  socket.on('all rooms', (ack) => answer(ack, io.of('/').adapter.allRooms().then((r) => [...r])));
  socket.on('sockets join', (target, room, ack) => answer(ack, io.in(target).socketsJoin(room)));
  socket.on('sockets leave', (target, room, ack) => answer(ack, io.in(target).socketsLeave(room)));
  socket.on('disconnect sockets', (target, close, ack) => answer(ack, io.in(target).disconnectSockets(close)));
  socket.on('server emit', (event, arg, ack) => answer(ack, io.serverSideEmit(event, arg)));
  socket.on('server emit ack', (event, arg, ack) => answer(ack, io.serverSideEmitWithAck(event, arg)));
  socket.on('ask everyone', (arg, ack) => answer(ack, io.timeout(10000).emitWithAck('ask', arg)));
});
io.on('note', (arg) => io.emit('said', 'noted ' + arg));
io.on('ping', (arg, cb) => cb('node:' + arg));

async function main() {
  const [host, port] = (process.env.REDIS || '127.0.0.1:6379').split(':');
  const pub = createClient({ socket: { host, port: Number(port || 6379) } });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (err) => console.error('redis:', err.message));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { requestsTimeout: 10000 }));
  // Commands of one connection are answered in order: once this
  // subscription is confirmed, so are the adapter's.
  await sub.subscribe('redis-adapter-node-ready', () => {});
  http.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => console.log('ready'));
}
main().catch((err) => { console.error(err); process.exit(1); });

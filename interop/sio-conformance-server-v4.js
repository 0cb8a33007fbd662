// Copy of shared/peers/node-conformance-v4/index.js, the reference implementation
// of the socket.io 4.x conformance contract (its README.md) on socket.io 4.8.3,
// so that Go tests run it from the repository (interop/package.json pins it as
// socket.io-v4). Identical to the reference but for this header and the require.
// usage: PORT=3211 [ALLOW_EIO3=1] node sio-conformance-server-v4.js   (prints "listening on *:PORT")
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const { Server } = require('socket.io-v4');

const io = new Server(http, {
  pingInterval: 2000,
  connectionStateRecovery: {}, // defaults: sessions kept 2 min, middlewares skipped on recovery
  allowEIO3: process.env.ALLOW_EIO3 === '1',
  // every new Engine.IO session is admitted 10 ms late, so a 0 ms client timeout always fires
  allowRequest: (req, callback) => setTimeout(() => callback(null, true), 10),
});

const ASDF = Buffer.from('asdfasdf', 'utf8');
const UTF8 = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string'];

for (const nsp of ['/asd', '/valid', '/timeout_socket']) io.of(nsp).on('connection', () => {});
io.of('/foo').on('connection', (socket) => {
  socket.on('getId', (ack) => ack(socket.id));
});
io.of('/abc').on('connection', (socket) => socket.emit('handshake', socket.handshake));
io.of('/no').use((socket, next) => next(new Error('Auth failed (custom namespace)')));

io.on('connection', (socket) => {
  socket.on('hi', () => socket.emit('hi'));
  socket.on('echo', (value, ack) => ack(value));
  socket.on('ack', () => {
    socket.emit('ack', (a, b) => { if (a === 5 && b && b.test === true) socket.emit('got it'); });
  });
  socket.on('getAckDate', (data, ack) => ack(new Date()));
  socket.on('getDate', () => socket.emit('takeDate', new Date()));
  socket.on('getDateObj', () => socket.emit('takeDateObj', { date: new Date() }));
  socket.on('getUtf8', () => UTF8.forEach((s) => socket.emit('takeUtf8', s)));
  socket.on('false', () => socket.emit('false', false));
  socket.on('doge', () => socket.emit('doge', ASDF));
  socket.on('buffa', (a) => { if (Buffer.isBuffer(a)) socket.emit('buffack'); });
  socket.on('jsonbuff', (a) => {
    if (a && a.hello === 'lol' && Buffer.isBuffer(a.message) && a.goodbye === 'gotcha') socket.emit('jsonbuff-ack');
  });
  let gotAbuff1 = false;
  socket.on('abuff1', (a) => { gotAbuff1 = Buffer.isBuffer(a); });
  socket.on('abuff2', () => { if (gotAbuff1) socket.emit('abuff2-ack'); });
  socket.on('getHandshake', (ack) => ack(socket.handshake));
  socket.on('getId', (ack) => ack(socket.id));
});

const port = Number(process.env.PORT || 3211);
http.listen(port, '127.0.0.1', () => console.log('listening on *:' + port));

// Copy of shared/peers/node-conformance/index.js, the reference implementation of
// the conformance contract (shared/peers/node-conformance/README.md) on socket.io
// 2.5.1, so that Go tests run it from the repository (interop/package.json pins
// socket.io). Keep it identical to the reference but for this header.
// usage: PORT=3210 node sio-conformance-server.js   (prints "listening on *:PORT")
// PORT (default 3210) picks the port.
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const io = require('socket.io')(http, { pingInterval: 2000 });

const ASDF = Buffer.from('asdfasdf', 'utf8');
const UTF8 = ['てすと', 'Я Б Г Д Ж Й', 'Ä ä Ü ü ß', 'utf8 — string', 'utf8 — string'];

for (const nsp of ['/foo', '/asd', '/valid', '/timeout_socket']) io.of(nsp).on('connection', () => {});

io.use((socket, next) => {
  if (socket.request._query.fail) return next(new Error('Auth failed (main namespace)'));
  next();
});
io.of('/abc').on('connection', (socket) => socket.emit('handshake', socket.handshake));
io.of('/no').use((socket, next) => next(new Error('Auth failed (custom namespace)')));

const admin = io.of('/admin');
admin.use((socket, next) => {
  if (socket.handshake.query.token === 'secret') return next();
  next(new Error('not authorized'));
});
admin.on('connection', (socket) => {
  socket.on('whoami', (ack) => ack('admin'));
});

io.on('connection', (socket) => {
  socket.on('hi', () => socket.emit('hi'));
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
  socket.on('getbin', () => socket.emit('takebin', ASDF));
  socket.on('echo', (value, ack) => ack(value));
  socket.on('getHandshake', (ack) => ack(socket.handshake));
  socket.on('join', (room, ack) => {
    socket.join(room, () => io.in(room).clients((err, ids) => ack(err ? -1 : ids.length)));
  });
  socket.on('room message', (room, msg) => socket.to(room).emit('room message', room, msg));
  socket.on('broadcast', (msg) => socket.broadcast.emit('broadcast', msg));
  socket.on('disconnect me', () => socket.disconnect(true));
  socket.on('server ack', (n) => {
    socket.emit('double', n, (m) => socket.emit('double result', m));
  });
});

const port = Number(process.env.PORT || 3210);
http.listen(port, '127.0.0.1', () => console.log('listening on *:' + port));

// The reference chat (shared/peers/node-chat/index.js, the seed's server on
// socket.io 2.5.1) without express, so that Go tests run it from this
// repository's interop/ packages. Same events and logs as the reference.
// usage: PORT=3000 [QUIET=1] [REDIS=host:port] node node-chat.js
// (prints "listening on *:PORT"; REDIS needs socket.io-redis installed)
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const io = require('socket.io')(http);
const quiet = process.env.QUIET === '1';
if (process.env.REDIS) {
  const [host, port] = process.env.REDIS.split(':');
  io.adapter(require('socket.io-redis')({ host, port: Number(port || 6379) }));
}

io.on('connection', (socket) => {
  if (!quiet) console.log('a user connected');
  socket.on('disconnect', () => { if (!quiet) console.log('user disconnected'); });
  socket.on('chat message', (msg) => {
    if (!quiet) console.log('message:' + msg);
    io.emit('chat message', msg);
  });
});

const port = Number(process.env.PORT || 3000);
http.listen(port, '127.0.0.1', () => console.log('listening on *:' + port));

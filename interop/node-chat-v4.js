// The reference chat on socket.io 4.8 (shared/peers/node-chat-v4/index.js,
// Engine.IO v4 / Socket.IO v5) without express, so that Go tests run it
// from this repository's interop/ packages ('socket.io-v4' is socket.io
// 4.8.3). Same events and logs as the reference.
// usage: PORT=3000 [QUIET=1] [ALLOW_EIO3=1] node node-chat-v4.js
// (prints "listening on *:PORT")
const http = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
const { Server } = require('socket.io-v4');
const io = new Server(http, { allowEIO3: process.env.ALLOW_EIO3 === '1' });
const quiet = process.env.QUIET === '1';

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

// The reference chat on socket.io 4.8 (shared/peers/node-chat-v4/index.js,
// Engine.IO v4 / Socket.IO v5) without express, so that Go tests run it
// from this repository's interop/ packages ('socket.io-v4' is socket.io
// 4.8.3). Same events and logs as the reference; REDIS joins a cluster
// through @socket.io/redis-adapter 8.3.0 (redis 4.7 client), as the reference.
// usage: PORT=3000 [QUIET=1] [ALLOW_EIO3=1] [REDIS=host:port] node node-chat-v4.js
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

async function main() {
  if (process.env.REDIS) {
    const { createClient } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const [host, port] = process.env.REDIS.split(':');
    const pub = createClient({ socket: { host, port: Number(port || 6379) } });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on('error', (err) => console.error('redis:', err.message));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  const port = Number(process.env.PORT || 3000);
  http.listen(port, '127.0.0.1', () => console.log('listening on *:' + port));
}
main().catch((err) => { console.error(err); process.exit(1); });

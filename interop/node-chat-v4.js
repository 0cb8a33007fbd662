// The reference chat on socket.io 4.8 (shared/peers/node-chat-v4/index.js,
// Engine.IO v4 / Socket.IO v5) without express, so that Go tests run it
// from this repository's interop/ packages ('socket.io-v4' is socket.io
// 4.8.3). Same events and logs as the reference.
// usage: PORT=3000 [QUIET=1] [ALLOW_EIO3=1] [REDIS=host:port] node node-chat-v4.js
// (prints "listening on *:PORT"; REDIS joins a cluster through
// @socket.io/redis-adapter 8.x with the redis 4.x client, and listening waits
// for its subscriptions; unlike the reference, a comma-separated REDIS is a
// Redis Cluster, for bench/)
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
    const { createClient, createCluster } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const addrs = process.env.REDIS.split(',');
    const socket = (addr) => ({ host: addr.split(':')[0], port: Number(addr.split(':')[1] || 6379) });
    const pub = addrs.length > 1
      ? createCluster({ rootNodes: addrs.map((a) => ({ socket: socket(a) })) })
      : createClient({ socket: socket(addrs[0]) });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on('error', (err) => console.error('redis:', err.message));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    // Commands of one connection are answered in order: once this
    // subscription is confirmed, so are the adapter's.
    await sub.subscribe('node-chat-v4-ready', () => {});
  }
  const port = Number(process.env.PORT || 3000);
  http.listen(port, '127.0.0.1', () => console.log('listening on *:' + port));
}
main().catch((err) => { console.error(err); process.exit(1); });

// Engine.IO 3.6.2 echo server for the Go client's interop tests
// (runtime/engineio/client_interop_test.go). With ENGINE=6, the engine.io
// 6.x of socket.io 4.8.3 instead, with allowEIO3 (both protocol revisions)
// unless ALLOW_EIO3=0.
//
// Env: PORT (required), PING_INTERVAL and PING_TIMEOUT in ms (optional),
// ENGINE, ALLOW_EIO3.
// Listens on 127.0.0.1:PORT at /socket.io/ and prints "listening pid <pid>".
// Echoes every message back as it came (text as text, binary as binary);
// on the text message "close me" it closes the socket from the server side;
// a text message starting with "say:" is printed as "said <sid> <message>"
// instead of echoed.
// Prints "open <sid> <transport>", "upgrade <sid> <transport>" and
// "closed <sid> <reason>".
'use strict';

const http = require('http');
const path = require('path');
const v6 = process.env.ENGINE === '6';
const engine = v6
  ? require(require.resolve('engine.io', { paths: [path.dirname(require.resolve('socket.io-v4'))] }))
  : require('engine.io');

const opts = { path: '/socket.io', maxHttpBufferSize: 1e8 };
if (v6) opts.allowEIO3 = process.env.ALLOW_EIO3 !== '0';
if (process.env.PING_INTERVAL) opts.pingInterval = Number(process.env.PING_INTERVAL);
if (process.env.PING_TIMEOUT) opts.pingTimeout = Number(process.env.PING_TIMEOUT);

const httpServer = http.createServer();
const server = engine.attach(httpServer, opts);

server.on('connection', (socket) => {
  console.log(`open ${socket.id} ${socket.transport.name}`);
  socket.on('upgrade', (transport) => console.log(`upgrade ${socket.id} ${transport.name}`));
  socket.on('message', (data) => {
    if (typeof data === 'string' && data.startsWith('say:')) {
      console.log(`said ${socket.id} ${data}`);
      return;
    }
    if (data === 'close me') {
      socket.close();
      return;
    }
    socket.send(data);
  });
  socket.on('close', (reason) => console.log(`closed ${socket.id} ${reason}`));
});

httpServer.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`listening pid ${process.pid}`);
});

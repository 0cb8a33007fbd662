// Engine.IO 3.6.2 echo server for the Go client's interop tests
// (runtime/engineio/client_interop_test.go).
//
// Env: PORT (required), PING_INTERVAL and PING_TIMEOUT in ms (optional).
// Listens on 127.0.0.1:PORT at /socket.io/ and prints "listening pid <pid>".
// Echoes every message back as it came (text as text, binary as binary);
// on the text message "close me" it closes the socket from the server side;
// a text message starting with "say:" is printed as "said <sid> <message>"
// instead of echoed.
// Prints "open <sid> <transport>", "upgrade <sid> <transport>" and
// "closed <sid> <reason>".
'use strict';

const http = require('http');
const engine = require('engine.io');

const opts = { path: '/socket.io', maxHttpBufferSize: 1e8 };
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

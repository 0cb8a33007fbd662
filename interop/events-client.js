// Drives the end-to-end test of internal/apptest/eventsapi with the official
// socket.io-client 2.5.0 (or 4.8.3, with SIO_CLIENT=4 in the environment):
// one step after the other, each waiting for its ack, it prints what comes
// back, and the Go test compares the lines with what the generated Go client
// sees.
//
// usage: node events-client.js URL TRANSPORTS
// Prints "EVENT <name> <args as JSON>" for each "receipt" and "placed"
// event, "ACK <step> <ack arguments as JSON>" for each step, then "done";
// exits 1 on SIO_OVERALL_TIMEOUT_MS (default 20000).
'use strict';

const io = require(process.env.SIO_CLIENT === '4' ? 'socket.io-client-v4' : 'socket.io-client');

const [url, transportsArg = 'polling,websocket'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node events-client.js URL TRANSPORTS');
  process.exit(2);
}
setTimeout(() => {
  console.log('FAIL: not done in time');
  process.exit(1);
}, Number(process.env.SIO_OVERALL_TIMEOUT_MS || 20000));

const socket = io(url, { transports: transportsArg.split(','), reconnection: false });
for (const name of ['receipt', 'placed']) {
  socket.on(name, (...args) => console.log(`EVENT ${name} ${JSON.stringify(args)}`));
}
socket.on('connect_error', (err) => {
  console.log(`FAIL: connect_error ${err && err.message}`);
  process.exit(1);
});

const ask = (step, event, ...args) => new Promise((resolve) => {
  socket.emit(event, ...args, (...reply) => {
    console.log(`ACK ${step} ${JSON.stringify(reply)}`);
    resolve();
  });
});

socket.once('connect', async () => {
  socket.emit('note', 'hello');
  await ask('order', 'place order', { name: 'tea', qty: 2 });
  await ask('fail internal', 'fail', 'internal');
  await ask('fail client', 'fail', 'client');
  await ask('fail mw', 'fail', 'mw');
  await ask('contraband', 'place order', { name: 'contraband', qty: 1 });
  await ask('bad argument', 'place order', 5);
  console.log('done');
  // Exit once the engine has told the server it is closing, so that the
  // server's session ends now rather than at its ping timeout.
  const engine = socket.io.engine;
  engine.once('close', () => process.exit(0));
  socket.close();
});

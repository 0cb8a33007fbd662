// The chat's typed TypeScript client for Node.js: socket.io-client 4.x
// typed with the event maps siogen generates from package chatapi
// (chatapi.ts, beside this file), the counterpart of the Go client in
// examples/chat/client. A misspelt event, a wrong payload or a wrong ack
// does not compile.
//
// Usage: node client.js URL [NAME]
//
// With NAME it first asks the server for that nickname. Each line of
// standard input is sent as a chat message; every message and notice
// received is printed, and so is the ack of each message (how many
// clients it reached) or its absence after ACK_TIMEOUT_MS (default 5000).
// At the end of its input it waits for the acks still due, then leaves.
//
// Compile it with tsc --strict (examples/chat's TestTypedClient does, then
// runs it). In an application, import "socket.io-client" (4.x); this repository
// installs it as "socket.io-client-v4" beside socket.io-client 2.x.
import * as readline from "node:readline";
import { io, Socket } from "socket.io-client-v4";
import { ChatClientToServerEvents, ChatNamespace, ChatServerToClientEvents } from "./chatapi";

const [url, name] = process.argv.slice(2);
if (!url) {
  console.error("usage: node client.js URL [NAME]");
  process.exit(2);
}
const ackTimeout = Number(process.env.ACK_TIMEOUT_MS || 5000);

// The listen events come first, then the emit events.
const socket: Socket<ChatServerToClientEvents, ChatClientToServerEvents> = io(url + ChatNamespace, {
  transports: ["websocket"],
});

socket.on("connect", () => console.log(`connected ${socket.id}`));
socket.on("connect_error", (err) => console.log(`connect error: ${err.message}`));
socket.on("disconnect", (reason) => console.log(`disconnected: ${reason}`));

socket.on("chat message", (msg) => console.log(`message: ${msg}`));
socket.on("user joined", (who, users) => console.log(`joined: ${who} (${users} users)`));
socket.on("user left", (who, users) => console.log(`left: ${who} (${users} users)`));

// Acks still due; the client leaves when its input has ended and none is.
let pending = 0;
let ended = false;
function settled(): void {
  pending--;
  if (ended && pending === 0) leave();
}
function leave(): void {
  socket.disconnect();
  process.exit(0);
}

if (name) {
  pending++;
  socket.timeout(ackTimeout).emit("set name", name, (err, kept) => {
    console.log(err ? `no name: ${err.message}` : `name: ${kept}`);
    settled();
  });
}

const input = readline.createInterface({ input: process.stdin });
input.on("line", (line) => {
  pending++;
  socket.timeout(ackTimeout).emit("chat message", line, (err, recipients) => {
    console.log(err ? `no ack: ${err.message}` : `sent to ${recipients}`);
    settled();
  });
});
input.on("close", () => {
  ended = true;
  if (pending === 0) leave();
});

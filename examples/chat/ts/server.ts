// The chat's events served by Node.js on socket.io 4.x, typed with the same
// generated event maps as the client (chatapi.ts): what a team whose
// server is JavaScript gets from the schema. It behaves as the Go chat
// (examples/chat/server.go) does, acks included, and lets TestTypedClient
// run the typed client's acks over socket.io 4.x until the Go server speaks
// Engine.IO v4.
//
// Usage: PORT=3000 node server.js   (prints "listening on *:PORT")
//
// In an application, import "socket.io" (4.x); this repository installs it
// as "socket.io-v4" beside socket.io 2.x.
import { createServer } from "node:http";
import { Server } from "socket.io-v4";
import { ChatClientToServerEvents, ChatNamespace, ChatServerToClientEvents } from "./chatapi";

const http = createServer();
// The server's listen events are the client-to-server ones.
const io = new Server<ChatClientToServerEvents, ChatServerToClientEvents>(http);
const chat = io.of(ChatNamespace);

chat.on("connection", (socket) => {
  let name = "";
  socket.on("chat message", (msg, ack) => {
    chat.emit("chat message", msg);
    // A client may leave the ack out, whatever its type says.
    if (typeof ack === "function") ack(chat.sockets.size);
  });
  socket.on("set name", (requested, ack) => {
    const first = name === "";
    name = cleanName(requested);
    if (first) socket.broadcast.emit("user joined", name, chat.sockets.size);
    if (typeof ack === "function") ack(name);
  });
  socket.on("disconnect", () => {
    if (name !== "") chat.emit("user left", name, chat.sockets.size);
  });
});

// cleanName trims a requested nickname to at most 32 characters, as the Go
// chat does.
function cleanName(s: string): string {
  const trimmed = Array.from(s.trim()).slice(0, 32).join("");
  return trimmed === "" ? "anonymous" : trimmed;
}

const port = Number(process.env.PORT || 3000);
http.listen(port, "127.0.0.1", () => console.log(`listening on *:${port}`));

// A typed client and server over the generated event maps of features.ts,
// type-checked by TestTypeScript with tsc --strict. Each line after a
// ts-expect-error directive must not compile: tsc fails if one does.
import { io, Socket } from "socket.io-client-v4";
import { Server } from "socket.io-v4";
import {
  Message,
  RoomClientToServerEvents,
  RoomNamespace,
  RoomServerToClientEvents,
  VaultClientToServerEvents,
  VaultNamespace,
  VaultServerToClientEvents,
} from "./features";

export function client(url: string): void {
  const room: Socket<RoomServerToClientEvents, RoomClientToServerEvents> = io(url + RoomNamespace);
  room.emit("chat message", "hello");
  room.emit("join room", "lobby", (members: number) => console.log(members));
  room.emit("post", "lobby", { text: "hi", tags: null }, (id, at) => console.log(id.toFixed(0), at.toUpperCase()));
  room.emit("ping me", () => {});
  room.emit("count", 1, 2, 3.5, true, null, { a: [1, 2], b: null });
  room.timeout(1000).emit("join room", "lobby", (err, members) => console.log(err, members + 1));
  room.on("chat message", (from, text) => console.log(from.length + text.length));
  room.on("blob", (data) => console.log(data === null ? 0 : data.byteLength));
  room.on("question", (q, ack) => ack(q.length > 0, "because"));
  room.on("posted", (r: string, m: Message) => console.log(r, m.data?.byteLength, m.replyTo?.text));

  // @ts-expect-error: a wrong payload type (number for string)
  room.emit("chat message", 42);
  // @ts-expect-error: a missing argument
  room.emit("post", "lobby", (id: number, at: string) => console.log(id, at));
  // @ts-expect-error: a payload object without its required field "tags"
  room.emit("post", "lobby", { text: "hi" }, () => {});
  // @ts-expect-error: a wrong ack type (the ack carries a number)
  room.emit("join room", "lobby", (members: string) => console.log(members));
  // @ts-expect-error: an unknown event name
  room.emit("chat mesage", "hello");
  // @ts-expect-error: an event of the other direction
  room.emit("posted", "lobby", { text: "hi", tags: [] });
  // @ts-expect-error: a listener with a wrong argument type
  room.on("blob", (data: string) => console.log(data));
  // @ts-expect-error: answering an ack with the wrong types
  room.on("question", (q, ack) => ack("yes", 1));

  const vault: Socket<VaultServerToClientEvents, VaultClientToServerEvents> = io(url + VaultNamespace);
  vault.emit("open", (secret) => console.log(secret.trim()));
  // @ts-expect-error: an event of another namespace
  vault.emit("chat message", "hello");
}

export function server(io: Server<RoomClientToServerEvents, RoomServerToClientEvents>): void {
  io.on("connection", (socket) => {
    socket.on("join room", (room, ack) => {
      socket.join(room);
      ack(1);
    });
    socket.on("post", (room, m, ack) => {
      io.to(room).emit("posted", room, m);
      ack(1, new Date().toISOString());
    });
    socket.on("echo", (v, ack) => ack(v));
    socket.emit("blob", new Uint8Array([1, 2, 3]));
    socket.emit("question", "ok?", (yes, why) => console.log(yes ? why : ""));
    // @ts-expect-error: a wrong ack type (the ack carries a number)
    socket.on("join room", (room, ack) => ack("many"));
    // @ts-expect-error: the server does not emit client-to-server events
    socket.emit("join room", "lobby", () => {});
    // @ts-expect-error: a wrong payload type
    io.emit("chat message", "from", 42);
  });
}

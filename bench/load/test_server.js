// SPDX-License-Identifier: BSL-1.0
// The smallest socket.io 4.8 server of the load contract (docs: bench/load/README.md), for the
// load generator's own tests; bench/load/node_server.js is the one that is measured.
"use strict";
const { Server } = require("socket.io");
const http = require("http");

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const server = http.createServer();
const io = new Server(server, {
  pingInterval: Number(arg("--ping-interval", 25000)),
  pingTimeout: Number(arg("--ping-timeout", 20000)),
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: false,
});
io.on("connection", (socket) => {
  const room = socket.handshake.auth && socket.handshake.auth.room;
  if (typeof room === "string") socket.join(room);
  socket.on("chat", (msg) => io.to(room).emit("chat", msg));
  socket.on("echo", (msg, ack) => typeof ack === "function" && ack(msg));
  socket.on("bin", (data, ack) => typeof ack === "function" && ack(data));
  socket.on("stats", (ack) =>
    typeof ack === "function" &&
    ack({ rss: process.memoryUsage().rss, sockets: io.engine.clientsCount, allocs: -1 }));
});
server.listen(Number(arg("--port", 0)), arg("--host", "127.0.0.1"), () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

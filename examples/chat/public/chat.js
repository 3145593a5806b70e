// SPDX-License-Identifier: BSL-1.0
// The siocodec chat page (docs/chat.md lists the events). Plain JS on the socket.io-client
// browser bundle (the global `io`). Address parameters:
//   ?nick=alice          connect at once with that nickname
//   ?room=dev            the room to join first (default "lobby")
//   ?transport=polling   long-polling only (no WebSocket upgrade)
"use strict";

(() => {
  const params = new URLSearchParams(location.search);
  const forcePolling = params.get("transport") === "polling";
  const maxImageBytes = 5 * 1000 * 1000;  // below the server's --max-payload (8 MB)
  const $ = (id) => document.getElementById(id);

  let socket = null;
  let room = null;          // the room we are in
  let wantedRoom = params.get("room") || "lobby";
  let typingSent = false;
  let typingTimer = 0;
  let roomList = [];        // the last `rooms` event
  const typers = new Map(); // socket id -> {nick, timer}

  // For the end-to-end test (and the curious, in the console).
  const debug = (window.chatDebug = {
    transport: () => socket && socket.io.engine && socket.io.engine.transport
      ? socket.io.engine.transport.name : null,
    id: () => socket && socket.id,
    room: () => room,
    // Connection state recovery: whether the last CONNECT restored the session, and a way to
    // lose the transport (the client reconnects after `delay` ms, as after a network drop).
    recovered: () => Boolean(socket && socket.recovered),
    dropTransport: (delay) => {
      socket.io.reconnectionDelay(delay);
      socket.io.randomizationFactor(0);
      socket.io.engine.close();
    },
    images: [],             // every image received: {nick, name, type, bytes: Uint8Array}
  });

  // --- rendering -----------------------------------------------------------------------------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function time(ms) {
    return new Date(ms || Date.now()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function scrollDown() {
    const log = $("log");
    log.scrollTop = log.scrollHeight;
  }

  function system(text) {
    $("log").append(el("li", "system", text));
    scrollDown();
  }

  // A message bubble; @return its .meta element (the delivery state of our own messages).
  function bubble({ own, nick, at, text, image }) {
    const li = el("li", own ? "msg own" : "msg");
    if (image) image.addEventListener("load", scrollDown);
    li.append(el("div", "nick", nick));
    if (text !== undefined) li.append(el("div", "text", text));
    if (image) li.append(image);
    const meta = el("div", "meta", own ? `${time(at)} · sending…` : time(at));
    li.append(meta);
    $("log").append(li);
    scrollDown();
    return meta;
  }

  function delivered(meta, err, res) {
    if (err || !res || !res.ok) {
      meta.textContent = `✗ not delivered${res && res.error ? ": " + res.error : ""}`;
      meta.classList.add("failed");
      return;
    }
    meta.textContent = `${time(res.at)} · ✓ delivered to ${res.delivered}`;
    meta.classList.add("delivered");
  }

  function showUsers(users) {
    const ul = $("users");
    ul.replaceChildren();
    for (const u of users) {
      const li = el("li", u.id === socket.id ? "self" : "", u.nick);
      li.dataset.id = u.id;
      if (u.id === socket.id) li.textContent += " (you)";
      ul.append(li);
    }
    $("user-count").textContent = `(${users.length})`;
  }

  function showRooms(list) {
    roomList = list;
    const ul = $("rooms");
    ul.replaceChildren();
    for (const r of list) {
      const li = el("li", r.name === room ? "current" : "", `#${r.name} (${r.users})`);
      if (r.name !== room) li.onclick = () => join(r.name);
      ul.append(li);
    }
  }

  function showTypers() {
    const names = [...typers.values()].map((t) => t.nick);
    $("typing").textContent =
      names.length === 0 ? "" :
      names.length === 1 ? `${names[0]} is typing…` :
      `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are typing…`;
  }

  function showStatus() {
    const s = $("status");
    const online = socket && socket.connected;
    s.textContent = online ? `online · ${debug.transport()}` : "offline";
    s.className = `status ${online ? "online" : "offline"}`;
  }

  // --- rooms (events with acks) ------------------------------------------------------------------

  function entered(res) {
    room = res.room;
    wantedRoom = room;
    $("room-name").textContent = `#${room}`;
    $("log").replaceChildren();
    typers.clear();
    showTypers();
    system(`You are in #${room}`);
    showUsers(res.users);
    showRooms(roomList);
  }

  function join(name) {
    socket.timeout(5000).emit("join", name, (err, res) => {
      if (err) return system(`Could not join #${name}: no answer`);
      if (!res.ok) return system(`Could not join #${name}: ${res.error}`);
      entered(res);
    });
  }

  function leave() {
    socket.timeout(5000).emit("leave", (err, res) => {
      if (err) return system("Could not leave: no answer");
      if (!res.ok) return system(res.error);
      entered(res);
    });
  }

  // --- typing ----------------------------------------------------------------------------------

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) socket.emit("typing", false);
    typingSent = false;
  }

  function onInput() {
    if (!typingSent) socket.emit("typing", true);
    typingSent = true;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 2000);
  }

  // --- connecting ------------------------------------------------------------------------------

  function connect(nick) {
    $("login-error").textContent = "";
    socket = io({
      auth: { nick },
      // Forced polling: the Engine.IO session never upgrades to WebSocket.
      transports: forcePolling ? ["polling"] : ["polling", "websocket"],
    });

    socket.io.on("open", () => {
      showStatus();
      socket.io.engine.on("upgrade", showStatus);
    });

    socket.on("connect", () => {
      $("login").hidden = true;
      $("chat").hidden = false;
      $("me").textContent = nick;
      document.title = `${nick} · siocodec chat`;
      showStatus();
      // A recovered session (connection state recovery) is still in its room and has been sent
      // what it missed: joining again would clear the log.
      if (socket.recovered) {
        system("Reconnected: nothing was missed");
      } else {
        join(wantedRoom);  // again after a reconnection
      }
      $("text").focus();
    });

    socket.on("connect_error", (err) => {
      showStatus();
      // Refused by the server (auth): no automatic retry; back to the form.
      if (!socket.active) {
        $("login-error").textContent = err.message;
        $("login").hidden = false;
        $("chat").hidden = true;
        socket = null;
      }
    });

    socket.on("disconnect", (reason) => {
      showStatus();
      system(`Disconnected (${reason})`);
    });

    socket.on("rooms", showRooms);

    socket.on("presence", (p) => {
      if (p.room !== room) return;
      system(`${p.nick} ${p.event} #${p.room}`);
      if (p.event === "left") {
        typers.delete(p.id);
        showTypers();
      }
      showUsers(p.users);
    });

    socket.on("message", (m) => {
      if (m.room !== room) return;
      typers.delete(m.id);
      showTypers();
      bubble({ own: false, nick: m.nick, at: m.at, text: m.text });
    });

    socket.on("typing", (t) => {
      if (t.room !== room) return;
      const old = typers.get(t.id);
      if (old) clearTimeout(old.timer);
      if (t.typing) {
        // Forget a typer whose "stopped" never comes (closed tab).
        const timer = setTimeout(() => { typers.delete(t.id); showTypers(); }, 6000);
        typers.set(t.id, { nick: t.nick, timer });
      } else {
        typers.delete(t.id);
      }
      showTypers();
    });

    socket.on("image", (m) => {
      if (m.room !== room) return;
      // A binary attachment arrives as an ArrayBuffer, on WebSocket and on polling alike.
      const bytes = new Uint8Array(m.data);
      debug.images.push({ nick: m.nick, name: m.name, type: m.type, bytes });
      const img = el("img");
      img.alt = m.name;
      img.src = URL.createObjectURL(new Blob([bytes], { type: m.type }));
      bubble({ own: false, nick: m.nick, at: m.at, image: img });
    });
  }

  // --- sending ---------------------------------------------------------------------------------

  function sendText(e) {
    e.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text || !socket) return;
    input.value = "";
    stopTyping();
    const meta = bubble({ own: true, nick: "", text });
    socket.timeout(5000).emit("message", text, (err, res) => delivered(meta, err, res));
  }

  async function sendImage() {
    const input = $("file");
    const file = input.files[0];
    input.value = "";
    if (!file || !socket) return;
    if (file.size > maxImageBytes) return system(`${file.name} is too large (5 MB at most)`);
    const data = await file.arrayBuffer();
    const img = el("img");
    img.alt = file.name;
    img.src = URL.createObjectURL(file);
    const meta = bubble({ own: true, nick: "", image: img });
    socket.timeout(10000).emit("image", { name: file.name, type: file.type, data },
                               (err, res) => delivered(meta, err, res));
  }

  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const nick = $("nick").value.trim();
    if (nick) connect(nick);
  });
  $("composer").addEventListener("submit", sendText);
  $("text").addEventListener("input", onInput);
  $("file").addEventListener("change", sendImage);
  $("leave").addEventListener("click", leave);
  $("join").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("join-room").value.trim();
    $("join-room").value = "";
    if (name && socket) join(name);
  });

  const nick = params.get("nick");
  if (nick) {
    $("nick").value = nick;
    connect(nick);
  }
})();

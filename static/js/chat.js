// Chat room page: a live socket on top of the server-rendered history.
// Protocol: docs/chat-protocol.md. Text is only ever put in the page as text nodes
// (links as <a> elements built here), so a message holding HTML shows as text.
(function () {
  "use strict";

  const root = document.getElementById("chat");
  if (!root || !root.dataset.live) return;

  const roomId = Number(root.dataset.room);
  const me = Number(root.dataset.user);
  const canPostAtLoad = root.dataset.canPost === "1";
  const moderator = root.dataset.moderator === "1";
  // For moderators: who is muted in the event (offer Unmute) and who organizes it
  // (cannot be muted), as the page was rendered; the mute pages re-check.
  const idSet = (value) => new Set((value || "").split(",").filter(Boolean).map(Number));
  const muted = idSet(root.dataset.muted);
  const unmutable = idSet(root.dataset.unmutable);
  const editWindowMs = Number(root.dataset.editWindow || 600) * 1000;
  const maxLength = Number(root.dataset.maxLength || 4000);
  const list = document.getElementById("messages");
  const status = document.getElementById("chat-status");
  const announcer = document.getElementById("chat-announcer");
  const typingLine = document.getElementById("typing");
  const onlineCount = document.getElementById("online-count");
  const onlineList = document.getElementById("online-list");
  const form = document.getElementById("composer");
  const input = document.getElementById("chat-body");
  const errorLine = document.getElementById("chat-error");
  const older = document.getElementById("load-older");

  let lastSeq = Number(root.dataset.after) || 0;
  let lastChange = Number(root.dataset.changesAfter) || 0;
  let socket = null;
  let joined = false;
  let catchingUp = false;
  let caughtUpCount = 0;
  let delay = 1000;
  let reconnectTimer = null;
  let pingTimer = null;
  let pongTimer = null;
  let readTimer = null;
  let typedAt = 0;
  let gone = false; // removed from the room or logged out: do not reconnect
  const outbox = new Map(); // client_id -> body, until acknowledged
  const typers = new Map(); // user id -> {name, timer}
  const online = new Map(); // user id -> name (up to 100 are named)
  let onlineTotal = 0;

  // ---------- rendering ----------

  const URL_RE = /https?:\/\/[^\s<>"']+/gi;

  function trimUrl(url) {
    url = url.replace(/[.,;:!?]+$/, "");
    const count = (s, c) => s.split(c).length - 1;
    while (url.endsWith(")") && count(url, "(") < count(url, ")")) {
      url = url.slice(0, -1).replace(/[.,;:!?]+$/, "");
    }
    return url;
  }

  function linkify(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      const url = trimUrl(match[0]);
      fragment.append(document.createTextNode(text.slice(last, match.index)));
      let href = null;
      try {
        const parsed = new URL(url);
        if (parsed.protocol === "http:" || parsed.protocol === "https:") href = parsed.href;
      } catch (error) {
        href = null;
      }
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.rel = "noopener nofollow ugc";
        link.textContent = url;
        fragment.append(link);
      } else {
        fragment.append(document.createTextNode(url));
      }
      last = match.index + url.length;
    }
    fragment.append(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    const today = new Date().toDateString() === date.toDateString();
    const options = today
      ? { hour: "numeric", minute: "2-digit" }
      : { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
    return date.toLocaleString([], options);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, hidden, onClick) {
    const node = el("button", "link-button small-link", label);
    node.type = "button";
    if (hidden) node.append(el("span", "visually-hidden", hidden));
    node.addEventListener("click", onClick);
    return node;
  }

  function link(label, hidden, href) {
    const node = el("a", "small-link", label);
    node.href = href;
    if (hidden) node.append(el("span", "visually-hidden", hidden));
    return node;
  }

  function actionsFor(item, frame) {
    const actions = el("p", "chat-message__actions");
    const own = frame.sender.id === me;
    const age = Date.now() - new Date(frame.created_at).getTime();
    if (own && age < editWindowMs) {
      actions.append(button("Edit", " your message", () => startEdit(item)));
    }
    if (own) {
      actions.append(button("Delete", " your message", () => remove(item, "Delete this message for everyone?")));
    } else {
      actions.append(link("Report", " this message", root.dataset.reportUrl.replace("/0/", `/${frame.id}/`)));
      if (moderator) {
        actions.append(button("Remove", " this message", () => remove(item, `Remove this message by ${frame.sender.name} for everyone?`)));
        const sender = frame.sender.id;
        const next = `?next=${encodeURIComponent(location.pathname)}`;
        if (root.dataset.muteUrl && muted.has(sender)) {
          const href = root.dataset.unmuteUrl.replace(/\/0\/$/, `/${sender}/`) + next;
          actions.append(link(`Unmute ${frame.sender.name}`, "", href));
        } else if (root.dataset.muteUrl && !unmutable.has(sender)) {
          const href = root.dataset.muteUrl.replace(/\/0\/$/, `/${sender}/`) + next;
          actions.append(link(`Mute ${frame.sender.name}`, "", href));
        }
      }
    }
    return actions;
  }

  function renderMessage(frame) {
    const item = el("li", "chat-message");
    item.id = `m-${frame.seq}`;
    item.dataset.seq = frame.seq;
    item.dataset.id = frame.id;
    item.dataset.sender = frame.sender.id;
    item.dataset.senderName = frame.sender.name;
    item.dataset.created = frame.created_at;
    fillMessage(item, frame);
    return item;
  }

  function fillMessage(item, frame) {
    item.classList.toggle("chat-message--own", frame.sender.id === me);
    item.classList.toggle("chat-message--deleted", frame.deleted);
    const meta = el("p", "chat-message__meta");
    meta.append(el("span", "chat-message__sender", frame.sender.name), " ");
    const time = el("time", "chat-message__time", formatTime(frame.created_at));
    time.dateTime = frame.created_at;
    meta.append(time);
    if (frame.edited_at && !frame.deleted) meta.append(" ", el("span", "chat-message__edited", "(edited)"));
    const body = el("p", "chat-message__body");
    if (frame.deleted) {
      body.textContent = frame.deleted_by === "moderator" ? "Removed by a moderator." : "Message deleted.";
      item.replaceChildren(meta, body);
    } else {
      body.append(linkify(frame.body));
      item.replaceChildren(meta, body, actionsFor(item, frame));
    }
  }

  function frameOf(item) {
    // What the page knows about a server-rendered message (for its buttons).
    return {
      id: Number(item.dataset.id),
      seq: Number(item.dataset.seq),
      sender: { id: Number(item.dataset.sender), name: item.dataset.senderName },
      created_at: item.dataset.created,
    };
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function scrollDown(force) {
    if (force || nearBottom()) list.scrollTop = list.scrollHeight;
  }

  function insertMessage(frame) {
    const stick = nearBottom();
    const empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
    const existing = document.getElementById(`m-${frame.seq}`);
    if (existing) {
      fillMessage(existing, frame);
      return false;
    }
    const item = renderMessage(frame);
    // In seq order; pending (unsent) messages stay last.
    let before = list.querySelector("li.chat-message--pending");
    for (const other of list.querySelectorAll("li[data-seq]")) {
      if (Number(other.dataset.seq) > frame.seq) {
        before = other;
        break;
      }
    }
    list.insertBefore(item, before);
    scrollDown(stick);
    return true;
  }

  function announce(text) {
    const line = el("p", "", text);
    announcer.append(line);
    while (announcer.childElementCount > 3) announcer.firstElementChild.remove();
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function showError(text) {
    if (!errorLine) return;
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  function renderOnline() {
    if (!onlineList) return;
    onlineCount.textContent = `${Math.max(onlineTotal, online.size)} online`;
    onlineList.replaceChildren(
      ...[...online.values()].sort().map((name) => el("li", "", name || "Member"))
    );
  }

  function renderTyping() {
    const names = [...typers.values()].map((t) => t.name);
    typingLine.textContent =
      names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  }

  // ---------- actions on messages ----------

  function startEdit(item) {
    const frame = frameOf(item);
    const body = item.querySelector(".chat-message__body");
    if (!body || item.querySelector("form")) return;
    const editor = el("form", "chat-edit");
    const label = el("label", "visually-hidden", "Edit your message");
    const area = el("textarea");
    area.id = `edit-${frame.seq}`;
    label.htmlFor = area.id;
    area.value = body.textContent;
    area.maxLength = maxLength;
    area.rows = 2;
    const save = el("button", "button button--small", "Save");
    save.type = "submit";
    const cancel = el("button", "button button--secondary button--small", "Cancel");
    cancel.type = "button";
    const done = () => {
      editor.remove();
      body.hidden = false;
      item.querySelector(".chat-message__actions button")?.focus();
    };
    cancel.addEventListener("click", done);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Escape") done();
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        editor.requestSubmit();
      }
    });
    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      if (area.value.trim() && send({ type: "edit", room: roomId, seq: frame.seq, body: area.value })) done();
    });
    editor.append(label, area, save, " ", cancel);
    body.hidden = true;
    body.after(editor);
    area.focus();
  }

  function remove(item, question) {
    if (!window.confirm(question)) return;
    send({ type: "delete", room: roomId, seq: Number(item.dataset.seq) });
  }

  // Server-rendered messages get the same buttons as live ones.
  for (const item of list.querySelectorAll("li[data-seq]")) {
    const time = item.querySelector("time");
    if (time) time.textContent = formatTime(time.dateTime);
    const actions = item.querySelector(".chat-message__actions");
    if (actions) actions.replaceWith(actionsFor(item, frameOf(item)));
  }
  scrollDown(true);

  // ---------- the socket ----------

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN || !joined) {
      showError("Not connected: try again in a moment.");
      return false;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function newClientId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function sendPending() {
    for (const [clientId, body] of outbox) {
      socket.send(JSON.stringify({ type: "send", room: roomId, client_id: clientId, body }));
    }
  }

  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (document.visibilityState === "visible" && joined && lastSeq) {
        send({ type: "read", room: roomId, seq: lastSeq });
      }
    }, 1000);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (gone || (socket && socket.readyState <= WebSocket.OPEN)) return;
    if (!navigator.onLine) {
      setStatus("You are offline. New messages will appear when you reconnect.");
      return;
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}${root.dataset.wsPath}`);
    socket = ws;
    setStatus("Connecting…");
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "join", room: roomId, after: lastSeq, changes_after: lastChange }));
      catchingUp = true;
      caughtUpCount = 0;
      clearInterval(pingTimer);
      pingTimer = setInterval(ping, 25000);
    });
    ws.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      joined = false;
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      typers.clear();
      renderTyping();
      if (event.code === 4401) {
        gone = true;
        setStatus("Your session has ended. Log in again to keep chatting.");
        return;
      }
      if (gone) return;
      if (!navigator.onLine) {
        setStatus("You are offline. New messages will appear when you reconnect.");
        return;
      }
      const wait = delay + Math.floor(Math.random() * 500);
      setStatus(`Connection lost. Reconnecting in ${Math.round(wait / 1000)} s…`);
      reconnectTimer = setTimeout(connect, wait);
      delay = Math.min(delay * 2, 30000);
    });
  }

  function ping() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    clearTimeout(pongTimer);
    // No answer: the connection is dead without having said so (bad Wi-Fi).
    pongTimer = setTimeout(() => socket && socket.close(), 10000);
  }

  function handle(frame) {
    switch (frame.type) {
      case "joined":
        if (frame.room !== roomId) return;
        joined = true;
        delay = 1000;
        online.clear();
        for (const person of frame.online) online.set(person.id, person.name);
        onlineTotal = frame.online_count;
        renderOnline();
        if (form) form.hidden = !frame.can_post;
        setStatus("Catching up…");
        return;
      case "caught_up":
        if (frame.room !== roomId) return;
        catchingUp = false;
        lastSeq = Math.max(lastSeq, frame.seq);
        lastChange = Math.max(lastChange, frame.change);
        setStatus("Live");
        if (caughtUpCount) announce(`${caughtUpCount} new message${caughtUpCount === 1 ? "" : "s"} while you were away.`);
        sendPending();
        markRead();
        return;
      case "message": {
        if (frame.room !== roomId) return;
        const pending = frame.sender.id === me && document.getElementById(`pending-${frame.client_id}`);
        if (pending) pending.remove();
        if (frame.sender.id === me) outbox.delete(frame.client_id);
        const added = insertMessage(frame);
        lastSeq = Math.max(lastSeq, frame.seq);
        if (added && frame.sender.id !== me) {
          typers.delete(frame.sender.id);
          renderTyping();
          if (catchingUp) caughtUpCount += 1;
          else if (!frame.deleted) announce(`${frame.sender.name}: ${frame.body}`);
        }
        markRead();
        return;
      }
      case "update":
        if (frame.room !== roomId) return;
        lastChange = Math.max(lastChange, frame.change);
        if (document.getElementById(`m-${frame.seq}`)) insertMessage(frame);
        return;
      case "ack": {
        outbox.delete(frame.client_id);
        const pending = document.getElementById(`pending-${frame.client_id}`);
        if (pending) pending.querySelector(".chat-message__time").textContent = "Sent";
        return;
      }
      case "typing": {
        if (frame.room !== roomId || frame.user.id === me) return;
        const previous = typers.get(frame.user.id);
        if (previous) clearTimeout(previous.timer);
        const timer = setTimeout(() => {
          typers.delete(frame.user.id);
          renderTyping();
        }, 4000);
        typers.set(frame.user.id, { name: frame.user.name, timer });
        renderTyping();
        return;
      }
      case "presence":
        if (frame.room !== roomId) return;
        for (const person of frame.online) online.set(person.id, person.name);
        for (const id of frame.offline) online.delete(id);
        onlineTotal = frame.online_count;
        renderOnline();
        return;
      case "history":
        showOlder(frame);
        return;
      case "removed":
        if (frame.room !== roomId) return;
        gone = true;
        if (form) form.hidden = true;
        setStatus("You are no longer a member of this room.");
        socket.close(1000);
        return;
      case "error":
        handleError(frame);
        return;
      case "pong":
        clearTimeout(pongTimer);
        return;
      default:
        return; // hello, left: nothing to do
    }
  }

  function handleError(frame) {
    if (frame.client_id) {
      // A send was refused: nothing was stored. Give the text back.
      const body = outbox.get(frame.client_id);
      outbox.delete(frame.client_id);
      document.getElementById(`pending-${frame.client_id}`)?.remove();
      if (body && input && !input.value) input.value = body;
    }
    if (frame.code === "rate_limited") {
      showError(`You are sending messages too quickly. Try again in ${Math.ceil(frame.retry_after)} s.`);
    } else if (frame.code === "not_member") {
      gone = true;
      if (form) form.hidden = true;
      setStatus("You are not a member of this room.");
    } else {
      showError(frame.detail);
    }
  }

  // ---------- composing ----------

  function submitMessage() {
    const body = input.value;
    if (!body.trim()) return;
    if (body.length > maxLength) {
      showError(`A message can have up to ${maxLength} characters; this has ${body.length}.`);
      return;
    }
    showError("");
    const clientId = newClientId();
    outbox.set(clientId, body);
    const item = el("li", "chat-message chat-message--own chat-message--pending");
    item.id = `pending-${clientId}`;
    const meta = el("p", "chat-message__meta");
    meta.append(el("span", "chat-message__sender", "You"), " ", el("span", "chat-message__time", "Sending…"));
    const text = el("p", "chat-message__body");
    text.append(linkify(body));
    item.append(meta, text);
    document.getElementById("chat-empty")?.remove();
    list.append(item);
    scrollDown(true);
    input.value = "";
    // Sent now if connected; otherwise when the socket is back (same client_id: stored once).
    if (socket && socket.readyState === WebSocket.OPEN && joined && !catchingUp) {
      socket.send(JSON.stringify({ type: "send", room: roomId, client_id: clientId, body }));
    }
  }

  if (form && input) {
    form.hidden = !canPostAtLoad;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitMessage();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitMessage();
      }
    });
    input.addEventListener("input", () => {
      showError("");
      const now = Date.now();
      if (input.value && now - typedAt > 3000 && joined && socket.readyState === WebSocket.OPEN) {
        typedAt = now;
        socket.send(JSON.stringify({ type: "typing", room: roomId }));
      }
    });
  }

  // ---------- older messages ----------

  if (older) {
    older.addEventListener("click", (event) => {
      if (!joined) return; // follow the link: the page of earlier messages
      event.preventDefault();
      send({ type: "history", room: roomId, before: Number(older.dataset.before), limit: 50 });
    });
  }

  function showOlder(frame) {
    if (frame.room !== roomId) return;
    const height = list.scrollHeight;
    const first = list.querySelector("li[data-seq]");
    for (const message of frame.messages) {
      if (!document.getElementById(`m-${message.seq}`)) list.insertBefore(renderMessage(message), first);
    }
    list.scrollTop += list.scrollHeight - height;
    if (older) {
      if (frame.has_more && frame.before) {
        older.dataset.before = frame.before;
        older.href = `?before=${frame.before}`;
      } else {
        older.parentElement.remove();
      }
    }
    announce(`${frame.messages.length} earlier message${frame.messages.length === 1 ? "" : "s"} loaded.`);
  }

  // ---------- connectivity ----------

  window.addEventListener("offline", () => {
    setStatus("You are offline. New messages will appear when you reconnect.");
    if (socket) socket.close(1000);
  });
  window.addEventListener("online", () => {
    delay = 1000;
    connect();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      markRead();
      if (!socket && !gone) connect();
    }
  });

  connect();
})();

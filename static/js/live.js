// Live check-in dashboard: a WebSocket says "something was scanned"; the page
// then refetches the figures (at most once a second). Reconnects by itself.
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const status = document.getElementById("live-status");
  let pending = false;
  let last = 0;

  async function refresh() {
    pending = false;
    last = Date.now();
    const response = await fetch(root.dataset.jsonUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const stats = await response.json();
    for (const [key, value] of Object.entries(stats.event)) {
      const el = root.querySelector(`[data-figure="event.${key}"]`);
      if (el) el.textContent = value;
    }
    for (const session of stats.sessions) {
      const row = root.querySelector(`[data-session="${session.id}"]`);
      if (!row) continue;
      row.querySelector('[data-field="inside"]').textContent = session.inside;
      row.querySelector('[data-field="total"]').textContent = session.total;
    }
    const list = root.querySelector("[data-arrivals]");
    if (list && stats.arrivals.length) {
      list.replaceChildren(
        ...stats.arrivals.map((bucket) => {
          const item = document.createElement("li");
          item.className = "arrivals__bar";
          const time = document.createElement("span");
          time.className = "arrivals__time";
          time.textContent = bucket.at.slice(11, 16);
          const bar = document.createElement("progress");
          bar.max = Math.max(stats.event.expected, 1);
          bar.value = bucket.count;
          const count = document.createElement("span");
          count.className = "arrivals__count";
          count.textContent = bucket.count;
          item.append(time, bar, count);
          return item;
        })
      );
    }
  }

  function schedule() {
    if (pending) return;
    pending = true;
    setTimeout(refresh, Math.max(0, 1000 - (Date.now() - last)));
  }

  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${root.dataset.wsPath}`);
    socket.addEventListener("open", () => {
      status.textContent = "Live: figures update as badges are scanned.";
      schedule(); // catch up on anything missed while disconnected
      delay = 1000;
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "scan") schedule();
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4401 || event.code === 4403) {
        status.textContent = "You are not allowed to watch this event's check-in.";
        return;
      }
      status.textContent = "Connection lost; reconnecting…";
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    });
  }

  connect(1000);
  // Scans are announced at most twice a second per server process: a slow poll
  // closes the gap after the last scan of a burst.
  setInterval(schedule, 5000);
})();

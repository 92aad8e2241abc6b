// Certificates page: while an "issue all" run is queued or running, refresh its
// progress every 2 seconds from the small JSON endpoint; reload the page once it
// finishes so the new certificates are listed. Without JavaScript the page reloads
// itself (a <noscript> refresh), so this is only a nicer version of the same thing.
(function () {
  "use strict";
  const root = document.getElementById("certificate-batch");
  if (!root || root.dataset.active !== "true") return;
  const url = root.dataset.jsonUrl;
  const bar = root.querySelector("[data-batch-progress]");

  function show(state) {
    for (const el of root.querySelectorAll("[data-batch-field]")) {
      const value = state[el.dataset.batchField];
      if (value !== undefined && value !== null) el.textContent = value;
    }
    if (bar) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        show(state);
        if (!state.active) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // Offline for a moment: try again at the next tick.
    }
    setTimeout(poll, 2000);
  }

  setTimeout(poll, 2000);
})();

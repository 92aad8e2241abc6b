/* Connect by badge (templates/networking/connect.html). Plain JS, no build step.

   An attendee scans another attendee's badge: with the camera (decoded by the vendored
   jsQR, static/vendor/jsQR.js, in the same loop as static/js/scanner.js) or a handheld
   scanner typing into the badge code field. The QR text is POSTed to the page's form
   action, which verifies the badge and sends a connection request; the answer (JSON)
   carries the other person's public profile, shown here. Without JavaScript the form
   posts normally and the server renders the same result.
*/
(function () {
  "use strict";

  const root = document.getElementById("connect");
  if (!root) return;

  const DEBOUNCE_MS = 4000; // the same QR seen again by the camera is ignored
  const TIMEOUT_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const els = {
    form: $("connect-form"),
    input: $("connect-input"),
    result: $("connect-result"),
    cameraToggle: $("camera-toggle"),
    cameraView: $("camera-view"),
    video: $("camera-video"),
    cameraStatus: $("camera-status"),
  };

  /* ---------- Result ---------- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showError(message) {
    els.result.replaceChildren();
    const p = el("p", "connect-result__message");
    p.append(el("strong", "", "Not connected. "), document.createTextNode(message));
    els.result.append(p);
    els.result.dataset.tone = "bad";
    els.result.hidden = false;
  }

  /** The other person's public profile: text only, never HTML from the server. */
  function personCard(profile) {
    const card = el("article", "person-card");
    const head = el("div", "person-card__head");
    if (profile.photo_url) {
      const img = el("img", "person-card__photo");
      img.src = profile.photo_url;
      img.alt = `Photo of ${profile.name}`;
      img.width = 64;
      img.height = 64;
      head.append(img);
    }
    const who = el("div", "person-card__who");
    const name = el("h2", "person-card__name", profile.name);
    if (profile.credentials) name.append(el("span", "person-card__credentials", `, ${profile.credentials}`));
    who.append(name);
    if (profile.pronouns) who.append(el("p", "person-card__pronouns", profile.pronouns));
    if (profile.profession) who.append(el("p", "person-card__profession", profile.profession));
    head.append(who);
    card.append(head);
    if (profile.headline) card.append(el("p", "person-card__headline", profile.headline));
    if (profile.specialties && profile.specialties.length) {
      const tags = el("ul", "person-card__tags");
      tags.setAttribute("aria-label", "Specialties and modalities");
      profile.specialties.forEach((item) => tags.append(el("li", "badge badge--kind", item)));
      card.append(tags);
    }
    return card;
  }

  function showSuccess(answer) {
    els.result.replaceChildren();
    els.result.append(el("p", "connect-result__message", answer.message));
    els.result.append(personCard(answer.profile || {}));
    const more = el("p");
    const link = el("a", "", `Open ${answer.profile.name}’s profile`);
    link.href = answer.profile_url;
    more.append(link);
    els.result.append(more);
    els.result.dataset.tone = "ok";
    els.result.hidden = false;
  }

  /* ---------- Sending ---------- */

  let busy = false;

  async function send(text) {
    const token = String(text || "").trim();
    if (!token || busy) return;
    busy = true;
    root.dataset.busy = "true";
    const data = new FormData(els.form);
    data.set("token", token.slice(0, 512));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(els.form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        answer = {};
      }
      if (response.ok && answer.status === "ok") showSuccess(answer);
      else if (answer.message) showError(answer.message);
      else if (response.redirected || response.status === 403)
        showError("Your session has expired. Reload the page and log in again.");
      else showError(`The server answered ${response.status}. Try again.`);
    } catch (error) {
      showError("Couldn’t reach the server. Check your connection and try again.");
    } finally {
      clearTimeout(timer);
      busy = false;
      delete root.dataset.busy;
    }
  }

  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = els.input.value;
    els.input.value = "";
    send(text).then(() => {
      if (!camera.isOn()) els.input.focus({ preventScroll: true });
    });
  });

  /* ---------- Camera (static/js/qr-camera.js) ---------- */

  const camera = window.conveneQrCamera.create({
    video: els.video,
    view: els.cameraView,
    toggle: els.cameraToggle,
    status: els.cameraStatus,
    debounceMs: DEBOUNCE_MS,
    paused: () => busy,
    onText: send,
    text: {
      start: "Scan with the camera",
      stop: "Stop the camera",
      on: "Camera on: hold their badge’s QR code inside the frame.",
      insecure:
        "This browser can’t use the camera here (it needs a secure https connection). Type the badge code instead.",
      refused:
        "Camera access was refused. Allow the camera for this site in the browser settings, or type the badge code.",
    },
  });
  const startCamera = camera.start;
  const stopCamera = camera.stop;

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    els.cameraToggle.hidden = false;
    els.cameraToggle.addEventListener("click", () => {
      if (camera.isOn()) {
        stopCamera();
        els.input.focus({ preventScroll: true });
      } else {
        startCamera();
      }
    });
  }
  window.addEventListener("pagehide", stopCamera);
})();

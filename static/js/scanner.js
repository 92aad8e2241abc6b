/* Convene badge scanner (templates/checkin/scanner.html). Plain JS, no build step.

   - The device token comes from pairing (a json_script tag on the pairing answer) and
     lives in localStorage; the device's event, place, public keys and revocation list
     are cached there too, for offline use.
   - A scan is POSTed to the scan API. When the network is down, the badge is checked
     here (Ed25519 signature + revocation list) and the scan is queued in IndexedDB with
     its nonce and time; the queue is uploaded in order once the connection is back.
     A resend is harmless: the server treats a repeated nonce as a no-op.
   - Input: a text field for keyboard-wedge scanners, and the camera decoded with the
     vendored jsQR (static/vendor/jsQR.js).
   - A service worker (static/js/scanner-sw.js, served at /scan/sw.js) keeps a copy of
     this page and its scripts, so the page also reloads or reopens offline. It never
     touches the API.
*/
(function () {
  "use strict";

  const root = document.getElementById("scanner");
  if (!root) return;

  const cfg = {
    apiDevice: root.dataset.apiDevice,
    apiScan: root.dataset.apiScan,
    apiBatch: root.dataset.apiBatch,
    scanUrl: root.dataset.scanUrl,
    serviceWorker: root.dataset.serviceWorker,
    ed25519Fallback: root.dataset.ed25519Fallback,
  };

  const KEY_TOKEN = "convene.scanner.token";
  const KEY_DEVICE = "convene.scanner.device";
  const KEY_DIRECTION = "convene.scanner.direction";
  const KEY_UPLOAD = "convene.scanner.lastUpload";

  const SCAN_TIMEOUT_MS = 4000; // then the scan is judged offline
  const UPLOAD_TIMEOUT_MS = 15000;
  const DEVICE_TIMEOUT_MS = 10000;
  const RETRY_MS = 10000; // upload retry timer
  const REFRESH_MS = 5 * 60 * 1000; // revocation list and keys
  const BATCH_SIZE = 100;
  const DEBOUNCE_MS = 3000; // the same QR text seen again by the camera is ignored
  const OFFLINE_STATUSES = new Set([502, 503, 504]); // a proxy with no app behind it

  const $ = (id) => document.getElementById(id);
  const els = {
    loading: $("scanner-loading"),
    unpaired: $("scanner-unpaired"),
    unpairedReason: $("scanner-unpaired-reason"),
    app: $("scanner-app"),
    event: $("scanner-event"),
    place: $("scanner-place"),
    placePrefix: $("scanner-place-prefix"),
    device: $("scanner-device"),
    connection: $("scanner-connection"),
    queue: $("scanner-queue"),
    synced: $("scanner-synced"),
    upload: $("scanner-upload"),
    syncButton: $("scanner-sync"),
    unpairButton: $("scanner-unpair"),
    result: $("scan-result"),
    resultTitle: $("scan-result-title"),
    resultTag: $("scan-result-tag"),
    resultName: $("scan-result-name"),
    resultDetails: $("scan-result-details"),
    resultMessage: $("scan-result-message"),
    resultNext: $("scan-result-next"),
    form: $("wedge-form"),
    input: $("wedge-input"),
    cameraToggle: $("camera-toggle"),
    cameraView: $("camera-view"),
    video: $("camera-video"),
    cameraStatus: $("camera-status"),
    directionButtons: Array.from(root.querySelectorAll("[data-direction]")),
  };

  /* ---------- Small helpers ---------- */

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function save(key, value) {
    try {
      if (value === null || value === undefined) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (error) {
      /* storage full or blocked: the scanner still works for this visit */
    }
  }

  function loadJson(key) {
    try {
      return JSON.parse(load(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function makeNonce() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; getRandomValues does not.
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    return date.toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit" });
  }

  function plural(count, word) {
    return `${count} ${word}${count === 1 ? "" : "s"}`;
  }

  /* ---------- State ---------- */

  let token = null;
  let device = null; // GET /api/checkin/device, plus fetched_at
  let direction = load(KEY_DIRECTION) === "out" ? "out" : "in";
  let online = navigator.onLine !== false;
  let uploadFailing = false; // the last upload of the queue failed while the browser was online
  let resolveReady;
  const ready = new Promise((resolve) => {
    resolveReady = resolve;
  });

  /* ---------- API ---------- */

  async function api(method, url, body, timeoutMs) {
    // The browser knows it has no network: fail as fetch would, without trying
    // (its "online" event starts the upload). Requests that skip the service worker
    // are not covered by every offline emulation, so trying could even succeed there.
    if (navigator.onLine === false) throw new TypeError("offline");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (error) {
      return {};
    }
  }

  function renderConnection() {
    let state = "online";
    let text = "Online";
    if (!online) {
      state = "offline";
      // The browser has a network but the server did not answer (it is down, or the
      // venue's Wi-Fi lets nothing through): say which, so staff look in the right place.
      text = navigator.onLine === false ? "Offline" : "Server unreachable – scanning offline";
    } else if (uploadFailing) {
      state = "retrying";
      text = "Online – upload failed, retrying";
    }
    els.connection.dataset.state = state;
    els.connection.textContent = text;
  }

  function setConnection(isOnline) {
    online = isOnline;
    renderConnection();
  }

  function setUploadFailing(failing) {
    uploadFailing = failing;
    renderConnection();
  }

  /** An upload of the queue failed: offline only if the browser says so; otherwise the
      server or the network behind the Wi-Fi failed, and the retry timer tries again. */
  function uploadFailed() {
    if (navigator.onLine === false) {
      setConnection(false);
    } else {
      online = true;
      setUploadFailing(true);
    }
  }

  /* ---------- Offline queue (IndexedDB) ---------- */

  let dbPromise = null;
  let memoryQueue = null; // only if IndexedDB is unavailable
  let memoryId = 0;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        if (!window.indexedDB) {
          reject(new Error("IndexedDB unavailable"));
          return;
        }
        const request = window.indexedDB.open("convene-scanner", 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error("IndexedDB blocked"));
      }).catch((error) => {
        memoryQueue = memoryQueue || [];
        showQueueWarning("This browser can’t store offline scans: keep it online and don’t close the page.");
        throw error;
      });
    }
    return dbPromise;
  }

  function withStore(mode, work) {
    return openDb().then(
      (db) =>
        new Promise((resolve, reject) => {
          const tx = db.transaction("queue", mode, { durability: "strict" });
          let result;
          work(tx.objectStore("queue"), (value) => {
            result = value;
          });
          tx.oncomplete = () => resolve(result);
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
        })
    );
  }

  function queueAdd(item) {
    return withStore("readwrite", (store) => store.add(item)).catch(() => {
      memoryQueue = memoryQueue || [];
      memoryQueue.push({ ...item, id: ++memoryId });
    });
  }

  function queueHead(limit) {
    return withStore("readonly", (store, done) => {
      const request = store.getAll(null, limit); // key order: the order scans were made
      request.onsuccess = () => done(request.result);
    }).catch(() => (memoryQueue || []).slice(0, limit));
  }

  function queueCount() {
    return withStore("readonly", (store, done) => {
      const request = store.count();
      request.onsuccess = () => done(request.result);
    }).catch(() => (memoryQueue ? memoryQueue.length : 0));
  }

  function queueDelete(ids) {
    if (!ids.length) return Promise.resolve();
    return withStore("readwrite", (store) => {
      ids.forEach((id) => store.delete(id));
    }).catch(() => {
      const gone = new Set(ids);
      memoryQueue = (memoryQueue || []).filter((item) => !gone.has(item.id));
    });
  }

  let queueWarning = "";
  function showQueueWarning(text) {
    queueWarning = text;
    updateQueue();
  }

  async function updateQueue() {
    const count = await queueCount();
    if (count > 0) {
      els.queue.textContent = `${plural(count, "scan")} waiting to upload`;
      els.queue.dataset.state = "waiting";
    } else {
      els.queue.textContent = queueWarning; // nothing to say when all is uploaded
      els.queue.dataset.state = queueWarning ? "waiting" : "done";
    }
    return count;
  }

  /* ---------- Upload ---------- */

  let flushing = null;
  // The page is being frozen or closed: start no upload. It could not finish, its
  // answer would be lost, and the queue stays for the page's next life. (Chromium
  // lifts a closing page's offline emulation, so a closing tab even saw "online".)
  let leaving = false;

  function flush() {
    if (leaving) return Promise.resolve(false);
    if (!flushing) {
      flushing = doFlush().finally(() => {
        flushing = null;
        updateQueue();
      });
    }
    return flushing;
  }

  function toPayload(item) {
    const payload = {
      token: item.token,
      direction: item.direction,
      scanned_at: item.scanned_at,
      nonce: item.nonce,
    };
    // The place the device scanned at when it queued this (the same as its own place,
    // unless this browser was paired again as another device in the meantime).
    if (item.place !== null && item.place !== undefined) payload.place = item.place;
    return payload;
  }

  /** Upload the queue in order. Resolves true when it is empty. */
  async function doFlush() {
    if (!token) return false;
    const tally = { sent: 0, accepted: 0, rejected: 0, errors: 0 };
    try {
      for (;;) {
        const items = await queueHead(BATCH_SIZE);
        if (!items.length) {
          if (uploadFailing) setUploadFailing(false);
          return true;
        }
        const total = await queueCount();
        const response = await api(
          "POST",
          cfg.apiBatch,
          { scans: items.map(toPayload), waiting: Math.max(total - items.length, 0) },
          UPLOAD_TIMEOUT_MS
        );
        if (response.status === 401) {
          becomeUnpaired("revoked");
          return false;
        }
        let results;
        if (response.ok) {
          results = (await response.json()).results || [];
        } else if (response.status === 400 || response.status === 422) {
          // One malformed item must not block the queue forever: send them one by one.
          const single = await uploadOneByOne(items);
          if (single === null) return false;
          results = single;
        } else {
          uploadFailed();
          return false;
        }
        // Delete only what the server answered.
        await queueDelete(items.slice(0, results.length).map((item) => item.id));
        results.forEach((result) => {
          tally.sent += 1;
          if (result.status === "accepted") tally.accepted += 1;
          else if (result.status === "rejected") tally.rejected += 1;
          else tally.errors += 1;
        });
        if (results.length < items.length) {
          uploadFailed(); // stopped midway; the retry timer goes on
          return false;
        }
        online = true;
        setUploadFailing(false);
      }
    } catch (error) {
      uploadFailed();
      return false;
    } finally {
      if (tally.sent) reportUpload(tally);
    }
  }

  /** Fallback for a batch the server refused as a whole. Null if the device is revoked. */
  async function uploadOneByOne(items) {
    const results = [];
    for (const item of items) {
      let response;
      try {
        response = await api("POST", cfg.apiScan, toPayload(item), UPLOAD_TIMEOUT_MS);
      } catch (error) {
        return results;
      }
      if (response.status === 401) {
        becomeUnpaired("revoked");
        return null;
      }
      if (response.ok) {
        results.push(await readJson(response));
      } else if (response.status >= 400 && response.status < 500) {
        const body = await readJson(response);
        results.push({ status: "error", code: body.code || "invalid_input", message: "refused" });
      } else {
        return results;
      }
    }
    return results;
  }

  function reportUpload(tally) {
    const parts = [`${tally.accepted} accepted`];
    if (tally.rejected) parts.push(`${tally.rejected} not accepted`);
    if (tally.errors) parts.push(`${tally.errors} refused`);
    const text = `${formatTime(new Date().toISOString())}: ${plural(tally.sent, "offline scan")} uploaded (${parts.join(", ")})`;
    save(KEY_UPLOAD, text);
    els.upload.textContent = text;
  }

  /* ---------- Device info ---------- */

  function renderDevice() {
    if (!device) return;
    els.event.textContent = device.event_title;
    els.place.textContent = device.place;
    els.placePrefix.hidden = false;
    els.device.textContent = device.name;
    els.synced.textContent = device.fetched_at
      ? `${formatTime(device.fetched_at)} (${plural(device.revoked.length, "revoked badge")})`
      : "not loaded yet";
  }

  async function refreshDevice() {
    if (!token || leaving) return false;
    try {
      const response = await api("GET", cfg.apiDevice, null, DEVICE_TIMEOUT_MS);
      if (response.status === 401) {
        becomeUnpaired("revoked");
        return false;
      }
      if (!response.ok) {
        setConnection(!OFFLINE_STATUSES.has(response.status));
        return false;
      }
      const data = await response.json();
      data.fetched_at = new Date().toISOString();
      device = data;
      keyCache.clear();
      save(KEY_DEVICE, JSON.stringify(device));
      renderDevice();
      setConnection(true);
      return true;
    } catch (error) {
      setConnection(false);
      return false;
    }
  }

  /* ---------- Offline verification (checkin/tokens.py) ---------- */

  const PREFIX = "CV1";
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const PAYLOAD_LEN = 14; // struct ">IIHI": badge_id, event_id, key_version, issued_at
  const RAW_LEN = PAYLOAD_LEN + 64;
  const BODY_RE = /^[A-Z2-7]{125}$/;
  const DOMAIN = new TextEncoder().encode("convene-badge-v1");

  /** Decode a token without verifying it; null when it is not a well-formed badge. */
  function parseToken(text) {
    if (typeof text !== "string" || text.length > 512) return null;
    let body = text.trim();
    if (!/^[\x00-\x7f]*$/.test(body)) return null;
    body = body.toUpperCase();
    if (!body.startsWith(PREFIX)) return null;
    body = body.slice(PREFIX.length);
    if (!BODY_RE.test(body)) return null;
    if (ALPHABET.indexOf(body[body.length - 1]) & 1) return null; // one spelling per token
    const raw = new Uint8Array(RAW_LEN);
    let buffer = 0;
    let bits = 0;
    let index = 0;
    for (const char of body) {
      buffer = (buffer << 5) | ALPHABET.indexOf(char);
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        if (index < RAW_LEN) raw[index++] = (buffer >> bits) & 0xff;
      }
      buffer &= (1 << bits) - 1;
    }
    const view = new DataView(raw.buffer, 0, PAYLOAD_LEN);
    return {
      badgeId: view.getUint32(0),
      eventId: view.getUint32(4),
      keyVersion: view.getUint16(8),
      issuedAt: view.getUint32(10),
      packed: raw.slice(0, PAYLOAD_LEN),
      signature: raw.slice(PAYLOAD_LEN),
    };
  }

  function base64ToBytes(text) {
    const binary = window.atob(text);
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  }

  const keyCache = new Map(); // "event:version" -> CryptoKey
  let subtleEd25519 = true; // false once WebCrypto says it has no Ed25519
  let noble = null;

  async function ed25519Verify(publicKey, signature, message, cacheKey) {
    if (subtleEd25519 && window.crypto && window.crypto.subtle) {
      try {
        let key = keyCache.get(cacheKey);
        if (!key) {
          key = await window.crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
            "verify",
          ]);
          keyCache.set(cacheKey, key);
        }
        return await window.crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
      } catch (error) {
        if (error && error.name !== "NotSupportedError" && error.name !== "SyntaxError") throw error;
        subtleEd25519 = false; // an older browser: use the vendored @noble/ed25519
      }
    }
    if (!noble) noble = await import(cfg.ed25519Fallback);
    return noble.verifyAsync(signature, message, publicKey, { zip215: false });
  }

  /** Judge a badge with the cached keys and revocation list: {code, badgeId}. */
  async function judgeOffline(text) {
    const parsed = parseToken(text);
    if (!parsed) return { code: "invalid_signature" };
    if (!device) return { code: "no_data", badgeId: parsed.badgeId };
    if (parsed.eventId !== device.event_id) return { code: "wrong_event", badgeId: parsed.badgeId };
    const key = device.keys.find(
      (k) => k.event_id === parsed.eventId && k.version === parsed.keyVersion
    );
    if (!key) {
      const newest = Math.max(0, ...device.keys.map((k) => k.version));
      return { code: parsed.keyVersion > newest ? "unknown_key" : "invalid_signature" };
    }
    const message = new Uint8Array(DOMAIN.length + PAYLOAD_LEN);
    message.set(DOMAIN, 0);
    message.set(parsed.packed, DOMAIN.length);
    let valid;
    try {
      valid = await ed25519Verify(
        base64ToBytes(key.public_key),
        parsed.signature,
        message,
        `${key.event_id}:${key.version}`
      );
    } catch (error) {
      return { code: "no_crypto", badgeId: parsed.badgeId };
    }
    if (!valid) return { code: "invalid_signature" };
    const revoked = device.revoked.find((r) => r.badge_id === parsed.badgeId);
    if (revoked) return { code: revoked.code, badgeId: parsed.badgeId };
    return { code: "ok", badgeId: parsed.badgeId };
  }

  /* ---------- Result panel ---------- */

  const TITLES = {
    already_in: "Already checked in",
    not_in: "Not checked in here",
    not_registered: "No seat in this session",
    revoked: "Badge revoked",
    invalid_signature: "Not a valid badge",
    wrong_event: "Badge of another event",
    unpaid: "Registration not paid",
    cancelled: "Registration cancelled",
    outside_window: "Outside the check-in window",
    unknown_key: "Can’t check this badge offline",
    no_data: "Can’t check badges offline yet",
    no_crypto: "Can’t check badges offline",
  };
  const ADVICE = {
    already_in: "They were scanned in here earlier. Scan Out when they leave.",
    not_in: "They were not scanned in here. Did you mean In?",
    not_registered: "This session needs a seat. Send them to the registration desk.",
    revoked: "This badge was replaced or cancelled. Send them to the registration desk.",
    invalid_signature: "Not a Convene badge, or it is damaged. Try again, or send them to the desk.",
    wrong_event: "This badge is for a different event.",
    unpaid: "Send them to the registration desk to settle payment.",
    cancelled: "Send them to the registration desk.",
    outside_window: "Scanning opens shortly before the session starts and closes soon after it ends.",
    unknown_key: "It was issued after this device last synced. It is checked when the scan uploads.",
    no_data: "This device has not loaded its keys yet. Connect it to the internet once.",
    no_crypto: "This browser can’t check signatures. The scan is checked when it uploads.",
  };
  const WARN_CODES = new Set(["already_in", "not_in", "unknown_key", "no_data", "no_crypto"]);

  let resultTimer = null;
  let lastSource = "wedge";

  function toneFor(code) {
    if (code === "ok") return "ok";
    return WARN_CODES.has(code) ? "warn" : "bad";
  }

  function showResult({ tone, title, name, details, message, offline }) {
    clearTimeout(resultTimer);
    els.result.dataset.tone = tone;
    delete els.result.dataset.busy;
    delete els.result.dataset.settled;
    els.resultTitle.textContent = title;
    els.resultName.textContent = name || "";
    els.resultDetails.textContent = details || "";
    els.resultMessage.textContent = message || "";
    els.resultTag.hidden = !offline;
    els.result.classList.add("is-full");
    els.resultNext.hidden = false;
    beep(tone);
    resultTimer = setTimeout(settleResult, tone === "ok" ? 2500 : 5000);
  }

  /** Back to the normal layout; the last result stays visible, marked as such. */
  function settleResult() {
    clearTimeout(resultTimer);
    els.result.classList.remove("is-full");
    els.result.dataset.settled = "true";
    els.resultNext.hidden = true;
    refocus();
  }

  function showServerAnswer(answer, scanDirection) {
    const attendee = answer.attendee;
    const code = answer.status === "error" ? "error" : answer.code;
    const tone = answer.status === "accepted" ? "ok" : toneFor(code);
    let title;
    if (answer.status === "accepted") title = scanDirection === "out" ? "Checked out" : "Checked in";
    else title = TITLES[code] || answer.message || "Not accepted";
    const details = attendee ? [attendee.credentials, attendee.ticket_type].filter(Boolean).join(" · ") : "";
    let message = answer.status === "accepted" ? answer.message : ADVICE[code] || answer.message;
    if (answer.replayed) message = `${message} (this scan was already recorded)`;
    showResult({ tone, title, name: attendee ? attendee.name : "", details, message });
  }

  function showOfflineAnswer(local, scanDirection) {
    const ok = local.code === "ok";
    showResult({
      tone: toneFor(local.code),
      title: ok ? (scanDirection === "out" ? "Checked out" : "Checked in") : TITLES[local.code],
      name: local.badgeId !== undefined ? `Badge no. ${local.badgeId}` : "",
      details: ok ? "Valid badge, checked on this device" : "",
      message: ok
        ? "Accepted offline: the scan uploads when the connection is back."
        : `${ADVICE[local.code]} Saved; it uploads when the connection is back.`,
      offline: true,
    });
  }

  function showBusy() {
    els.result.dataset.busy = "true";
  }

  function refocus() {
    if (els.app.hidden) return;
    if (!cameraOn() || lastSource === "wedge") els.input.focus({ preventScroll: true });
  }

  /* ---------- Sound ---------- */

  let audio = null;

  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  }

  function beep(tone) {
    try {
      unlockAudio();
      if (audio) {
        const notes =
          tone === "ok"
            ? [[1046, 0, 0.12]]
            : tone === "warn"
              ? [[587, 0, 0.1], [587, 0.16, 0.1]]
              : [[196, 0, 0.45]];
        notes.forEach(([frequency, at, duration]) => {
          const oscillator = audio.createOscillator();
          const gain = audio.createGain();
          oscillator.type = tone === "bad" ? "square" : "sine";
          oscillator.frequency.value = frequency;
          const start = audio.currentTime + at;
          gain.gain.setValueAtTime(0.0001, start);
          gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
          gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
          oscillator.connect(gain).connect(audio.destination);
          oscillator.start(start);
          oscillator.stop(start + duration + 0.02);
        });
      }
    } catch (error) {
      /* no sound: the colours still say it */
    }
    if (navigator.vibrate) navigator.vibrate(tone === "ok" ? 60 : [120, 60, 120]);
  }

  /* ---------- Scanning ---------- */

  let scanChain = Promise.resolve();

  function submitScan(text, source) {
    lastSource = source;
    // One at a time, so results show, and scans queue, in the order they were made.
    scanChain = scanChain.then(() => handleScan(text)).catch((error) => {
      showResult({ tone: "bad", title: "Scan failed", message: String(error && error.message) });
    });
    return scanChain;
  }

  async function handleScan(raw) {
    const text = String(raw || "").trim();
    if (!text) return;
    if (!token) {
      becomeUnpaired();
      return;
    }
    const scan = {
      token: text.slice(0, 400),
      direction,
      scanned_at: new Date().toISOString(),
      nonce: makeNonce(),
    };
    showBusy();
    if (navigator.onLine !== false) {
      let canSend = true;
      if ((await queueCount()) > 0) canSend = await flush(); // keep the server's order
      if (!token) return; // the upload found the device revoked
      if (canSend) {
        let response = null;
        try {
          response = await api("POST", cfg.apiScan, scan, SCAN_TIMEOUT_MS);
        } catch (error) {
          setConnection(false);
        }
        if (response && response.status === 401) {
          becomeUnpaired("revoked");
          return;
        }
        if (response && response.ok) {
          setConnection(true);
          showServerAnswer(await response.json(), scan.direction);
          return;
        }
        if (response && !OFFLINE_STATUSES.has(response.status)) {
          setConnection(true);
          const body = await readJson(response);
          const detail = typeof body.detail === "string" ? body.detail : `The server answered ${response.status}.`;
          showResult({ tone: "bad", title: "Scan not recorded", message: detail });
          return;
        }
        if (response) setConnection(false);
      }
    } else {
      setConnection(false);
    }
    // Offline: judge here, and queue the scan whatever the answer (the server decides).
    const local = await judgeOffline(scan.token);
    await queueAdd({
      ...scan,
      place: device ? (device.session_id === null ? "entrance" : device.session_id) : null,
      local: local.code,
    });
    showOfflineAnswer(local, scan.direction);
    updateQueue();
  }

  /* ---------- Camera (static/js/qr-camera.js) ---------- */

  const camera = window.conveneQrCamera.create({
    video: els.video,
    view: els.cameraView,
    toggle: els.cameraToggle,
    status: els.cameraStatus,
    debounceMs: DEBOUNCE_MS,
    onText: (text) => submitScan(text, "camera"),
    onChange: (on) => root.classList.toggle("is-camera", on),
    text: {
      start: "Start camera",
      stop: "Stop camera",
      on: "Camera on: hold a badge inside the frame.",
      insecure:
        "This browser can’t use the camera here: it needs a secure (https) connection. A handheld scanner still works.",
      refused:
        "Camera access was refused. Allow the camera for this site in the browser settings, or use a handheld scanner.",
    },
  });
  const cameraOn = camera.isOn;
  const startCamera = camera.start;
  const stopCamera = camera.stop;

  /* ---------- Pairing state ---------- */

  function adoptNewToken() {
    const tag = document.getElementById("new-device-token");
    if (!tag) return;
    try {
      const fresh = JSON.parse(tag.textContent);
      if (typeof fresh === "string" && fresh) {
        save(KEY_TOKEN, fresh);
        save(KEY_DEVICE, null); // another device, perhaps: reload its place and keys
        save(KEY_UPLOAD, null);
      }
    } catch (error) {
      /* ignore a broken tag */
    }
    tag.remove();
    // Keep the token out of the history, and make a reload open the scanner, not re-POST.
    window.history.replaceState(null, "", cfg.scanUrl);
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  }

  async function becomeUnpaired(reason) {
    const wasPaired = token !== null;
    token = null;
    device = null;
    uploadFailing = false;
    save(KEY_TOKEN, null);
    save(KEY_DEVICE, null);
    stopCamera();
    clearTimeout(resultTimer);
    els.app.hidden = true;
    els.loading.hidden = true;
    els.event.textContent = "Convene";
    els.place.textContent = "Badge scanner";
    els.placePrefix.hidden = true;
    els.device.textContent = "";
    els.unpaired.hidden = false;
    setConnection(navigator.onLine !== false);
    const waiting = await updateQueue();
    let text;
    if (reason === "revoked") {
      text =
        "The organizer revoked this device or paired it on another device, so it can no longer scan. To scan here, open a new pairing link from the organizer.";
    } else if (reason === "unpaired") {
      text = "This browser is no longer a scanner. To scan here again, open a pairing link from the organizer.";
    } else {
      text = "To scan badges, open the pairing link from the organizer on this device.";
    }
    if (waiting) {
      text += ` ${plural(waiting, "scan")} made offline ${waiting === 1 ? "is" : "are"} kept here and upload${waiting === 1 ? "s" : ""} once this browser is paired again as the same device.`;
    }
    els.unpairedReason.textContent = text;
    if (wasPaired) document.getElementById("unpaired-heading").focus();
  }

  function setDirection(value) {
    direction = value === "out" ? "out" : "in";
    save(KEY_DIRECTION, direction);
    els.directionButtons.forEach((button) => {
      button.setAttribute("aria-pressed", button.dataset.direction === direction ? "true" : "false");
    });
    root.dataset.direction = direction;
  }

  /* ---------- Wiring ---------- */

  function bind() {
    els.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = els.input.value;
      els.input.value = "";
      submitScan(text, "wedge");
      els.input.focus({ preventScroll: true });
    });

    els.directionButtons.forEach((button) => {
      button.addEventListener("click", () => {
        setDirection(button.dataset.direction);
        lastSource = "wedge";
        refocus();
      });
    });

    els.resultNext.addEventListener("click", settleResult);
    els.result.addEventListener("click", (event) => {
      if (els.result.classList.contains("is-full") && event.target !== els.resultNext) settleResult();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && els.result.classList.contains("is-full")) settleResult();
    });

    els.cameraToggle.addEventListener("click", () => {
      if (cameraOn()) {
        stopCamera();
        lastSource = "wedge";
        refocus();
      } else {
        startCamera();
      }
    });

    els.syncButton.addEventListener("click", async () => {
      els.syncButton.disabled = true;
      await refreshDevice();
      await flush();
      els.syncButton.disabled = false;
    });

    els.unpairButton.addEventListener("click", async () => {
      const waiting = await queueCount();
      const warning = waiting
        ? `${plural(waiting, "scan")} still wait${waiting === 1 ? "s" : ""} to upload and can only be uploaded by this device. Unpair anyway?`
        : "Unpair this browser? It stops scanning until it is paired again with a new link.";
      if (window.confirm(warning)) becomeUnpaired("unpaired");
    });

    // Sound may only start after a user gesture: unlock it on the first one.
    const unlock = () => {
      unlockAudio();
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    };
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);

    window.addEventListener("online", () => {
      setConnection(true);
      if (!token) return;
      flush().then(() => refreshDevice());
    });
    window.addEventListener("offline", () => setConnection(false));
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) return;
      leaving = false; // someone is looking at it again
      if (token) flush();
    });
    window.addEventListener("pagehide", () => {
      leaving = true;
      stopCamera();
    });
    document.addEventListener("freeze", () => {
      // Not undone by "resume": a frozen page may be resumed only to be unloaded.
      leaving = true;
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) leaving = false; // back from the back-forward cache
    });

    setInterval(async () => {
      if (!token || navigator.onLine === false) return;
      if ((await queueCount()) > 0) flush();
    }, RETRY_MS);
    setInterval(() => {
      if (token && navigator.onLine !== false) refreshDevice();
    }, REFRESH_MS);
  }

  async function init() {
    adoptNewToken();
    token = load(KEY_TOKEN);
    device = loadJson(KEY_DEVICE);
    setDirection(direction);
    setConnection(navigator.onLine !== false);
    els.upload.textContent = load(KEY_UPLOAD) || "nothing uploaded yet";
    bind();
    els.loading.hidden = true;
    if (!token) {
      await becomeUnpaired();
      resolveReady();
      return;
    }
    els.app.hidden = false;
    renderDevice();
    updateQueue();
    els.input.focus({ preventScroll: true });
    await refreshDevice();
    resolveReady();
    flush();
  }

  /* ---------- Offline page (service worker) ---------- */

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator) || !cfg.serviceWorker) return;
    try {
      navigator.serviceWorker
        .register(cfg.serviceWorker, { scope: cfg.scanUrl, updateViaCache: "none" })
        .catch(() => {
          /* no offline reload (private mode, http, or offline right now): scanning works */
        });
    } catch (error) {
      /* same */
    }
  }

  // A tiny hook for browser tests.
  window.convene = {
    queueSize: () => queueCount(),
    /** True when this device, offline, would accept the badge: valid signature for its
        event and not on its revocation list. */
    verifyOffline: (text) => ready.then(() => judgeOffline(text)).then((result) => result.code === "ok"),
    /** A fresh upload attempt (after the one under way, if any). True if all uploaded. */
    sync: async () => {
      if (flushing) await flushing;
      return flush();
    },
  };

  init();
  if (document.readyState === "complete") registerServiceWorker();
  else window.addEventListener("load", registerServiceWorker, { once: true });
})();

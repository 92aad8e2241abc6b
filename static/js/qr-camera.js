/* A camera that reads QR codes in the browser with the vendored jsQR
   (static/vendor/jsQR.js); no native BarcodeDetector is needed. Shared by the badge
   scanner (scanner.js) and the "connect by badge" page (connect.js).

   window.conveneQrCamera.create({video, view, toggle, status, onText, debounceMs,
   paused, onChange, text}) returns {start, stop, isOn}. `text` holds the page's own
   wording: start, stop, on, insecure (no camera API), refused. */
(function () {
  "use strict";

  const INTERVAL_MS = 150; // about 7 decodes a second
  const MAX_SIDE = 720; // decode a downscaled frame: fast enough on phones

  function create(options) {
    const { video, view, toggle, status, onText, text } = options;
    const debounceMs = options.debounceMs || 3000;
    const paused = options.paused || (() => false);
    const onChange = options.onChange || (() => {});
    const canvas = document.createElement("canvas");
    const context2d = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;
    let timer = null;
    let lastText = "";
    let lastTextAt = 0;

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = text.insecure;
        return;
      }
      if (typeof window.jsQR !== "function") {
        status.textContent = "The QR decoder did not load. Reload the page.";
        return;
      }
      toggle.disabled = true;
      status.textContent = "Starting the camera…";
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
      } catch (error) {
        stream = null;
        toggle.disabled = false;
        status.textContent =
          error.name === "NotAllowedError"
            ? text.refused
            : error.name === "NotFoundError"
              ? "No camera found on this device."
              : `The camera could not start (${error.message || error.name}).`;
        return;
      }
      video.srcObject = stream;
      view.hidden = false;
      onChange(true);
      try {
        await video.play();
      } catch (error) {
        /* autoplay of a muted inline video is allowed; ignore a racing pause */
      }
      timer = setInterval(decodeFrame, INTERVAL_MS);
      toggle.disabled = false;
      toggle.textContent = text.stop;
      toggle.setAttribute("aria-pressed", "true");
      status.textContent = text.on;
    }

    function stop() {
      clearInterval(timer);
      timer = null;
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.srcObject = null;
      view.hidden = true;
      onChange(false);
      toggle.textContent = text.start;
      toggle.setAttribute("aria-pressed", "false");
      status.textContent = "";
    }

    function decodeFrame() {
      if (paused() || document.hidden || video.readyState < 2 || !video.videoWidth) return;
      const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      context2d.drawImage(video, 0, 0, width, height);
      const image = context2d.getImageData(0, 0, width, height);
      const code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
      if (!code || !code.data) return;
      const now = Date.now();
      const repeat = code.data === lastText && now - lastTextAt < debounceMs;
      lastText = code.data;
      lastTextAt = now; // a badge held in front of the camera keeps being ignored
      if (!repeat) onText(code.data);
    }

    return { start, stop, isOn: () => stream !== null };
  }

  window.conveneQrCamera = { create };
})();

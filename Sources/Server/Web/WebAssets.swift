// Generated from web/ by `make web-assets` (tests-web/embed_web_assets.py): do not edit.
// WebAssetsTests fails when this copy and web/ differ.

/// The browser page's files, compiled into the binary so that `GET /` works with no file
/// beside the executable. Served by `WebRoutes`. Not SwiftPM resources: those are a bundle
/// folder the static deploy binary and an installed binary would have to carry beside them.
enum WebAssets {
    /// web/index.html
    static let indexHTML = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<title>semadjust — semantics-aware photo adjustment</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="ui/style.css">
<script src="ui/app.js" defer></script>
</head>
<body data-state="starting" data-renders="0">
<a class="skip" href="#editor-h">Skip to the map editor</a>
<header class="top">
  <h1>semadjust</h1>
  <p class="tagline">The network finds where each of a style’s presets belongs in your photo.
    Repaint that map to make the retouch your own.</p>
</header>

<main>
  <section class="panel source" aria-labelledby="source-h">
    <h2 id="source-h">Photo and style</h2>
    <div class="drop" id="drop">
      <input type="file" id="file" accept="image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,image/tiff,.heic,.heif">
      <label for="file" class="drop-label">
        <span class="drop-main">Choose a photo</span>
        <span class="drop-sub">or drop one here: JPEG, PNG, WebP, HEIC, AVIF or TIFF</span>
      </label>
    </div>
    <div class="fields">
      <div class="field">
        <label for="style">Style</label>
        <select id="style" disabled><option>Loading styles…</option></select>
      </div>
      <div class="field">
        <label for="size">Longest side</label>
        <select id="size">
          <option value="1024">1024 px (fastest)</option>
          <option value="1600" selected>1600 px</option>
          <option value="2400">2400 px</option>
          <option value="">Full size</option>
        </select>
      </div>
      <div class="field" id="key-field" hidden>
        <label for="api-key">API key</label>
        <input type="password" id="api-key" autocomplete="off" spellcheck="false" placeholder="sak_…">
      </div>
      <button type="button" id="adjust" class="primary" disabled>Adjust photo</button>
    </div>
    <ol class="steps" aria-label="How it works">
      <li><strong>Choose a photo.</strong> The network finds where each preset belongs: the map.</li>
      <li><strong>Paint presets</strong> onto the map; the photo re-renders in a moment.</li>
      <li><strong>Download</strong> the retouched JPEG, and the map to reuse it.</li>
    </ol>
    <p id="style-info" class="hint"></p>
    <p id="status" class="status" role="status" aria-live="polite">Loading styles…</p>
    <div id="error" class="error" role="alert" hidden>
      <p id="error-text"></p>
      <button type="button" id="error-close" class="link">Dismiss</button>
    </div>
  </section>

  <div class="work" id="work">
    <section class="panel editor" aria-labelledby="editor-h">
      <h2 id="editor-h" tabindex="-1">Adjustment map <span class="h-sub">paint to personalise</span></h2>
      <div class="stage-wrap">
        <div class="stage" id="map-stage">
          <img id="map-photo" class="layer" alt="">
          <canvas id="map" class="layer map-layer" role="img" tabindex="0" aria-describedby="map-keys"
            aria-label="Semantic adjustment map: no photo yet"></canvas>
          <div id="brush-cursor" class="brush-cursor" aria-hidden="true" hidden></div>
          <p class="empty" id="map-empty">The discovered map appears here.</p>
        </div>
      </div>
      <p id="map-keys" class="hint keys">Drag on the map to paint. Keyboard: focus the map, move the brush with the arrow keys, hold Space to paint.</p>
      <div class="tools">
        <fieldset class="presets" id="presets" disabled>
          <legend>Brush preset <span class="h-sub">(keys 1–9)</span></legend>
          <div id="preset-list" class="preset-list"><p class="hint">No photo yet.</p></div>
        </fieldset>
        <div class="tool-row">
          <div class="field grow">
            <label for="brush">Brush size <output id="brush-out" for="brush">40 px</output></label>
            <input type="range" id="brush" min="4" max="160" step="2" value="40">
          </div>
          <div class="field grow">
            <label for="opacity">Map opacity <output id="opacity-out" for="opacity">55 %</output></label>
            <input type="range" id="opacity" min="0" max="100" step="5" value="55">
          </div>
        </div>
        <div class="tool-row buttons">
          <button type="button" id="undo" disabled aria-keyshortcuts="Control+Z">Undo</button>
          <button type="button" id="reset" disabled>Reset to discovered</button>
          <button type="button" id="render" class="primary" disabled>Re-render</button>
          <label class="check"><input type="checkbox" id="auto" checked> Re-render after each stroke</label>
          <label class="check" title="The server moves each stroke's edges onto the photo's edges nearby (refine=true)"><input type="checkbox" id="snap" checked> Snap strokes to edges</label>
        </div>
      </div>
    </section>

    <section class="panel result" aria-labelledby="result-h">
      <h2 id="result-h">Result <span class="h-sub">before / after</span></h2>
      <div class="stage-wrap">
        <div class="stage" id="compare-stage">
          <img id="before" class="layer" alt="Your photo before adjustment">
          <img id="after" class="layer" alt="Your photo after adjustment">
          <div id="divider" class="divider" aria-hidden="true"></div>
          <span class="tag tag-before" aria-hidden="true">Before</span>
          <span class="tag tag-after" aria-hidden="true">After</span>
          <p class="empty" id="compare-empty">The adjusted photo appears here.</p>
        </div>
      </div>
      <div class="field">
        <label for="strength">Strength <output id="strength-out" for="strength">100 %</output></label>
        <input type="range" id="strength" min="0" max="100" step="5" value="100" disabled>
      </div>
      <div class="field">
        <label for="compare">Before / after split <output id="compare-out" for="compare">50 %</output></label>
        <input type="range" id="compare" min="0" max="100" value="50" disabled>
      </div>
      <div class="tool-row buttons">
        <button type="button" id="download-jpeg" disabled>Download JPEG</button>
        <button type="button" id="download-map" disabled>Download map PNG</button>
        <button type="button" id="download-colour" disabled>Download coloured map</button>
      </div>
      <details class="timings" id="timings-box" open>
        <summary>Timings <span id="timings-total" class="h-sub"></span></summary>
        <dl id="timings"></dl>
      </details>
    </section>
  </div>
</main>

<footer class="foot">
  <p>Nam &amp; Kim, “Deep Semantics-Aware Photo Adjustment”.
    API: <a href="openapi.yaml">openapi.yaml</a>.
    The map PNG holds preset indices 0…K−1; send it back as <code>map</code> with the photo’s <code>image_id</code>.</p>
</footer>
</body>
</html>

"""#

    /// web/app.js
    static let appJS = #"""
// semadjust's browser page: upload a photo, show the discovered semantic adjustment map over it,
// let the user repaint the map, and re-render through the API's image_id loop.
//
// No framework and no build step: the file is served as is (embedded in the binary). Every URL is
// relative, so the page works behind a reverse proxy that mounts the service under a path prefix.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const el = {
    file: $("file"), drop: $("drop"), style: $("style"), size: $("size"), adjust: $("adjust"),
    keyField: $("key-field"), apiKey: $("api-key"),
    styleInfo: $("style-info"), status: $("status"), error: $("error"), errorText: $("error-text"),
    errorClose: $("error-close"),
    mapStage: $("map-stage"), mapPhoto: $("map-photo"), map: $("map"), cursor: $("brush-cursor"),
    mapEmpty: $("map-empty"), presets: $("presets"), presetList: $("preset-list"),
    brush: $("brush"), brushOut: $("brush-out"), opacity: $("opacity"), opacityOut: $("opacity-out"),
    undo: $("undo"), reset: $("reset"), render: $("render"), auto: $("auto"), snap: $("snap"),
    compareStage: $("compare-stage"), before: $("before"), after: $("after"), divider: $("divider"),
    compareEmpty: $("compare-empty"), compare: $("compare"), compareOut: $("compare-out"),
    strength: $("strength"), strengthOut: $("strength-out"),
    downloadJPEG: $("download-jpeg"), downloadMap: $("download-map"), downloadColour: $("download-colour"),
    timings: $("timings"), timingsTotal: $("timings-total"),
  };

  const UNDO_LIMIT = 30;

  const state = {
    styles: [],
    file: null,          // the File the user picked (kept to resend when the server forgot it)
    inputURL: null,
    photo: null,         // {imageId, style, width, height, K, presets, colours}
    labels: null,        // Uint8Array width*height of preset indices: what the user sees and paints
    discovered: null,    // {labels, jpeg, coverage, timings}: the network's own answer, for reset
    jpeg: null,          // Blob of the latest output
    outputURL: null,
    lut: null,           // Uint8Array K*4 of preset colours
    overlay: null,       // ImageData the size of the map
    undo: [],            // [{labels, unsnapped}] before each change
    unsnapped: false,    // strokes painted since the server last snapped the map to the photo's edges
    edits: 0,            // bumped per change of the map: a snapped map is adopted only if none came since
    preset: 0,
    busy: false,         // a request is in flight
    renderQueued: false, // the map changed while a render was in flight: render again when it ends
    renders: 0,
    generation: 0,       // bumped per picked photo: answers for an earlier photo are dropped
    adjustQueued: false, // a photo was picked while a request was in flight
  };

  // ---------------------------------------------------------------------------------------------
  // Status, errors, busy state

  function setStatus(text) { el.status.textContent = text; }

  function showError(text) {
    el.errorText.textContent = text;
    el.error.hidden = false;
  }

  function clearError() {
    el.error.hidden = true;
    el.errorText.textContent = "";
  }

  function setBusy(busy) {
    state.busy = busy;
    document.body.dataset.state = busy ? "busy" : "idle";
    el.mapStage.classList.toggle("working", busy);
    el.compareStage.classList.toggle("working", busy);
    refreshButtons();
  }

  function refreshButtons() {
    const ready = state.photo !== null;
    el.adjust.disabled = state.busy || state.file === null || state.styles.length === 0;
    el.undo.disabled = !ready || state.undo.length === 0;
    el.reset.disabled = !ready;
    el.render.disabled = !ready || state.busy;
    el.compare.disabled = !ready;
    el.strength.disabled = !ready;
    el.downloadJPEG.disabled = state.jpeg === null;
    el.downloadMap.disabled = !ready;
    el.downloadColour.disabled = !ready;
    el.presets.disabled = !ready;
  }

  // An RFC 9457 problem (or whatever else came back) as a sentence a person can act on.
  async function describeFailure(response) {
    let detail = "";
    let title = response.statusText;
    const type = response.headers.get("Content-Type") || "";
    try {
      if (type.includes("json")) {
        const problem = await response.json();
        detail = problem.detail || "";
        title = problem.title || title;
      } else if (type.startsWith("text/plain")) {
        detail = (await response.text()).trim().slice(0, 300);
      }  // anything else (a proxy's HTML error page): the status line says enough
    } catch (_) { /* an unreadable body: the status line says enough */ }
    if (response.status === 502 || response.status === 504) detail = detail || "the service behind the proxy did not answer";
    let text = `${title || "Error"} (HTTP ${response.status})`;
    if (detail) text += `: ${detail}`;
    if (!/[.!?]$/.test(text)) text += ".";
    if (response.status === 503 || response.status === 429) {
      const retry = response.headers.get("Retry-After");
      text += retry ? ` Try again in ${retry} s.` : " Try again shortly.";
    } else if (response.status === 413) {
      text += " Try a smaller file.";
    } else if (response.status === 415) {
      text += " Choose a JPEG or PNG photo.";
    }
    return text;
  }

  // ---------------------------------------------------------------------------------------------
  // Styles

  async function loadStyles() {
    try {
      const response = await fetch("v1/styles", { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(await describeFailure(response));
      const body = await response.json();
      state.styles = body.styles || [];
      el.style.textContent = "";
      for (const style of state.styles) {
        const option = document.createElement("option");
        option.value = style.id;
        option.textContent = `${style.id} (K = ${style.K})`;
        option.selected = style.id === body.default;
        el.style.append(option);
      }
      if (state.styles.length === 0) {
        el.style.append(new Option("No styles loaded"));
        showError("The service has no style models loaded, so photos cannot be adjusted yet.");
        setStatus("No styles available.");
      } else {
        el.style.disabled = false;
        describeStyle();
        setStatus("Choose a photo to begin.");
      }
    } catch (error) {
      showError(`Could not load the styles: ${error.message}`);
      setStatus("Styles unavailable.");
    }
    document.body.dataset.state = "idle";
    refreshButtons();
  }

  function currentStyle() {
    return state.styles.find((s) => s.id === el.style.value) || state.styles[0];
  }

  function describeStyle() {
    const style = currentStyle();
    el.styleInfo.textContent = style ? `Presets: ${style.presets.join(", ")}.` : "";
  }

  // ---------------------------------------------------------------------------------------------
  // Talking to the API

  // With API keys on (`serve --api-keys`), the key field appears at the first 401; the key is kept
  // for this tab only (sessionStorage), never in the page's URL.
  el.apiKey.value = sessionStorage.getItem("semadjust-api-key") || "";
  if (el.apiKey.value) el.keyField.hidden = false;
  el.apiKey.addEventListener("change", () => sessionStorage.setItem("semadjust-api-key", el.apiKey.value.trim()));

  async function post(form) {
    const headers = { Accept: "application/json" };
    const key = el.apiKey.value.trim();
    if (key) headers.Authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch("v1/adjust", { method: "POST", body: form, headers });
    } catch (error) {
      throw Object.assign(new Error(`Could not reach the service (${error.message}).`), { status: 0 });
    }
    if (response.status === 401) {
      el.keyField.hidden = false;
      el.apiKey.focus();
      const text = await describeFailure(response);
      throw Object.assign(new Error(`${text} Enter your API key beside the style, then try again.`), { status: 401 });
    }
    if (!response.ok) {
      throw Object.assign(new Error(await describeFailure(response)), { status: response.status });
    }
    return response.json();
  }

  function base64Blob(text, type) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], { type });
  }

  // The label PNG's gray values, exactly: no colour management may touch preset indices.
  async function decodeLabels(pngBlob, width, height, K) {
    const bitmap = await createImageBitmap(pngBlob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    g.imageSmoothingEnabled = false;
    g.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const rgba = g.getImageData(0, 0, width, height).data;
    const labels = new Uint8Array(width * height);
    for (let i = 0; i < labels.length; i++) labels[i] = Math.min(rgba[4 * i], K - 1);
    return labels;
  }

  // A new photo (or the same one again with another style or size): the full analysis.
  async function adjustPhoto({ withMap = false } = {}) {
    if (!state.file) return;
    if (state.busy) { state.adjustQueued = true; return; }
    state.adjustQueued = false;
    const generation = state.generation;
    clearError();
    setBusy(true);
    setStatus(withMap ? "Sending the photo again with your map…" : "Analysing the photo…");
    const started = performance.now();
    try {
      const style = currentStyle();
      const form = new FormData();
      form.append("image", state.file, state.file.name || "photo");
      if (style) form.append("style", style.id);
      if (el.size.value) form.append("max_side", el.size.value);
      form.append("strength", strengthValue());
      const snapping = withMap && state.labels && el.snap.checked && state.unsnapped;
      const edits = state.edits;
      if (withMap && state.labels) {
        form.append("map", await encodeLabelPNG(state.labels, state.photo.width, state.photo.height), "map.png");
        form.append("refine", snapping ? "true" : "false");
      } else {
        form.append("refine", el.snap.checked ? "true" : "false");  // the discovered map, snapped
      }
      const body = await post(form);
      if (generation !== state.generation) return;
      const jpeg = base64Blob(body.image, body.image_type || "image/jpeg");
      const serverLabels = await decodeLabels(base64Blob(body.map, "image/png"), body.width, body.height, body.K);
      const keepPainting = withMap && state.labels && state.photo && state.photo.width === body.width && state.photo.height === body.height;
      state.photo = {
        imageId: body.image_id, style: body.style, width: body.width, height: body.height,
        K: body.K, presets: body.presets, colours: body.colours,
      };
      if (!keepPainting) {
        state.discovered = { labels: serverLabels, jpeg, coverage: body.coverage, timings: body.timings_ms };
        state.labels = serverLabels.slice();
        state.undo = [];
        state.unsnapped = false;
        state.preset = Math.min(state.preset, body.K - 1);
      } else if (snapping && edits === state.edits) {
        adoptSnapped(serverLabels);
      }
      setupMap();
      buildLegend();
      showOutput(jpeg, body, performance.now() - started);
      if (state.inputUnviewable) await showServersBefore(generation);
      setStatus(`Adjusted ${body.width}×${body.height} with style ${body.style} in ${formatMs(performance.now() - started)}. Paint on the map to change it.`);
    } catch (error) {
      if (generation === state.generation) {
        showError(error.message);
        setStatus("The photo could not be adjusted.");
      }
    } finally {
      setBusy(false);
      afterRequest();
    }
  }

  // Whatever the user asked for while a request was in flight, newest photo first.
  function afterRequest() {
    if (state.adjustQueued) adjustPhoto();
    else if (state.renderQueued) { state.renderQueued = false; rerender(); }
  }

  // The personalisation loop: only the painted map travels; the server re-renders from the
  // features it cached under image_id, skipping the network's trunk.
  async function rerender() {
    if (!state.photo) return;
    if (state.busy) { state.renderQueued = true; return; }
    clearError();
    setBusy(true);
    setStatus("Re-rendering with your map…");
    const started = performance.now();
    const generation = state.generation;
    try {
      // Strokes go to the server with refine=true (when "Snap to edges" is on) and come back
      // snapped; a map restored by Undo or Reset was snapped already and is sent as it is.
      const snapping = el.snap.checked && state.unsnapped;
      const edits = state.edits;
      const form = new FormData();
      form.append("image_id", state.photo.imageId);
      form.append("map", await encodeLabelPNG(state.labels, state.photo.width, state.photo.height), "map.png");
      form.append("refine", snapping ? "true" : "false");
      form.append("strength", strengthValue());
      const body = await post(form);
      if (generation !== state.generation) return;
      const jpeg = base64Blob(body.image, body.image_type || "image/jpeg");
      if (snapping && edits === state.edits) {
        adoptSnapped(await decodeLabels(base64Blob(body.map, "image/png"), body.width, body.height, body.K));
      }
      showOutput(jpeg, body, performance.now() - started);
      updateCoverage(body.coverage);
      setStatus(`Re-rendered in ${formatMs(performance.now() - started)}.`);
    } catch (error) {
      if (generation !== state.generation) return;
      if (error.status === 404 && state.file) {
        // The server evicted the photo (restart, memory, age): analyse it again, with the map.
        setBusy(false);
        await adjustPhoto({ withMap: true });
        return;
      }
      showError(error.message);
      setStatus("Re-rendering failed.");
    } finally {
      if (state.busy) setBusy(false);
      afterRequest();
    }
  }

  // The slider's 0-100 % as the form's 0-1.
  function strengthValue() {
    return (Number(el.strength.value) / 100).toFixed(2);
  }

  // A photo the browser cannot show (HEIC, TIFF in Chromium): its "before" is the server's render
  // at strength 0 (the photo's own colours, converted to sRGB as the model saw them), fetched once
  // through the image_id loop, and serves the map's background too.
  async function showServersBefore(generation) {
    const form = new FormData();
    form.append("image_id", state.photo.imageId);
    form.append("strength", "0");
    form.append("refine", "false");
    try {
      const body = await post(form);
      if (generation !== state.generation) return;
      if (state.inputURL) URL.revokeObjectURL(state.inputURL);
      state.inputURL = URL.createObjectURL(base64Blob(body.image, body.image_type || "image/jpeg"));
      state.inputUnviewable = false;
      el.before.src = state.inputURL;
      el.mapPhoto.src = state.inputURL;
    } catch (error) {
      // The comparison stays without its "before"; the result itself is shown.
    }
  }

  function showOutput(jpeg, body, roundTripMs) {
    state.jpeg = jpeg;
    if (state.outputURL) URL.revokeObjectURL(state.outputURL);
    state.outputURL = URL.createObjectURL(jpeg);
    el.after.src = state.outputURL;
    el.compareStage.classList.add("has-image");
    state.renders += 1;
    el.after.decode().catch(() => {}).finally(() => { document.body.dataset.renders = String(state.renders); });
    showTimings(body.timings_ms || {}, roundTripMs);
    refreshButtons();
  }

  function formatMs(ms) { return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`; }

  function showTimings(timings, roundTripMs) {
    el.timings.textContent = "";
    let server = 0;
    const rows = Object.entries(timings).map(([name, ms]) => { server += ms; return [name, ms]; });
    rows.push(["server total", server], ["round trip", roundTripMs]);
    for (const [name, ms] of rows) {
      const item = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = formatMs(ms);
      item.append(dt, dd);
      el.timings.append(item);
    }
    el.timingsTotal.textContent = `— ${formatMs(roundTripMs)} round trip`;
  }

  // ---------------------------------------------------------------------------------------------
  // The map: overlay, legend, painting

  function hexRGB(hex) {
    const n = parseInt(hex.replace("#", ""), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function setupMap() {
    const { width, height, colours } = state.photo;
    state.lut = new Uint8Array(colours.length * 4);
    colours.forEach((hex, i) => { state.lut.set([...hexRGB(hex), 255], 4 * i); });
    el.map.width = width;
    el.map.height = height;
    state.overlay = new ImageData(width, height);
    paintOverlay(0, 0, width, height);
    for (const stage of [el.mapStage, el.compareStage]) stage.style.setProperty("--aspect", `${width} / ${height}`);
    el.mapStage.classList.add("has-image");
    applyOpacity();
  }

  // Recolours a rectangle of the overlay from the labels and puts just that part on the canvas.
  function paintOverlay(x0, y0, x1, y1) {
    const { width } = state.photo;
    const data = state.overlay.data;
    const lut = state.lut;
    const labels = state.labels;
    for (let y = y0; y < y1; y++) {
      let i = y * width + x0;
      for (let x = x0; x < x1; x++, i++) {
        const c = labels[i] * 4;
        const o = i * 4;
        data[o] = lut[c]; data[o + 1] = lut[c + 1]; data[o + 2] = lut[c + 2]; data[o + 3] = 255;
      }
    }
    el.map.getContext("2d").putImageData(state.overlay, 0, 0, x0, y0, x1 - x0, y1 - y0);
  }

  function coverageOf(labels, K) {
    const counts = new Array(K).fill(0);
    for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
    return counts.map((c) => c / Math.max(1, labels.length));
  }

  function buildLegend() {
    const { presets, colours } = state.photo;
    el.presetList.textContent = "";
    presets.forEach((name, i) => {
      const label = document.createElement("label");
      label.className = "preset";
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "preset";
      radio.value = String(i);
      radio.id = `preset-${i}`;
      radio.checked = i === state.preset;
      radio.addEventListener("change", () => { state.preset = i; });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = colours[i];
      const text = document.createElement("span");
      text.className = "preset-name";
      text.textContent = name;
      const share = document.createElement("span");
      share.className = "share";
      share.id = `share-${i}`;
      const bar = document.createElement("span");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.className = "bar-fill";
      fill.id = `bar-${i}`;
      fill.style.backgroundColor = colours[i];
      bar.append(fill);
      label.append(radio, swatch, text, share, bar);
      el.presetList.append(label);
    });
    updateCoverage(coverageOf(state.labels, presets.length));
  }

  function updateCoverage(coverage) {
    const { presets } = state.photo;
    const parts = [];
    coverage.forEach((share, i) => {
      const pct = `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
      const shareEl = $(`share-${i}`);
      if (shareEl) shareEl.textContent = pct;
      const bar = $(`bar-${i}`);
      if (bar) bar.style.width = `${Math.max(0, Math.min(100, share * 100))}%`;
      parts.push(`${presets[i]} ${pct}`);
    });
    el.map.setAttribute("aria-label", `Semantic adjustment map: ${parts.join(", ")}`);
  }

  function selectPreset(i) {
    if (!state.photo || i < 0 || i >= state.photo.K) return;
    state.preset = i;
    const radio = $(`preset-${i}`);
    if (radio) radio.checked = true;
  }

  function applyOpacity() {
    const value = Number(el.opacity.value);
    el.map.style.opacity = String(value / 100);
    el.opacityOut.textContent = `${value} %`;
  }

  function pushUndo() {
    state.undo.push({ labels: state.labels.slice(), unsnapped: state.unsnapped });
    if (state.undo.length > UNDO_LIMIT) state.undo.shift();
    state.edits += 1;
  }

  // The server's snapped map becomes the map the user sees and paints on (Undo still goes back to
  // the map before the stroke).
  function adoptSnapped(labels) {
    if (!state.photo || labels.length !== state.labels.length) return;
    state.labels = labels;
    state.unsnapped = false;
    paintOverlay(0, 0, state.photo.width, state.photo.height);
    document.body.dataset.snapped = String((Number(document.body.dataset.snapped) || 0) + 1);
  }

  // Stamps a disc of the current preset centred on (cx, cy), in map pixels. Labels are set
  // exactly (no antialiasing): every pixel must stay a valid preset index.
  function stamp(cx, cy, r, bounds) {
    const { width, height } = state.photo;
    const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(width, Math.ceil(cx + r) + 1);
    const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(height, Math.ceil(cy + r) + 1);
    const r2 = r * r;
    const label = state.preset;
    for (let y = y0; y < y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x < x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy * dy <= r2) state.labels[y * width + x] = label;
      }
    }
    state.unsnapped = true;
    if (x0 < x1 && y0 < y1) {
      bounds.x0 = Math.min(bounds.x0, x0); bounds.y0 = Math.min(bounds.y0, y0);
      bounds.x1 = Math.max(bounds.x1, x1); bounds.y1 = Math.max(bounds.y1, y1);
    }
  }

  let stroke = null; // {last: [x, y], r, pointerId}

  function mapPoint(event) {
    const rect = el.map.getBoundingClientRect();
    const sx = state.photo.width / rect.width;
    return {
      x: (event.clientX - rect.left) * sx,
      y: (event.clientY - rect.top) * (state.photo.height / rect.height),
      scale: sx,
    };
  }

  function strokeTo(p) {
    const bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    const [lx, ly] = stroke.last;
    const distance = Math.hypot(p.x - lx, p.y - ly);
    const step = Math.max(1, stroke.r / 3);
    const n = Math.max(1, Math.ceil(distance / step));
    for (let k = 1; k <= n; k++) stamp(lx + ((p.x - lx) * k) / n, ly + ((p.y - ly) * k) / n, stroke.r, bounds);
    stroke.last = [p.x, p.y];
    if (bounds.x0 < bounds.x1) paintOverlay(bounds.x0, bounds.y0, bounds.x1, bounds.y1);
  }

  function moveCursor(event) {
    const rect = el.mapStage.getBoundingClientRect();
    const size = Number(el.brush.value);
    el.cursor.style.width = el.cursor.style.height = `${size}px`;
    el.cursor.style.transform = `translate(${event.clientX - rect.left - size / 2}px, ${event.clientY - rect.top - size / 2}px)`;
  }

  el.map.addEventListener("pointerdown", (event) => {
    if (!state.photo || event.button !== 0) return;
    event.preventDefault();
    el.map.setPointerCapture(event.pointerId);
    pushUndo();
    const p = mapPoint(event);
    stroke = { last: [p.x, p.y], r: (Number(el.brush.value) / 2) * p.scale, pointerId: event.pointerId };
    const bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    stamp(p.x, p.y, stroke.r, bounds);
    if (bounds.x0 < bounds.x1) paintOverlay(bounds.x0, bounds.y0, bounds.x1, bounds.y1);
    refreshButtons();
  });

  el.map.addEventListener("pointermove", (event) => {
    if (!state.photo) return;
    el.cursor.hidden = false;
    moveCursor(event);
    if (stroke && event.pointerId === stroke.pointerId) {
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const e of events.length ? events : [event]) strokeTo(mapPoint(e));
    }
  });

  function finishStroke() {
    stroke = null;
    updateCoverage(coverageOf(state.labels, state.photo.K));
    if (el.auto.checked) rerender();
    else setStatus("Map changed: press Re-render to see it.");
  }

  function endStroke(event) {
    if (stroke && event.pointerId === stroke.pointerId) finishStroke();
  }

  el.map.addEventListener("pointerup", endStroke);
  el.map.addEventListener("pointercancel", endStroke);
  el.map.addEventListener("pointerleave", () => { el.cursor.hidden = true; });

  // Painting without a pointer: with the map focused, the arrow keys move the brush (Shift: four
  // times as far) and holding Space paints, so keyboard users can personalise the map too.
  let keyBrush = null; // {x, y} in map pixels

  function showKeyBrush() {
    const rect = el.map.getBoundingClientRect();
    const scale = rect.width / state.photo.width;
    const size = Number(el.brush.value);
    el.cursor.hidden = false;
    el.cursor.style.width = el.cursor.style.height = `${size}px`;
    el.cursor.style.transform = `translate(${keyBrush.x * scale - size / 2}px, ${keyBrush.y * scale - size / 2}px)`;
  }

  el.map.addEventListener("focus", () => {
    if (!state.photo) return;
    if (!keyBrush) keyBrush = { x: state.photo.width / 2, y: state.photo.height / 2 };
    showKeyBrush();
  });
  el.map.addEventListener("blur", () => {
    el.cursor.hidden = true;
    if (stroke && stroke.pointerId === "keyboard") finishStroke();
  });
  el.map.addEventListener("keydown", (event) => {
    if (!state.photo || !keyBrush) return;
    const scale = state.photo.width / el.map.getBoundingClientRect().width;
    const r = (Number(el.brush.value) / 2) * scale;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[event.key]) {
      event.preventDefault();
      const step = Math.max(2, r) * (event.shiftKey ? 4 : 1);
      keyBrush.x = Math.max(0, Math.min(state.photo.width, keyBrush.x + moves[event.key][0] * step));
      keyBrush.y = Math.max(0, Math.min(state.photo.height, keyBrush.y + moves[event.key][1] * step));
      if (stroke && stroke.pointerId === "keyboard") strokeTo(keyBrush);
      showKeyBrush();
    } else if (event.key === " ") {
      event.preventDefault();
      if (stroke) return;  // key repeat while held
      pushUndo();
      stroke = { last: [keyBrush.x, keyBrush.y], r, pointerId: "keyboard" };
      const bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      stamp(keyBrush.x, keyBrush.y, r, bounds);
      if (bounds.x0 < bounds.x1) paintOverlay(bounds.x0, bounds.y0, bounds.x1, bounds.y1);
      refreshButtons();
    }
  });
  el.map.addEventListener("keyup", (event) => {
    if (event.key === " " && stroke && stroke.pointerId === "keyboard") finishStroke();
  });

  function undo() {
    if (!state.photo || state.undo.length === 0) return;
    const previous = state.undo.pop();
    state.labels = previous.labels;
    state.unsnapped = previous.unsnapped;
    state.edits += 1;
    paintOverlay(0, 0, state.photo.width, state.photo.height);
    updateCoverage(coverageOf(state.labels, state.photo.K));
    refreshButtons();
    if (el.auto.checked) rerender();
    else setStatus("Undone: press Re-render to see it.");
  }

  // Back to the network's own map and output, with no round trip: both were kept.
  function resetToDiscovered() {
    if (!state.photo || !state.discovered) return;
    pushUndo();
    state.labels = state.discovered.labels.slice();
    state.unsnapped = false;
    paintOverlay(0, 0, state.photo.width, state.photo.height);
    updateCoverage(state.discovered.coverage);
    showOutput(state.discovered.jpeg, { timings_ms: state.discovered.timings }, 0);
    setStatus("Back to the discovered map.");
  }

  // ---------------------------------------------------------------------------------------------
  // PNG encoding: a true 8-bit grayscale PNG of preset indices. canvas.toBlob would give RGBA,
  // which the API reads as weights (or refuses), so the file is assembled here: filter bytes,
  // zlib (CompressionStream's "deflate" is the zlib format), CRC-32 per chunk.

  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes, crc = 0xffffffff) {
    for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
    return crc;
  }

  function chunk(type, data) {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    view.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
    return out;
  }

  // zlib with stored (uncompressed) blocks, for browsers without CompressionStream.
  function zlibStored(raw) {
    const blocks = Math.max(1, Math.ceil(raw.length / 65535));
    const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
    out[0] = 0x78; out[1] = 0x01;
    let o = 2;
    for (let b = 0; b < blocks; b++) {
      const start = b * 65535, len = Math.min(65535, raw.length - start);
      out[o++] = b === blocks - 1 ? 1 : 0;
      out[o++] = len & 255; out[o++] = len >> 8;
      out[o++] = ~len & 255; out[o++] = (~len >> 8) & 255;
      out.set(raw.subarray(start, start + len), o);
      o += len;
    }
    let a = 1, s = 0;
    for (let i = 0; i < raw.length; i++) { a = (a + raw[i]) % 65521; s = (s + a) % 65521; }
    new DataView(out.buffer).setUint32(o, ((s << 16) | a) >>> 0);
    return out;
  }

  async function zlib(raw) {
    if (typeof CompressionStream === "undefined") return zlibStored(raw);
    const stream = new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function encodeLabelPNG(labels, width, height) {
    // Each row gets filter type 1 (Sub): flat label regions become runs of zeros.
    const raw = new Uint8Array((width + 1) * height);
    for (let y = 0; y < height; y++) {
      const row = y * (width + 1), src = y * width;
      raw[row] = 1;
      raw[row + 1] = labels[src];
      for (let x = 1; x < width; x++) raw[row + 1 + x] = (labels[src + x] - labels[src + x - 1]) & 255;
    }
    const header = new Uint8Array(13);
    const view = new DataView(header.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    header[8] = 8;  // bit depth
    header[9] = 0;  // colour type 0: grayscale
    const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    return new Blob([signature, chunk("IHDR", header), chunk("IDAT", await zlib(raw)), chunk("IEND", new Uint8Array(0))],
      { type: "image/png" });
  }

  // ---------------------------------------------------------------------------------------------
  // Downloads

  function baseName() {
    const name = (state.file && state.file.name) || "photo";
    return name.replace(/\.[^.]+$/, "") || "photo";
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  el.downloadJPEG.addEventListener("click", () => {
    if (state.jpeg) download(state.jpeg, `${baseName()}-${state.photo.style}.jpg`);
  });
  el.downloadMap.addEventListener("click", async () => {
    if (!state.photo) return;
    download(await encodeLabelPNG(state.labels, state.photo.width, state.photo.height), `${baseName()}-map.png`);
  });
  el.downloadColour.addEventListener("click", () => {
    if (!state.photo) return;
    el.map.toBlob((blob) => { if (blob) download(blob, `${baseName()}-map-coloured.png`); }, "image/png");
  });

  // ---------------------------------------------------------------------------------------------
  // Picking a photo

  function pick(file) {
    if (!file) return;
    state.generation += 1;
    state.renderQueued = false;
    state.file = file;
    state.photo = null;
    state.labels = null;
    state.discovered = null;
    state.jpeg = null;
    state.undo = [];
    if (state.inputURL) URL.revokeObjectURL(state.inputURL);
    state.inputURL = URL.createObjectURL(file);
    state.inputUnviewable = false;
    el.before.onerror = () => { state.inputUnviewable = true; };
    el.before.src = state.inputURL;
    el.mapPhoto.src = state.inputURL;
    el.after.removeAttribute("src");
    el.mapStage.classList.remove("has-image");
    el.compareStage.classList.remove("has-image");
    el.mapEmpty.textContent = "Finding the map…";
    el.compareEmpty.textContent = "Adjusting…";
    refreshButtons();
    adjustPhoto();
  }

  el.file.addEventListener("change", () => { pick(el.file.files[0]); });

  for (const name of ["dragenter", "dragover"]) {
    el.drop.addEventListener(name, (event) => { event.preventDefault(); el.drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    el.drop.addEventListener(name, () => { el.drop.classList.remove("over"); });
  }
  el.drop.addEventListener("drop", (event) => {
    event.preventDefault();
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) pick(file);
  });
  // A photo dropped anywhere else should not make the browser navigate away from the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => {
    event.preventDefault();
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) pick(file);
  });

  // ---------------------------------------------------------------------------------------------
  // Controls

  el.style.addEventListener("change", () => { describeStyle(); if (state.file) adjustPhoto(); });
  el.size.addEventListener("change", () => { if (state.file) adjustPhoto(); });
  el.adjust.addEventListener("click", () => adjustPhoto());
  el.errorClose.addEventListener("click", clearError);
  el.undo.addEventListener("click", undo);
  el.reset.addEventListener("click", resetToDiscovered);
  el.render.addEventListener("click", () => rerender());
  el.opacity.addEventListener("input", applyOpacity);
  el.brush.addEventListener("input", () => { el.brushOut.textContent = `${el.brush.value} px`; });

  function applyCompare() {
    const value = Number(el.compare.value);
    el.after.style.clipPath = `inset(0 0 0 ${value}%)`;
    el.divider.style.left = `${value}%`;
    el.compareOut.textContent = `${value} %`;
  }
  el.compare.addEventListener("input", applyCompare);
  el.strength.addEventListener("input", () => { el.strengthOut.textContent = `${el.strength.value} %`; });
  // A new strength re-renders the cached photo (no trunk): on release, not on every step.
  el.strength.addEventListener("change", () => { if (state.photo) rerender(); });

  // Dragging across the result moves the split too (the range input stays the keyboard way).
  function dragCompare(event) {
    const rect = el.compareStage.getBoundingClientRect();
    el.compare.value = String(Math.round(Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width)) * 100));
    applyCompare();
  }
  el.compareStage.addEventListener("pointerdown", (event) => {
    if (!state.jpeg || event.button !== 0) return;
    el.compareStage.setPointerCapture(event.pointerId);
    dragCompare(event);
  });
  el.compareStage.addEventListener("pointermove", (event) => {
    if (el.compareStage.hasPointerCapture(event.pointerId)) dragCompare(event);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && target.type !== "radio" && target.type !== "checkbox" && target.type !== "button");
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z" && !typing) {
      event.preventDefault();
      undo();
    } else if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && /^[1-9]$/.test(event.key)) {
      selectPreset(Number(event.key) - 1);
    }
  });

  applyCompare();
  applyOpacity();
  refreshButtons();
  loadStyles();
})();

"""#

    /// web/style.css
    static let styleCSS = #"""
/* semadjust's page. Dark by default (photos read best on a dark surround), light when asked. */
:root {
  --bg: #111317;
  --panel: #1a1d23;
  --panel-2: #22262e;
  --line: #333946;
  --text: #e8eaef;
  --muted: #a2a9b8;
  --accent: #6cb6ff;
  --accent-text: #07182b;
  --danger-bg: #3a1618;
  --danger-line: #d9534f;
  --focus: #ffd35c;
  --radius: 10px;
  color-scheme: dark;
}

@media (prefers-color-scheme: light) {
  :root {
    --bg: #f3f4f7;
    --panel: #ffffff;
    --panel-2: #eef0f4;
    --line: #cfd4de;
    --text: #15181d;
    --muted: #505a6b;
    --accent: #0b63c4;
    --accent-text: #ffffff;
    --danger-bg: #fdecec;
    --danger-line: #c0392b;
    --focus: #9a5b00;
    color-scheme: light;
  }
}

*, *::before, *::after { box-sizing: border-box; }

html { -webkit-text-size-adjust: 100%; }

body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}

a { color: var(--accent); }

code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }

/* Keyboard focus must always be visible, on every control. */
:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
}

.skip {
  position: absolute;
  left: 8px;
  top: -60px;
  padding: 8px 12px;
  background: var(--accent);
  color: var(--accent-text);
  border-radius: 6px;
  z-index: 10;
}
.skip:focus { top: 8px; }

.top {
  padding: 18px 24px 6px;
  max-width: 1440px;
  margin: 0 auto;
}
.top h1 { margin: 0; font-size: 1.6rem; letter-spacing: 0.01em; }
.tagline { margin: 4px 0 0; color: var(--muted); max-width: 62ch; }

main {
  max-width: 1440px;
  margin: 0 auto;
  padding: 12px 24px 24px;
  display: grid;
  gap: 16px;
}

.panel {
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: var(--radius);
  padding: 14px 16px 16px;
  min-width: 0;
}
.panel h2 { margin: 0 0 10px; font-size: 1.05rem; }
.h-sub { color: var(--muted); font-weight: 400; font-size: 0.9em; }
h2:focus { outline: none; }

/* --- Photo and style ---------------------------------------------------------------------- */

.source {
  display: grid;
  grid-template-columns: minmax(220px, 320px) 1fr;
  grid-template-areas:
    "h h"
    "drop fields"
    "drop info"
    "drop status"
    "error error";
  column-gap: 18px;
  align-items: start;
}
.source h2 { grid-area: h; }
.steps { grid-area: steps; display: none; margin: 0; padding: 2px 0 0 1.3em; color: var(--muted); font-size: 0.9rem; }
.steps li { margin-bottom: 4px; }
.steps strong { color: var(--text); font-weight: 600; }

@media (min-width: 1100px) {
  .source {
    grid-template-columns: minmax(200px, 280px) 1fr minmax(240px, 320px);
    grid-template-areas:
      "h h h"
      "drop fields steps"
      "drop info steps"
      "drop status steps"
      "error error error";
  }
  .steps { display: block; }
}
.drop { grid-area: drop; position: relative; }
.fields { grid-area: fields; display: flex; flex-wrap: wrap; gap: 12px; align-items: end; }
#style-info { grid-area: info; }
.status { grid-area: status; }
.error { grid-area: error; }

/* The real file input stays in the tab order (screen readers and keyboards reach it); the label
   is the visible target, and shows the input's focus. */
#file {
  position: absolute;
  width: 1px;
  height: 1px;
  opacity: 0;
  overflow: hidden;
}
.drop-label {
  display: flex;
  flex-direction: column;
  justify-content: center;
  align-items: center;
  text-align: center;
  min-height: 96px;
  padding: 14px;
  border: 2px dashed var(--line);
  border-radius: var(--radius);
  background: var(--panel-2);
  cursor: pointer;
}
.drop-label:hover, .drop.over .drop-label { border-color: var(--accent); }
#file:focus-visible + .drop-label { outline: 3px solid var(--focus); outline-offset: 2px; }
.drop-main { font-weight: 600; color: var(--accent); font-size: 1.05rem; }
.drop-sub { color: var(--muted); font-size: 0.9rem; }

.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field label, fieldset legend { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
.field output { color: var(--text); font-weight: 400; margin-left: 4px; }
.grow { flex: 1 1 160px; }

select, button {
  font: inherit;
  color: var(--text);
  background: var(--panel-2);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 7px 12px;
  min-height: 38px;
  max-width: 100%;
}
button { cursor: pointer; }
button:hover:not(:disabled), select:hover:not(:disabled) { border-color: var(--accent); }
button:disabled, select:disabled { opacity: 0.5; cursor: not-allowed; }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
button.link { background: none; border: none; padding: 0; min-height: 0; color: inherit; text-decoration: underline; }

input[type="range"] { width: 100%; accent-color: var(--accent); margin: 6px 0; }
input[type="checkbox"], input[type="radio"] { accent-color: var(--accent); width: 18px; height: 18px; margin: 0; }

.hint { color: var(--muted); margin: 8px 0 0; font-size: 0.9rem; }
.status { margin: 8px 0 0; min-height: 1.45em; }
.error {
  margin-top: 10px;
  padding: 10px 12px;
  border: 1px solid var(--danger-line);
  border-left-width: 5px;
  background: var(--danger-bg);
  border-radius: 8px;
  display: flex;
  gap: 12px;
  align-items: baseline;
  justify-content: space-between;
}
.error[hidden] { display: none; }
.error p { margin: 0; overflow-wrap: anywhere; }

/* --- Map editor and result ---------------------------------------------------------------- */

.work {
  display: grid;
  grid-template-columns: 1fr 1fr;
  gap: 16px;
  align-items: start;
}

.stage-wrap { display: flex; justify-content: center; }
.stage {
  --aspect: 4 / 3;
  position: relative;
  aspect-ratio: var(--aspect);
  /* As wide as the column, but never taller than most of the screen. */
  width: min(100%, calc(68vh * (var(--aspect))));
  background: repeating-conic-gradient(#2a2e36 0 25%, #23272e 0 50%) 0 0 / 20px 20px;
  border-radius: 8px;
  overflow: hidden;
  user-select: none;
}
.layer {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  display: none;
}
.stage.has-image .layer { display: block; }
.map-layer { touch-action: none; cursor: crosshair; image-rendering: pixelated; }
/* The map is translucent and its stage clips it, so the stage wears the map's focus ring. */
.map-layer:focus-visible { outline: none; }
.stage:has(.map-layer:focus-visible) { outline: 3px solid var(--focus); outline-offset: 2px; }
.stage.working::after {
  content: "";
  position: absolute;
  left: 0; right: 0; top: 0;
  height: 3px;
  background: linear-gradient(90deg, transparent, var(--accent), transparent);
  background-size: 40% 100%;
  background-repeat: no-repeat;
  animation: sweep 1s linear infinite;
}
@keyframes sweep { from { background-position: -40% 0; } to { background-position: 140% 0; } }
@media (prefers-reduced-motion: reduce) { .stage.working::after { animation: none; background-size: 100% 100%; } }

.empty {
  position: absolute;
  inset: 0;
  margin: 0;
  display: flex;
  align-items: center;
  justify-content: center;
  color: var(--muted);
  text-align: center;
  padding: 12px;
}
.stage.has-image .empty { display: none; }

.brush-cursor {
  position: absolute;
  left: 0; top: 0;
  border: 2px solid #fff;
  box-shadow: 0 0 0 1px #000;
  border-radius: 50%;
  pointer-events: none;
}
.brush-cursor[hidden] { display: none; }

.divider {
  position: absolute;
  top: 0; bottom: 0;
  left: 50%;
  width: 2px;
  margin-left: -1px;
  background: #fff;
  box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.35);
  pointer-events: none;
  display: none;
}
.tag {
  position: absolute;
  top: 8px;
  padding: 2px 8px;
  border-radius: 999px;
  font-size: 0.78rem;
  background: rgba(0, 0, 0, 0.55);
  color: #fff;
  display: none;
}
.tag-before { left: 8px; }
.tag-after { right: 8px; }
.stage.has-image .divider, .stage.has-image .tag { display: block; }
#compare-stage.has-image { cursor: ew-resize; touch-action: pan-y; }

.tools { margin-top: 12px; display: grid; gap: 10px; }
.tool-row { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: center; }
.tool-row.buttons { margin-top: 2px; }
.result .tool-row.buttons { margin-top: 10px; }
.result .field { margin-top: 10px; }
.check { display: inline-flex; gap: 8px; align-items: center; color: var(--muted); font-size: 0.9rem; }

fieldset.presets { border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: 6px 10px 10px; min-width: 0; }
fieldset.presets:disabled { opacity: 0.6; }
.preset-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 6px 12px; }
.preset {
  display: grid;
  grid-template-columns: auto auto 1fr auto;
  grid-template-rows: auto auto;
  align-items: center;
  column-gap: 8px;
  padding: 6px 8px;
  border-radius: 8px;
  border: 1px solid transparent;
  cursor: pointer;
}
.preset:hover { background: var(--panel-2); }
.preset:has(input:checked) { border-color: var(--accent); background: var(--panel-2); }
.swatch { width: 18px; height: 18px; border-radius: 4px; border: 1px solid rgba(255, 255, 255, 0.5); }
.preset-name { overflow-wrap: anywhere; }
.share { color: var(--muted); font-variant-numeric: tabular-nums; font-size: 0.9rem; }
.bar { grid-column: 2 / 5; height: 4px; margin-top: 4px; background: var(--line); border-radius: 2px; overflow: hidden; }
.bar-fill { display: block; height: 100%; width: 0; }

.timings { margin-top: 12px; color: var(--muted); }
.timings summary { cursor: pointer; }
.timings dl {
  display: flex;
  flex-wrap: wrap;
  gap: 6px;
  margin: 8px 0 0;
  font-variant-numeric: tabular-nums;
}
.timings dl > div { background: var(--panel-2); border-radius: 6px; padding: 4px 10px; min-width: 84px; }
.timings dt { color: var(--muted); font-size: 0.8rem; }
.timings dd { margin: 0; color: var(--text); }

.foot { max-width: 1440px; margin: 0 auto; padding: 0 24px 24px; color: var(--muted); font-size: 0.85rem; }

/* --- Narrow screens: one column, everything full width ------------------------------------ */

@media (max-width: 900px) {
  .work { grid-template-columns: 1fr; }
}

@media (max-width: 640px) {
  .top { padding: 14px 14px 4px; }
  main { padding: 10px 10px 18px; gap: 12px; }
  .foot { padding: 0 14px 18px; }
  .panel { padding: 12px; }
  .source {
    grid-template-columns: 1fr;
    grid-template-areas: "h" "drop" "fields" "info" "status" "error";
  }
  .drop { margin-bottom: 10px; }
  .fields .field { flex: 1 1 140px; }
  .fields button { flex: 1 1 100%; }
  .stage { width: 100%; }
  .preset-list { grid-template-columns: 1fr; }
  .tool-row.buttons button { flex: 1 1 auto; }
}

"""#
}

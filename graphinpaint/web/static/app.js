// graphinpaint's page: open an image, paint the hole, restore on the server, compare, download.
// Plain JavaScript, no build step, no network beyond this server. The API is in docs/web.md.
"use strict";

const $ = (id) => document.getElementById(id);
const els = {
  fileInput: $("file-input"), maskInput: $("mask-input"), useAlpha: $("use-alpha"),
  samples: $("samples"), imageInfo: $("image-info"), options: $("options"),
  brushSize: $("brush-size"), brushSizeValue: $("brush-size-value"),
  undo: $("undo"), redo: $("redo"), clear: $("clear"),
  restore: $("restore"), cancel: $("cancel"), progress: $("progress"), status: $("status"),
  downloadResult: $("download-result"), downloadMask: $("download-mask"), error: $("error"),
  viewport: $("viewport"), view: $("view"), dropHint: $("drop-hint"),
  imageCanvas: $("image-canvas"), maskCanvas: $("mask-canvas"), resultCanvas: $("result-canvas"),
  zoomIn: $("zoom-in"), zoomOut: $("zoom-out"), zoomFit: $("zoom-fit"), zoomValue: $("zoom-value"),
  showMask: $("show-mask"), compare: $("compare"), compareLabel: $("compare-label"),
  compareLine: $("compare-line"),
};
const MASK_COLOUR = "rgb(255, 40, 90)";
const HISTORY_LIMIT = 40;
const POLL_MS = 250;

const state = {
  config: null, image: null,          // image: {id, name, width, height, alpha}
  pendingMaskFile: null,              // a mask file the browser cannot show: the server checks it
  undo: [], redo: [], stroke: null, pan: null, spaceHeld: false,
  view: {zoom: 1, x: 0, y: 0}, job: null, resultUrl: null,
};
const maskContext = els.maskCanvas.getContext("2d", {willReadFrequently: true});

// --- messages --------------------------------------------------------------------------------

function showError(message) {
  els.error.textContent = message;
  els.error.hidden = false;
}

function clearError() {
  els.error.hidden = true;
  els.error.textContent = "";
}

function setStatus(text) { els.status.textContent = text; }

// fetch, with a network failure (server stopped, connection refused) told in the page.
async function send(url, options) {
  try {
    return await fetch(url, options);
  } catch (_) {
    showError("Cannot reach the graphinpaint server: is it still running?");
    return null;
  }
}

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error) return body.error;
  } catch (_) { /* not JSON: fall through */ }
  return `The server answered ${response.status} ${response.statusText}.`;
}

// --- configuration: options with defaults and help, samples ----------------------------------

async function loadConfig() {
  const response = await fetch("/api/config");
  state.config = await response.json();
  for (const spec of state.config.options) addOption(spec.name, spec);  // in the server's order
  for (const name of state.config.samples) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = `sample-${name.replace(/\.[^.]+$/, "")}`;
    button.textContent = `Sample: ${name.replace(/\.[^.]+$/, "")}`;
    button.addEventListener("click", () => openSample(name));
    els.samples.appendChild(button);
  }
}

function addOption(name, spec) {
  const label = document.createElement("label");
  label.htmlFor = `option-${name}`;
  label.textContent = name.replace("_", " ");
  let input;
  if (spec.choices) {
    input = document.createElement("select");
    for (const choice of spec.choices) input.add(new Option(choice, choice));
  } else {
    input = document.createElement("input");
    input.type = name === "p" ? "text" : "number";
    if (spec.min !== undefined) Object.assign(input, {min: spec.min, max: spec.max});
    if (name === "patch_size") input.step = 2;
  }
  input.id = `option-${name}`;
  input.name = name;
  // No default (null): inpaint chooses from the hole; the field stays empty and says so.
  input.value = spec.default === null ? "" : String(spec.default);
  input.dataset.default = input.value;
  if (spec.default === null) input.placeholder = "auto";
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = spec.help + (name === "p" ? " Type inf for infinity." : "");
  els.options.append(label, input, hint);
}

// --- opening an image ------------------------------------------------------------------------

async function openFile(file) {
  clearError();
  if (state.job) {                  // a restoration of the previous image: stop it, drop it
    fetch(`/api/jobs/${state.job.id}/cancel`, {method: "POST"});
    finishJob();
  }
  const limit = state.config ? state.config.limits.max_bytes : Infinity;
  if (file.size > limit) {
    showError(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB, above this server's ` +
              `limit of ${(limit / 2 ** 20).toFixed(1)} MB. Use a smaller file.`);
    return;
  }
  setStatus(`Uploading ${file.name}…`);
  const body = new FormData();
  body.append("image", file, file.name);
  const response = await send("/api/images", {method: "POST", body});
  if (!response) return;
  if (!response.ok) {
    setStatus("");
    showError(await errorOf(response));
    return;
  }
  const info = await response.json();
  const picture = await loadPicture(info.preview);
  state.image = {...info, name: file.name};
  for (const canvas of [els.imageCanvas, els.maskCanvas, els.resultCanvas]) {
    canvas.width = info.width;
    canvas.height = info.height;
  }
  els.imageCanvas.getContext("2d").drawImage(picture, 0, 0);
  state.undo = [];
  state.redo = [];
  state.pendingMaskFile = null;
  hideResult();
  els.useAlpha.disabled = !info.alpha;
  els.useAlpha.checked = false;
  els.dropHint.hidden = true;
  els.restore.disabled = false;
  els.imageInfo.textContent =
    `${file.name}: ${info.width} × ${info.height}, ${info.channels} channel(s), ${info.dtype}`;
  setStatus("Paint over what to restore, then press Restore.");
  fitView();
  maskChanged();
}

function loadPicture(url) {
  return new Promise((resolve, reject) => {
    const picture = new Image();
    picture.onload = () => resolve(picture);
    picture.onerror = () => reject(new Error(`Cannot show ${url}`));
    picture.src = url;
  });
}

async function openSample(name) {
  const response = await fetch(`/static/samples/${name}`);
  const blob = await response.blob();
  await openFile(new File([blob], name, {type: blob.type}));
}

// --- the mask: painting, history, upload, export ---------------------------------------------

function imagePoint(event) {
  const box = els.maskCanvas.getBoundingClientRect();
  return {
    x: (event.clientX - box.left) * els.maskCanvas.width / box.width,
    y: (event.clientY - box.top) * els.maskCanvas.height / box.height,
  };
}

function tool() {
  return document.querySelector("input[name=tool]:checked").value;
}

function remember() {
  const {width, height} = els.maskCanvas;
  state.undo.push(maskContext.getImageData(0, 0, width, height));
  if (state.undo.length > HISTORY_LIMIT) state.undo.shift();
  state.redo = [];
}

function paintSegment(from, to) {
  maskContext.save();
  maskContext.globalCompositeOperation =
    state.stroke.erase ? "destination-out" : "source-over";
  maskContext.strokeStyle = maskContext.fillStyle = MASK_COLOUR;
  maskContext.lineWidth = Number(els.brushSize.value);
  maskContext.lineCap = maskContext.lineJoin = "round";
  maskContext.beginPath();
  if (from.x === to.x && from.y === to.y) {
    maskContext.arc(to.x, to.y, maskContext.lineWidth / 2, 0, 2 * Math.PI);
    maskContext.fill();
  } else {
    maskContext.moveTo(from.x, from.y);
    maskContext.lineTo(to.x, to.y);
    maskContext.stroke();
  }
  maskContext.restore();
}

function onPointerDown(event) {
  if (!state.image) return;
  const panning = tool() === "pan" || event.button === 1 || state.spaceHeld;
  els.maskCanvas.setPointerCapture(event.pointerId);
  if (panning) {
    state.pan = {x: event.clientX - state.view.x, y: event.clientY - state.view.y};
    return;
  }
  if (event.button !== 0) return;
  remember();
  state.pendingMaskFile = null;
  const point = imagePoint(event);
  state.stroke = {last: point, erase: tool() === "eraser"};
  paintSegment(point, point);
}

function onPointerMove(event) {
  if (state.pan) {
    state.view.x = event.clientX - state.pan.x;
    state.view.y = event.clientY - state.pan.y;
    applyView();
  } else if (state.stroke) {
    const point = imagePoint(event);
    paintSegment(state.stroke.last, point);
    state.stroke.last = point;
  }
}

function onPointerUp() {
  if (state.stroke) maskChanged();
  state.stroke = null;
  state.pan = null;
}

function restoreHistory(from, to) {
  if (!from.length) return;
  const {width, height} = els.maskCanvas;
  to.push(maskContext.getImageData(0, 0, width, height));
  maskContext.putImageData(from.pop(), 0, 0);
  maskChanged();
}

function clearMask() {
  if (!state.image) return;
  remember();
  state.pendingMaskFile = null;
  maskContext.clearRect(0, 0, els.maskCanvas.width, els.maskCanvas.height);
  maskChanged();
}

async function uploadMask(file) {
  clearError();
  if (!state.image) {
    showError("Open an image first, then its mask.");
    return;
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (_) {
    // TIFF or 16-bit files the browser cannot show: the server reads and checks it on Restore.
    state.pendingMaskFile = file;
    setStatus(`Mask ${file.name} will be read by the server when you press Restore.`);
    return;
  }
  const {width, height} = state.image;
  if (bitmap.width !== width || bitmap.height !== height) {
    showError(`The mask ${file.name} is ${bitmap.width} × ${bitmap.height} pixels but the ` +
              `image is ${width} × ${height}. Use a mask of the image's size.`);
    return;
  }
  const scratch = new OffscreenCanvas(width, height).getContext("2d");
  scratch.drawImage(bitmap, 0, 0);
  const source = scratch.getImageData(0, 0, width, height).data;
  remember();
  const painted = maskContext.createImageData(width, height);
  const [r, g, b] = [255, 40, 90];
  for (let i = 0; i < source.length; i += 4) {
    if (Math.max(source[i], source[i + 1], source[i + 2]) > 127) {       // white = hole
      painted.data.set([r, g, b, 255], i);
    }
  }
  maskContext.putImageData(painted, 0, 0);
  state.pendingMaskFile = null;
  setStatus(`Mask ${file.name} loaded: edit it with the brush, or press Restore.`);
  maskChanged();
}

function maskBlob() {
  // The painted pixels (alpha of at least half) are the hole: white on black, opaque.
  const {width, height} = els.maskCanvas;
  const painted = maskContext.getImageData(0, 0, width, height).data;
  const out = new ImageData(width, height);
  for (let i = 0; i < painted.length; i += 4) {
    const value = painted[i + 3] >= 128 ? 255 : 0;
    out.data[i] = out.data[i + 1] = out.data[i + 2] = value;
    out.data[i + 3] = 255;
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(out, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

let maskUrlTimer = null;
function maskChanged() {
  els.undo.disabled = !state.undo.length;
  els.redo.disabled = !state.redo.length;
  els.downloadMask.classList.add("disabled");
  clearTimeout(maskUrlTimer);
  if (!state.image) return;
  maskUrlTimer = setTimeout(async () => {
    const blob = await maskBlob();
    if (els.downloadMask.href) URL.revokeObjectURL(els.downloadMask.href);
    els.downloadMask.href = URL.createObjectURL(blob);
    els.downloadMask.download = `${stem(state.image.name)}_mask.png`;
    els.downloadMask.classList.remove("disabled");
  }, 150);
}

function stem(name) { return name.replace(/\.[^.]+$/, ""); }

// --- zoom and pan ----------------------------------------------------------------------------

function applyView() {
  const {zoom, x, y} = state.view;
  els.view.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`;
  els.zoomValue.textContent = `${Math.round(zoom * 100)}%`;
}

function fitView() {
  if (!state.image) return;
  const box = els.viewport.getBoundingClientRect();
  const zoom = Math.min(box.width / state.image.width, box.height / state.image.height, 4) * 0.95;
  state.view = {
    zoom,
    x: (box.width - state.image.width * zoom) / 2,
    y: (box.height - state.image.height * zoom) / 2,
  };
  applyView();
}

function zoomAt(factor, clientX, clientY) {
  const box = els.viewport.getBoundingClientRect();
  const cx = clientX === undefined ? box.width / 2 : clientX - box.left;
  const cy = clientY === undefined ? box.height / 2 : clientY - box.top;
  const zoom = Math.min(Math.max(state.view.zoom * factor, 0.05), 32);
  const ratio = zoom / state.view.zoom;
  state.view = {zoom, x: cx - (cx - state.view.x) * ratio, y: cy - (cy - state.view.y) * ratio};
  applyView();
}

// --- restoring -------------------------------------------------------------------------------

function optionFields(body) {
  for (const input of els.options.elements) {
    // Unchanged options are left to the library, whose defaults adapt to the image.
    if (input.name && input.value.trim() !== input.dataset.default) {
      body.append(input.name, input.value.trim());
    }
  }
}

async function restore() {
  clearError();
  hideResult();
  const body = new FormData();
  body.append("image_id", state.image.id);
  optionFields(body);
  if (els.useAlpha.checked) {
    body.append("mask_from_alpha", "1");
  } else if (state.pendingMaskFile) {
    body.append("mask", state.pendingMaskFile, state.pendingMaskFile.name);
  } else {
    body.append("mask", await maskBlob(), "mask.png");
  }
  const response = await send("/api/jobs", {method: "POST", body});
  if (!response) return;
  if (!response.ok) {
    showError(await errorOf(response));
    return;
  }
  const job = await response.json();
  state.job = {id: job.id, started: performance.now()};
  els.restore.disabled = true;
  els.cancel.disabled = false;
  showProgress(job);
  poll(job.id);
}

async function poll(id) {
  while (state.job && state.job.id === id) {
    const response = await send(`/api/jobs/${id}`);
    if (!response) {
      finishJob();
      return;
    }
    if (!response.ok) {
      finishJob();
      showError(await errorOf(response));
      return;
    }
    const job = await response.json();
    showProgress(job);
    if (job.state === "done") {
      await showResult(job);
      return;
    }
    if (job.state === "failed" || job.state === "cancelled") {
      finishJob();
      if (job.state === "failed") showError(job.error);
      else setStatus("Cancelled.");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function showProgress(job) {
  if (job.state === "queued") {
    els.progress.value = 0;
    setStatus(job.position ? `Waiting: ${job.position} job(s) ahead.` : "Starting…");
  } else if (job.state === "running") {
    if (job.total) els.progress.value = job.done / job.total;
    else els.progress.removeAttribute("value");
    setStatus(job.total ? `Restoring: step ${job.done} of ${job.total}.` : "Restoring…");
  }
}

async function cancel() {
  if (!state.job) return;
  els.cancel.disabled = true;
  setStatus("Cancelling…");
  await fetch(`/api/jobs/${state.job.id}/cancel`, {method: "POST"});
}

function finishJob() {
  state.job = null;
  els.restore.disabled = !state.image;
  els.cancel.disabled = true;
  els.progress.value = 0;
}

async function showResult(job) {
  const seconds = (performance.now() - state.job.started) / 1000;
  const url = `/api/jobs/${job.id}/result`;
  const response = await send(url);
  if (!response || !response.ok) {
    finishJob();
    if (response) showError(await errorOf(response));
    return;
  }
  if (!state.job || state.job.id !== job.id) return;     // another image was opened meanwhile
  const picture = await createImageBitmap(await response.blob());
  els.resultCanvas.getContext("2d").drawImage(picture, 0, 0);
  els.resultCanvas.hidden = false;
  els.compareLine.hidden = false;
  els.compareLabel.hidden = false;
  els.showMask.checked = false;
  showMask();
  updateCompare();
  els.downloadResult.href = url;
  els.downloadResult.download = `${stem(state.image.name)}_restored.png`;
  els.downloadResult.classList.remove("disabled");
  finishJob();
  els.progress.value = 1;
  const warnings = job.warnings.length ? ` Note: ${job.warnings.join(" ")}` : "";
  setStatus(`Restored in ${seconds.toFixed(1)} s. Slide to compare.${warnings}`);
}

function hideResult() {
  els.resultCanvas.hidden = true;
  els.compareLine.hidden = true;
  els.compareLabel.hidden = true;
  els.downloadResult.classList.add("disabled");
  els.downloadResult.removeAttribute("href");
  els.showMask.checked = true;
  showMask();
}

function updateCompare() {
  const share = Number(els.compare.value);
  els.resultCanvas.style.clipPath = `inset(0 ${100 - share}% 0 0)`;
  els.compareLine.style.left = `${share}%`;
}

function showMask() { els.maskCanvas.style.visibility = els.showMask.checked ? "" : "hidden"; }

// --- wiring ----------------------------------------------------------------------------------

function typing(target) {
  return target instanceof HTMLInputElement && ["text", "number"].includes(target.type) ||
    target instanceof HTMLSelectElement;
}

function onKey(event) {
  if (typing(event.target)) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.key.toLowerCase() === "z") {
    event.preventDefault();
    if (event.shiftKey) restoreHistory(state.redo, state.undo);
    else restoreHistory(state.undo, state.redo);
  } else if (ctrl && event.key.toLowerCase() === "y") {
    event.preventDefault();
    restoreHistory(state.redo, state.undo);
  } else if (event.key === "[" || event.key === "]") {
    const size = Number(els.brushSize.value);
    const step = Math.max(1, Math.round(size * 0.15));
    els.brushSize.value = String(event.key === "[" ? size - step : size + step);
    els.brushSizeValue.textContent = els.brushSize.value;
  } else if (event.key === " ") {
    state.spaceHeld = true;
  }
}

function wire() {
  els.fileInput.addEventListener("change", () => {
    if (els.fileInput.files.length) openFile(els.fileInput.files[0]);
    els.fileInput.value = "";
  });
  els.maskInput.addEventListener("change", () => {
    if (els.maskInput.files.length) uploadMask(els.maskInput.files[0]);
    els.maskInput.value = "";
  });
  els.viewport.addEventListener("dragover", (event) => {
    event.preventDefault();
    els.viewport.classList.add("dragging");
  });
  els.viewport.addEventListener("dragleave", () => els.viewport.classList.remove("dragging"));
  els.viewport.addEventListener("drop", (event) => {
    event.preventDefault();
    els.viewport.classList.remove("dragging");
    if (event.dataTransfer.files.length) openFile(event.dataTransfer.files[0]);
  });
  els.maskCanvas.addEventListener("pointerdown", onPointerDown);
  els.maskCanvas.addEventListener("pointermove", onPointerMove);
  els.maskCanvas.addEventListener("pointerup", onPointerUp);
  els.maskCanvas.addEventListener("pointercancel", onPointerUp);
  els.viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX, event.clientY);
  }, {passive: false});
  els.zoomIn.addEventListener("click", () => zoomAt(1.25));
  els.zoomOut.addEventListener("click", () => zoomAt(0.8));
  els.zoomFit.addEventListener("click", fitView);
  els.brushSize.addEventListener("input", () => {
    els.brushSizeValue.textContent = els.brushSize.value;
  });
  els.undo.addEventListener("click", () => restoreHistory(state.undo, state.redo));
  els.redo.addEventListener("click", () => restoreHistory(state.redo, state.undo));
  els.clear.addEventListener("click", clearMask);
  els.restore.addEventListener("click", restore);
  els.cancel.addEventListener("click", cancel);
  els.showMask.addEventListener("change", showMask);
  els.compare.addEventListener("input", updateCompare);
  document.querySelectorAll("input[name=tool]").forEach((radio) => radio.addEventListener(
    "change", () => els.viewport.classList.toggle("pan", tool() === "pan")));
  document.addEventListener("keydown", onKey);
  document.addEventListener("keyup", (event) => {
    if (event.key === " ") state.spaceHeld = false;
  });
  window.addEventListener("resize", fitView);
  maskChanged();
}

wire();
loadConfig().catch(() => showError("Cannot reach the graphinpaint server: is it running?"));

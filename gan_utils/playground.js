// The GAN playground's view (anywidget ES module; no build step, no dependency).
// Python sends one "frame" message per redraw (arrays as binary buffers); this module draws it on a canvas and,
// while running, asks for the next frame as soon as it has drawn one. Real data is blue, generated data orange,
// D's verdict a map from orange (D = 0, "fake") through white (1/2) to blue (D = 1, "real").
const REAL = "#1f6fb4", FAKE = "#e8590c", DARK = "#2b2b2b", GRID = "#8a8a8a";
const REAL_RGB = [31, 111, 180], FAKE_RGB = [232, 89, 12];
const LAYER_NAMES = { real: "real data", fake: "generated", heatmap: "D's decision", manifold: "G's manifold",
                      arrows: "gradient arrows" };
const CSS = `
.gan-playground { font: 12px/1.35 system-ui, sans-serif; color: #222; display: flex; flex-direction: column; gap: 6px; }
.gan-playground .gp-bar { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.gan-playground button { font: inherit; padding: 3px 8px; border: 1px solid #bbb; border-radius: 4px; background: #f7f7f7; cursor: pointer; }
.gan-playground button.on { background: #dfe9f3; border-color: #6b8fb3; }
.gan-playground .gp-main { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.gan-playground .gp-controls { display: grid; grid-template-columns: auto auto; gap: 2px 6px; align-items: center; max-width: 232px; }
.gan-playground .gp-controls select, .gan-playground .gp-controls input[type=number] { font: inherit; width: 96px; }
.gan-playground .gp-controls .gp-head { grid-column: 1 / 3; font-weight: 600; margin-top: 4px; }
.gan-playground canvas { border: 1px solid #ccc; background: #fff; }
.gan-playground .gp-side { display: flex; flex-direction: column; gap: 4px; }
.gan-playground .gp-status { font-variant-numeric: tabular-nums; color: #444; }
.gan-playground .gp-error { color: #b00020; white-space: pre-wrap; }
.gan-playground .gp-doctor { font-size: 12px; margin: 4px 0; padding: 3px 6px; border-left: 4px solid #1b5e20; color: #1b5e20; }
.gan-playground .gp-doctor.gp-sick { border-left-color: #b71c1c; color: #b71c1c; }
.gan-playground pre.gp-code { background: #f4f4f4; padding: 6px; margin: 0; white-space: pre-wrap; max-width: 820px; }
`;

function floats(buf) {       // a DataView (or ArrayBuffer) from the kernel -> Float32Array without copying
  if (buf instanceof ArrayBuffer) return new Float32Array(buf);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.appendChild(c);
  return e;
}

function heatColor(v) {      // v in [0, 1]: FAKE -> white -> REAL
  const t = Math.abs(v - 0.5) * 2, c = v < 0.5 ? FAKE_RGB : REAL_RGB;
  return [255 + (c[0] - 255) * t, 255 + (c[1] - 255) * t, 255 + (c[2] - 255) * t];
}

// ---- the field: one frame of the game on a W x W canvas ------------------------------------------------------
// Each function draws one thing; `layers.k` says whether layer k is shown. Coordinates: data in [-e, e]^2.
function fieldScale(W, e) {
  return { toPx: (x, y) => [(x + e) / (2 * e) * W, (e - y) / (2 * e) * W],
           fromPx: (px, py) => [px / W * 2 * e - e, e - py / W * 2 * e] };
}

function drawDots(ctx, toPx, arr, color, r) {
  ctx.fillStyle = color;
  ctx.beginPath();                        // one path, one fill: far fewer canvas calls than a fillRect per point
  for (let i = 0; i < arr.length; i += 2) {
    const [px, py] = toPx(arr[i], arr[i + 1]);
    ctx.rect(px - r, py - r, 2 * r, 2 * r);
  }
  ctx.fill();
}

function drawHeatmap(ctx, W, f, cache) {   // D's decision on the view grid, upscaled (cache: the reused ImageData)
  const n = f.heat_size;
  if (!cache.img || cache.img.width !== n) {
    cache.img = new ImageData(n, n); cache.canvas.width = n; cache.canvas.height = n;
  }
  const d = cache.img.data;
  for (let i = 0; i < n * n; i++) {
    const c = heatColor(f.heat[i]);
    d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = 105;
  }
  cache.canvas.getContext("2d").putImageData(cache.img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cache.canvas, 0, 0, W, W);
}

function drawManifold2d(ctx, toPx, m, s) {  // G's image of a grid of z (s x s), or of a line of z
  ctx.strokeStyle = GRID; ctx.lineWidth = 0.6;
  ctx.beginPath();
  const line = (start, stride, count) => {
    for (let t = 0; t < count; t++) {
      const j = start + t * stride, [px, py] = toPx(m[2 * j], m[2 * j + 1]);
      t ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
    }
  };
  if (m.length === 2 * s * s) {
    for (let i = 0; i < s; i++) { line(i * s, 1, s); line(i, s, s); }
  } else line(0, 1, m.length / 2);
  ctx.stroke();
}

function drawArrows2d(ctx, toPx, a, p, e) {  // G's gradient at points of the plane, the longest 0.12 e
  let mx = 1e-12;
  for (let i = 0; i < a.length; i += 2) mx = Math.max(mx, Math.hypot(a[i], a[i + 1]));
  const scale = 0.12 * e / mx, h = 4;
  ctx.strokeStyle = DARK; ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i < a.length; i += 2) {
    const [x0, y0] = toPx(p[i], p[i + 1]), [x1, y1] = toPx(p[i] + a[i] * scale, p[i + 1] + a[i + 1] * scale);
    const ang = Math.atan2(y1 - y0, x1 - x0);
    ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
    ctx.lineTo(x1 - h * Math.cos(ang - 0.5), y1 - h * Math.sin(ang - 0.5));
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - h * Math.cos(ang + 0.5), y1 - h * Math.sin(ang + 0.5));
  }
  ctx.stroke();
}

function drawField2d(ctx, W, f, layers, drawn, cache) {
  const e = f.extent, { toPx } = fieldScale(W, e);
  if (layers.heatmap) drawHeatmap(ctx, W, f, cache);
  if (layers.manifold) drawManifold2d(ctx, toPx, f.manifold, f.manifold_side);
  if (layers.real) drawDots(ctx, toPx, f.real, REAL, 1.3);
  if (drawn.length) drawDots(ctx, toPx, drawn.flat(), REAL, 2.2);
  if (layers.fake) drawDots(ctx, toPx, f.fake, FAKE, 1.5);
  if (layers.arrows) drawArrows2d(ctx, toPx, f.arrows, f.arrows_at, e);
  ctx.fillStyle = "#555"; ctx.font = "10px sans-serif";
  ctx.fillText(`[-${e}, ${e}]\u00B2`, 4, W - 4);
}

function drawField1d(ctx, W, f, layers) {   // 1-D data: densities along x, D(x) as a curve, z joined to G(z)
  const e = f.extent, n = f.heat.length, H = W;
  const xpx = (x) => (x + e) / (2 * e) * W, ypx = (y) => H - 30 - y * (H - 50);
  const zrow = H - 12;
  if (layers.real && f.density) {
    ctx.fillStyle = "rgba(31,111,180,0.35)"; ctx.strokeStyle = REAL; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(xpx(-e), ypx(0));
    f.density.forEach((d, i) => ctx.lineTo(xpx(-e + 2 * e * i / (n - 1)), ypx(d)));
    ctx.lineTo(xpx(e), ypx(0)); ctx.fill();
  }
  if (layers.fake) {
    const bins = 60, counts = new Array(bins).fill(0), m = f.fake.length, w = 2 * e / bins;
    for (const x of f.fake) { const b = Math.floor((x + e) / w); if (b >= 0 && b < bins) counts[b]++; }
    ctx.fillStyle = FAKE;
    counts.forEach((c, b) => {
      const h = c / (m * w);
      ctx.fillRect(xpx(-e + b * w) + 0.5, ypx(h), W / bins - 1, ypx(0) - ypx(h));
    });
  }
  if (layers.manifold) {          // each z (bottom row) joined to G(z) on the x axis
    const m = f.manifold, k = m.length, zl = 2;
    ctx.strokeStyle = GRID; ctx.lineWidth = 0.5;
    for (let i = 0; i < k; i += 8) {
      const z = -zl + 2 * zl * i / (k - 1);
      ctx.beginPath(); ctx.moveTo(xpx(z * e / (zl * 1.5)), zrow); ctx.lineTo(xpx(m[i]), ypx(0)); ctx.stroke();
    }
    ctx.fillStyle = "#555"; ctx.font = "10px sans-serif"; ctx.fillText("z", 4, zrow + 3);
  }
  if (layers.heatmap) {
    ctx.strokeStyle = DARK; ctx.lineWidth = 2; ctx.beginPath();
    f.heat.forEach((d, i) => { const px = xpx(-e + 2 * e * i / (n - 1)); i ? ctx.lineTo(px, ypx(d)) : ctx.moveTo(px, ypx(d)); });
    ctx.stroke();
    ctx.setLineDash([3, 3]); ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(0, ypx(0.5)); ctx.lineTo(W, ypx(0.5)); ctx.stroke();
    ctx.setLineDash([]);
  }
  if (layers.arrows) {
    const a = f.arrows, p = f.arrows_at;
    let mx = 1e-12; for (const v of a) mx = Math.max(mx, Math.abs(v));
    ctx.strokeStyle = DARK; ctx.lineWidth = 1;
    p.forEach((x, i) => {
      if (i % 2) return;
      const x0 = xpx(x), x1 = xpx(x + a[i] / mx * 0.15 * e), y = ypx(0) + 8;
      ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.lineTo(x1 - 3 * Math.sign(x1 - x0), y - 2); ctx.stroke();
    });
  }
  ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(0, ypx(0)); ctx.lineTo(W, ypx(0)); ctx.stroke();
  ctx.fillStyle = "#555"; ctx.font = "10px sans-serif";
  ctx.fillText(`x in [-${e}, ${e}]; D(x) black, dashed at 1/2`, 4, 12);
}

// ---- the side charts: curves over G steps --------------------------------------------------------------------
function drawChart(canvas, xs, series, ymin, ymax, title) {
  const c = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
  c.clearRect(0, 0, w, h); c.fillStyle = "#fff"; c.fillRect(0, 0, w, h);
  c.fillStyle = "#333"; c.font = "10px sans-serif"; c.fillText(title, 4, 11);
  if (!xs || xs.length < 2) return;
  const x0 = xs[0], x1 = xs[xs.length - 1] || 1;
  const X = (x) => 30 + (x - x0) / Math.max(1, x1 - x0) * (w - 36), Y = (y) => h - 14 - (y - ymin) / (ymax - ymin) * (h - 30);
  c.strokeStyle = "#ddd"; c.beginPath(); c.moveTo(30, Y(ymin)); c.lineTo(w - 6, Y(ymin)); c.stroke();
  c.fillStyle = "#666"; c.fillText(String(ymax), 2, Y(ymax) + 4); c.fillText(String(ymin), 2, Y(ymin));
  c.fillText(`G step ${x1}`, w - 80, h - 2);
  let lx = 60;
  for (const [name, vals, color] of series) {
    if (!vals || !vals.length) continue;
    c.strokeStyle = color; c.lineWidth = 1.5; c.beginPath();
    let started = false;
    vals.forEach((v, i) => {
      if (v === null || i >= xs.length) return;
      const y = Y(Math.max(ymin, Math.min(ymax, v)));
      started ? c.lineTo(X(xs[i]), y) : c.moveTo(X(xs[i]), y); started = true;
    });
    c.stroke(); c.fillStyle = color; c.fillText(name, lx, 11); lx += c.measureText(name).width + 10;
  }
}

function drawCharts(frame, chartLoss, chartModes, metricText) {
  const h = frame.history;
  const losses = [...(h.d_loss || []), ...(h.g_loss || [])].filter((v) => v !== null && isFinite(v));
  const lo = Math.min(0, ...losses), hi = Math.max(1.5, ...losses);
  drawChart(chartLoss, h.step, [["D loss", h.d_loss, DARK], ["G loss", h.g_loss, "#7b3fa0"]],
            Math.floor(lo * 10) / 10, Math.ceil(hi * 10) / 10, "losses");
  if (frame.modes) {
    const nm = frame.modes.n_modes, m = frame.modes;
    drawChart(chartModes, h.step, [["modes covered / " + nm, (h.modes || []).map((v) => v / nm), "#2e7d32"],
                                   ["high quality", h.hq, "#00838f"], ["reverse KL / 2", (h.rkl || []).map((v) => v / 2), "#757575"]],
              0, 1, "mode metrics (1,000 samples)");
    metricText.textContent = `modes covered ${m.modes_covered}/${m.n_modes}, high quality ${(100 * m.high_quality_fraction).toFixed(1)}%, ` +
      `reverse KL ${isFinite(m.reverse_kl) ? m.reverse_kl.toFixed(3) : "inf"}`;
  } else {
    chartModes.getContext("2d").clearRect(0, 0, chartModes.width, chartModes.height);
    metricText.textContent = "mode metrics: only for the ring and the grid (data with known modes)";
  }
}

function showDoctor(div, d) {   // the GAN doctor's verdict (gan_utils.doctor), sent with every frame
  if (!d) { div.textContent = ""; div.style.display = "none"; return; }
  div.style.display = "block";
  const sick = !["healthy", "too_early"].includes(d.verdict);
  div.className = "gp-doctor" + (sick ? " gp-sick" : "");
  div.setAttribute("data-verdict", d.verdict);
  div.textContent = `doctor: ${d.verdict.replace(/_/g, " ")}: ${d.reason}` + (sick ? `. Try: ${d.fix} (${d.where})` : "");
}

// ---- the settings panel: one input per PlaygroundConfig field, synced with the model's "settings" -------------
const SETTING_ROWS = [
  ["head", "Data"], ["data", "data"], ["noise", "noise z"], ["batch_size", "batch"], ["seed", "seed"],
  ["head", "Generator"], ["g_layers", "layers"], ["g_width", "width"], ["g_optimizer", "optimizer"], ["g_lr", "learning rate"],
  ["head", "Discriminator"], ["d_layers", "layers"], ["d_width", "width"], ["d_optimizer", "optimizer"], ["d_lr", "learning rate"],
  ["k_disc", "D steps per G step"],
  ["head", "Loss and stabilisers"], ["loss", "loss"], ["penalty", "penalty"], ["penalty_weight", "weight (blank: default)"],
  ["spectral_norm", "spectral norm"], ["minibatch_std", "minibatch std"], ["pack", "PacGAN pack"], ["ema", "G weight EMA"],
];
const FLOAT_SETTINGS = ["g_lr", "d_lr", "ema", "penalty_weight"];

function settingsPanel(model) {   // -> { panel, push(extra) }: push sends the inputs' values (and extra) to Python
  const panel = el("div", { className: "gp-controls" });
  const inputs = {};
  const choices = model.get("choices");
  const opts = {
    data: choices.data, noise: choices.noise, g_optimizer: choices.optimizer, d_optimizer: choices.optimizer,
    loss: choices.loss, penalty: choices.penalty,
  };
  function push(extra = {}) {
    const s = { ...model.get("settings") };
    for (const [name, input] of Object.entries(inputs)) {
      const old = s[name];
      if (input.type === "checkbox") s[name] = input.checked;
      else if (input.tagName === "SELECT") s[name] = input.value;
      else if (input.value === "") s[name] = null;
      else s[name] = Number.isInteger(old) && !FLOAT_SETTINGS.includes(name) ? parseInt(input.value, 10) : parseFloat(input.value);
    }
    Object.assign(s, extra);
    model.set("settings", s); model.save_changes();
  }
  function show() {
    const s = model.get("settings");
    for (const [name, input] of Object.entries(inputs)) {
      const v = s[name];
      if (input.type === "checkbox") input.checked = !!v;
      else input.value = v === null || v === undefined ? "" : String(v);
    }
  }
  for (const [name, label] of SETTING_ROWS) {
    if (name === "head") { panel.appendChild(el("div", { className: "gp-head", text: label })); continue; }
    let input;
    const v = model.get("settings")[name];
    if (opts[name]) input = el("select", { "data-setting": name }, opts[name].map((o) => el("option", { value: o, text: o })));
    else if (typeof v === "boolean") input = el("input", { type: "checkbox", "data-setting": name });
    else input = el("input", { type: "number", "data-setting": name, step: "any" });
    input.addEventListener("change", () => push());
    inputs[name] = input;
    panel.appendChild(el("label", { text: label }));
    panel.appendChild(input);
  }
  model.on("change:settings", show);
  show();
  return { panel, push };
}

function layerPanel(model, redraw) {   // -> { panel, layers }: one checkbox per layer; layers[k] follows its box
  const panel = el("div", { className: "gp-bar" }), layers = {};
  for (const [k, label] of Object.entries(LAYER_NAMES)) {
    const cb = el("input", { type: "checkbox", "data-layer": k });
    cb.checked = layers[k] = model.get("layers")[k] !== false;
    cb.addEventListener("change", () => {
      layers[k] = cb.checked;
      model.set("layers", { ...model.get("layers"), [k]: cb.checked }); model.save_changes(); redraw();
    });
    panel.appendChild(el("label", {}, [cb, document.createTextNode(" " + label)]));
  }
  return { panel, layers };
}

// ---- the widget: controls, canvases and the message loop with the kernel --------------------------------------
function render({ model, el: root }) {
  const style = document.createElement("style"); style.textContent = CSS; root.appendChild(style);
  const box = el("div", { className: "gan-playground" }); root.appendChild(box);
  let frame = null, running = false, slow = false, drawing = false, drawn = [];
  let framesDrawn = 0, fpsT0 = performance.now(), fpsFrames = 0, fpsSteps = 0, fps = 0, sps = 0, lastG = 0;
  // where a frame's time goes, for benchmarks/playground_speed.py: request -> frame (kernel + transport), drawing.
  // sentAt: when each request still in flight was sent, oldest first (the kernel answers them in order)
  let sentAt = [], roundTrips = 0, roundTripMs = 0, drawMs = 0;
  // Requests in flight while running: two, so that the kernel trains the next frame while the last one is on its way
  // through the Jupyter server and the page (measured: the way takes longer than the training; benchmarks/RESULTS.md).
  // One in slow motion, whose frames are spaced by a timer.
  const inFlight = () => sentAt.length, maxInFlight = () => (slow ? 1 : 2);

  const btn = (label, action, title) => el("button", { text: label, title, "data-action": action });
  const bRun = btn("\u25B6 run", "run", "train continuously; click again to pause");
  const bD = btn("step D", "step-d", "one discriminator update");
  const bG = btn("step G", "step-g", "one generator update");
  const bBoth = btn("step both", "step-both", "k discriminator updates, then one generator update");
  const bReset = btn("\u21BA reset", "reset", "new networks from the seed");
  const bSlow = btn("slow motion", "slow", "one step per frame, four frames a second");
  const bDraw = btn("\u270E draw data", "draw", "click and drag on the canvas to place data points");
  const bUse = btn("train on drawing", "use-drawing", "use the drawn points as the data");
  const bCode = btn("copy as code", "code", "the settings and actions of this run, as Python");
  const status = el("span", { className: "gp-status", "data-role": "status" });
  box.appendChild(el("div", { className: "gp-bar" }, [bRun, bD, bG, bBoth, bReset, bSlow, bDraw, bUse, bCode, status]));

  const settings = settingsPanel(model);
  const W = 420;
  const field = el("canvas", { width: W, height: W, "data-role": "field" });
  const chartLoss = el("canvas", { width: 250, height: 120, "data-role": "chart-loss" });
  const chartModes = el("canvas", { width: 250, height: 120, "data-role": "chart-modes" });
  const layerBox = layerPanel(model, () => draw());
  const metricText = el("div", { className: "gp-status", "data-role": "metrics" });
  const errorText = el("div", { className: "gp-error", "data-role": "error" });
  const doctorText = el("div", { className: "gp-doctor", "data-role": "doctor" });
  const codeBox = el("pre", { className: "gp-code", "data-role": "code" }); codeBox.style.display = "none";
  box.appendChild(el("div", { className: "gp-main" }, [
    settings.panel, field, el("div", { className: "gp-side" }, [layerBox.panel, chartLoss, chartModes, metricText])]));
  box.appendChild(doctorText); box.appendChild(errorText); box.appendChild(codeBox);
  const ctx = field.getContext("2d");
  const heatCache = { canvas: document.createElement("canvas"), img: null };
  let chartsT = -1e9;   // when the charts were last drawn: while running, at most ~6 times a second (the field every frame)

  function draw(force = true) {
    const t0 = performance.now();
    ctx.clearRect(0, 0, W, W); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, W);
    if (!frame) return;
    frame.dim === 1 ? drawField1d(ctx, W, frame, layerBox.layers) : drawField2d(ctx, W, frame, layerBox.layers, drawn, heatCache);
    const now = performance.now();
    if (force || now - chartsT > 150) { drawCharts(frame, chartLoss, chartModes, metricText); chartsT = now; }
    framesDrawn++;
    box.setAttribute("data-frames", String(framesDrawn));
    box.setAttribute("data-n-g", String(frame.n_g));
    box.setAttribute("data-n-d", String(frame.n_d));
    drawMs += performance.now() - t0;
    box.setAttribute("data-draw-ms", drawMs.toFixed(1));
  }

  function updateStatus() {
    const now = performance.now();
    if (now - fpsT0 > 1000) {
      fps = fpsFrames * 1000 / (now - fpsT0); sps = fpsSteps * 1000 / (now - fpsT0);
      fpsT0 = now; fpsFrames = 0; fpsSteps = 0;
    }
    const f = frame || { n_d: 0, n_g: 0 };
    status.textContent = `D updates ${f.n_d}, G updates ${f.n_g}` + (running ? ` | ${fps.toFixed(0)} frames/s, ${sps.toFixed(0)} steps/s` : "");
  }

  function tick() {
    while (running && inFlight() < maxInFlight()) {
      sentAt.push(performance.now());
      model.send({ cmd: "run", steps: slow ? 1 : model.get("steps_per_frame") });
    }
  }
  model.on("msg:custom", (msg, buffers) => {
    if (msg.type === "frame") {
      const names = ["real", "fake", "heat", "manifold", "arrows_at", "arrows"];
      const f = { ...msg };
      names.forEach((n, i) => { f[n] = floats(buffers[i]); });
      fpsFrames++; fpsSteps += Math.max(0, msg.n_g - lastG); lastG = msg.n_g;
      frame = f; errorText.textContent = "";
      showDoctor(doctorText, msg.doctor);
      if (msg.run && sentAt.length) {   // the answer to the oldest "run" request in flight
        roundTrips++; roundTripMs += performance.now() - sentAt.shift();
        box.setAttribute("data-round-trips", String(roundTrips)); box.setAttribute("data-round-trip-ms", roundTripMs.toFixed(1));
      }
      // ask for the next frame before drawing this one: the kernel trains while the browser draws
      if (running) slow ? setTimeout(tick, 250) : tick();
      draw(!running); updateStatus();
    } else if (msg.type === "code") {
      codeBox.textContent = msg.code; codeBox.style.display = "block";
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(msg.code).catch(() => {});
    } else if (msg.type === "error") {
      errorText.textContent = msg.message; sentAt = [];   // a failed run answers no request: ask again from none
    }
  });

  bRun.addEventListener("click", () => {
    running = !running;
    bRun.textContent = running ? "\u25A0 pause" : "\u25B6 run"; bRun.classList.toggle("on", running);
    if (!running) draw();       // paused: the charts catch up with the last frame
    updateStatus(); tick();
  });
  bSlow.addEventListener("click", () => { slow = !slow; bSlow.classList.toggle("on", slow); });
  bD.addEventListener("click", () => model.send({ cmd: "step", which: "d" }));
  bG.addEventListener("click", () => model.send({ cmd: "step", which: "g" }));
  bBoth.addEventListener("click", () => model.send({ cmd: "step", which: "both" }));
  bReset.addEventListener("click", () => { lastG = 0; model.send({ cmd: "reset" }); });
  bCode.addEventListener("click", () => model.send({ cmd: "code" }));
  bDraw.addEventListener("click", () => { drawing = !drawing; bDraw.classList.toggle("on", drawing); if (drawing) drawn = []; draw(); });
  bUse.addEventListener("click", () => {
    if (drawn.length < 2) { errorText.textContent = "draw at least two points first (\u270E draw data, then click or drag on the canvas)"; return; }
    drawing = false; bDraw.classList.remove("on");
    const pts = drawn; drawn = []; lastG = 0;
    settings.push({ data: "custom", points: pts, noise: model.get("settings").noise.endsWith("1d") ? "gaussian_2d" : model.get("settings").noise });
  });
  let mouseDown = false;
  const addPoint = (ev) => {
    if (!drawing || !frame || frame.dim !== 2) return;
    const r = field.getBoundingClientRect();
    const px = (ev.clientX - r.left) * W / r.width, py = (ev.clientY - r.top) * W / r.height;
    drawn.push(fieldScale(W, frame.extent).fromPx(px, py)); draw();
  };
  field.addEventListener("mousedown", (ev) => { mouseDown = true; addPoint(ev); });
  field.addEventListener("mousemove", (ev) => { if (mouseDown) addPoint(ev); });
  window.addEventListener("mouseup", () => { mouseDown = false; });

  model.send({ cmd: "frame" });
  return () => { running = false; };
}

export default { render };

// The brush writer of notebook 11 (anywidget ES module; no build step, no dependency).
// For each typed character, a column: the printed source, the GAN's glyph, the true brush glyph and D's patch map,
// drawn from what Python sends (`glyphs`: base64 uint8 images with 255 = ink, D's probabilities; `geometry`: the
// patches' boxes from gan_utils.widgets.patch_geometry; `cmap`: plots.D_CMAP as 256 colours). The cursor over any
// image of a column picks the patch whose cell of the map lies under it: the cell is outlined on the map, its
// receptive field (the pixels its logit sees) on the GAN's glyph and on the source (D judges the pair), and a label
// gives D's probability that the patch is real. The hover runs in the browser alone: no round trip to the kernel.
const CSS = `
.gan-brush { font: 12px/1.35 system-ui, sans-serif; color: #222; display: flex; flex-direction: column; gap: 6px; }
.gan-brush .gb-grid { display: grid; gap: 4px 6px; align-items: center; justify-content: start; overflow-x: auto; }
.gan-brush .gb-row-name { text-align: right; color: #444; }
.gan-brush canvas { border: 1px solid #ccc; cursor: crosshair; touch-action: none; image-rendering: pixelated; }
.gan-brush .gb-label { font-variant-numeric: tabular-nums; min-height: 1.35em; }
.gan-brush .gb-note { color: #555; }
.gan-brush .gb-legend { display: flex; align-items: center; gap: 6px; color: #444; }
.gan-brush .gb-scale { display: inline-block; width: 160px; height: 10px; border: 1px solid #ccc; }
`;
const SIDE = 96;             // each image's side on screen, in CSS pixels
const HILITE = "#6a1b9a";    // purple: the course keeps blue for real and orange for generated
const ROWS = [["source", "printed (source)"], ["fake", "the GAN's brush"], ["real", "the font's brush (true)"],
              ["d", "D on each patch"]];

function bytes(b64) {        // base64 -> Uint8Array
  const s = atob(b64), a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
  return a;
}

function hexRGB(h) { return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)); }

function bitmap(n, pixel) {  // an n x n offscreen canvas; pixel(i) -> [r, g, b] for pixel i (row-major)
  const c = document.createElement("canvas");
  c.width = c.height = n;
  const ctx = c.getContext("2d"), img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = pixel(i);
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function render({ model, el }) {
  const style = document.createElement("style");
  style.textContent = CSS;
  const root = document.createElement("div");
  root.className = "gan-brush";
  root.dataset.version = "0";
  el.append(style, root);
  let columns = [];          // per character: {char, d, canvases: {row: canvas}, bitmaps: {row: offscreen canvas}}
  let label = null;

  const idle = () => (model.get("geometry").boxes
    ? "Hover over a glyph: D's verdict on the patch under the cursor, and the pixels that patch sees."
    : "Pass discriminator= to brush_writer to see D's verdict on each patch.");

  const paint = (col, hover) => {   // one column's canvases; hover: the [row, col] patch to outline, or null
    const geo = model.get("geometry");
    for (const [row, canvas] of Object.entries(col.canvases)) {
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = false;   // nearest: each image pixel a square, so the boxes fall on pixel edges
      ctx.drawImage(col.bitmaps[row], 0, 0, SIDE, SIDE);
      delete canvas.dataset.box;
      if (!hover) continue;
      const [r, c] = hover;
      ctx.strokeStyle = HILITE;
      ctx.lineWidth = 2;
      if (row === "d") {
        const cell = SIDE / geo.patches;
        ctx.strokeRect(c * cell + 1, r * cell + 1, cell - 2, cell - 2);
      } else if (row !== "real") {     // D sees the GAN's glyph and its source, not the true glyph
        const [t, l, b, rt] = geo.boxes[r * geo.patches + c], k = SIDE / geo.size;
        ctx.fillStyle = "rgba(106, 27, 154, 0.12)";
        ctx.fillRect(l * k, t * k, (rt - l) * k, (b - t) * k);
        ctx.strokeRect(l * k + 1, t * k + 1, (rt - l) * k - 2, (b - t) * k - 2);   // inside the canvas at the edges
        canvas.dataset.box = [t, l, b, rt].join(",");
      }
    }
  };

  const hover = (k, e) => {
    const geo = model.get("geometry"), col = columns[k];
    if (!geo.boxes || !col.d) return;
    const rect = e.currentTarget.getBoundingClientRect(), p = geo.patches;
    const at = (v, size) => Math.min(p - 1, Math.max(0, Math.floor(v / size * p)));
    const r = at(e.clientY - rect.top, rect.height), c = at(e.clientX - rect.left, rect.width);
    if (root.dataset.hover === `${k},${r},${c}`) return;
    columns.forEach((other, j) => j !== k && paint(other, null));
    paint(col, [r, c]);
    const [t, l, b, rt] = geo.boxes[r * p + c], prob = col.d[r * p + c];
    const field = `${geo.field}x${geo.field}`, seen = `${rt - l}x${b - t}`;
    label.textContent = `${col.char} · D: ${prob.toFixed(2)} real (patch ${r},${c} sees ${seen} px` +
      (seen === field ? ")" : `; its ${field} field is cut by the image's edge)`);
    label.dataset.p = String(prob);
    root.dataset.hover = `${k},${r},${c}`;
  };

  const leave = (k) => {
    paint(columns[k], null);
    label.textContent = idle();
    delete label.dataset.p;
    root.dataset.hover = "";
  };

  const draw = () => {
    const glyphs = model.get("glyphs"), geo = model.get("geometry"), lut = model.get("cmap").map(hexRGB);
    const withD = !!geo.boxes && glyphs.some((g) => g.d);
    const rows = ROWS.filter(([key]) => key !== "d" || withD);
    const grid = document.createElement("div");
    grid.className = "gb-grid";
    grid.style.gridTemplateColumns = `auto repeat(${glyphs.length}, ${SIDE + 2}px)`;
    columns = glyphs.map((g) => {
      const n = Math.round(Math.sqrt(bytes(g.fake).length)), bitmaps = {};
      for (const key of ["source", "fake", "real"]) {
        const ink = bytes(g[key]);
        bitmaps[key] = bitmap(n, (i) => [255 - ink[i], 255 - ink[i], 255 - ink[i]]);   // black ink on white
      }
      if (withD) bitmaps.d = bitmap(geo.patches, (i) => lut[Math.min(lut.length - 1, Math.floor(g.d[i] * lut.length))]);
      return { char: g.char, d: g.d, bitmaps, canvases: {} };
    });
    for (const [key, name] of rows) {
      grid.appendChild(Object.assign(document.createElement("div"), { className: "gb-row-name", textContent: name }));
      columns.forEach((col, k) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = SIDE;
        canvas.dataset.role = key;
        canvas.dataset.char = col.char;
        canvas.addEventListener("pointermove", (e) => hover(k, e));
        canvas.addEventListener("pointerdown", (e) => hover(k, e));   // a tap, on a touch screen
        canvas.addEventListener("pointerleave", () => leave(k));
        col.canvases[key] = canvas;
        grid.appendChild(canvas);
      });
    }
    label = Object.assign(document.createElement("div"), { className: "gb-label", textContent: idle() });
    label.dataset.role = "label";
    const note = Object.assign(document.createElement("div"), { className: "gb-note", textContent: model.get("note") });
    note.dataset.role = "note";
    const parts = [note];
    if (glyphs.length) parts.push(grid, label);
    if (withD) {             // the colour scale, drawn from the same table as the map
      const stops = model.get("cmap").filter((_, i, all) => i % 32 === 0 || i === all.length - 1);
      const scale = Object.assign(document.createElement("span"), { className: "gb-scale" });
      scale.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
      const legend = document.createElement("div");
      legend.className = "gb-legend";
      legend.append("D on a patch: 0 (generated)", scale, "1 (real)");
      parts.push(legend);
    }
    root.replaceChildren(...parts);
    columns.forEach((col) => paint(col, null));
    root.dataset.hover = "";
    root.dataset.version = String(Number(root.dataset.version) + 1);
  };

  let pending = false;       // glyphs and note change together: draw once
  const schedule = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => { pending = false; draw(); });
  };
  draw();
  for (const name of ["glyphs", "geometry", "cmap", "note"]) model.on(`change:${name}`, schedule);
  return () => { for (const name of ["glyphs", "geometry", "cmap", "note"]) model.off(`change:${name}`, schedule); };
}

export default { render };

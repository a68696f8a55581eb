// The drawing pad of notebook 08 (anywidget ES module; no build step, no dependency).
// The reader draws white strokes on black with the mouse, a pen or a finger (pointer events); at the end of each
// stroke the pad is averaged down to `resolution` x `resolution` pixels and sent to Python as the trait `pixels`
// (row-major ints 0-255), with `strokes` counting the strokes. Python sends {type: "clear"} to wipe it.
const CSS = `
.gan-drawing { font: 12px/1.35 system-ui, sans-serif; color: #222; display: inline-flex; flex-direction: column; gap: 4px; }
.gan-drawing canvas { border: 1px solid #999; background: #000; cursor: crosshair; touch-action: none; }
.gan-drawing button { font: inherit; padding: 3px 8px; border: 1px solid #bbb; border-radius: 4px; background: #f7f7f7; cursor: pointer; align-self: flex-start; }
.gan-drawing .gd-hint { color: #555; }
`;

function render({ model, el }) {
  const size = model.get("size"), res = model.get("resolution");
  const style = document.createElement("style");
  style.textContent = CSS;
  const root = document.createElement("div");
  root.className = "gan-drawing";
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.dataset.role = "pad";
  const hint = document.createElement("div");
  hint.className = "gd-hint";
  hint.textContent = "Draw one digit, in one or more strokes";
  const clear = document.createElement("button");
  clear.textContent = "Clear";
  clear.dataset.role = "clear";
  root.append(style, hint, canvas, clear);
  el.appendChild(root);

  const ctx = canvas.getContext("2d");
  const blank = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, size, size); };
  blank();
  let last = null;
  const pos = (e) => {   // the pointer in canvas pixels, whatever the zoom or CSS size
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * size / r.width, (e.clientY - r.top) * size / r.height];
  };
  const segment = (a, b) => {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = model.get("brush");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  };
  const send = () => {   // average the pad down to res x res (the browser's high-quality downscaling)
    const small = document.createElement("canvas");
    small.width = res;
    small.height = res;
    const s = small.getContext("2d");
    s.imageSmoothingEnabled = true;
    s.imageSmoothingQuality = "high";
    s.drawImage(canvas, 0, 0, res, res);
    const rgba = s.getImageData(0, 0, res, res).data;
    const px = new Array(res * res);
    for (let i = 0; i < px.length; i++) px[i] = rgba[4 * i];
    model.set("pixels", px);
    model.set("strokes", model.get("strokes") + 1);
    model.save_changes();
  };
  const down = (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = pos(e);
    segment(last, last);
    e.preventDefault();
  };
  const move = (e) => {
    if (last === null) return;
    const p = pos(e);
    segment(last, p);
    last = p;
  };
  const up = () => {
    if (last === null) return;
    last = null;
    send();
  };
  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  clear.addEventListener("click", () => {
    blank();
    model.set("pixels", []);
    model.save_changes();
  });
  const onMsg = (msg) => { if (msg && msg.type === "clear") blank(); };
  model.on("msg:custom", onMsg);
  return () => model.off("msg:custom", onMsg);
}

export default { render };

// ObjectView front end: a stored object's metadata (no value of it is read to draw this),
// and a window of its values read on demand: choose the array of a Zarr group, the leading
// indices and the first row, then "preview" asks the kernel for that window.

function el(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function facts(model) {
  const table = el("table", "djw-facts");
  const chunks = model.get("chunks");
  const previewable = model.get("previewable");
  const rows = [
    ["array", model.get("array")],
    ["shape", `(${model.get("shape").join(", ")}${model.get("shape").length === 1 ? "," : ""})`],
    ["dtype", model.get("dtype")],
    ["chunks", chunks === null ? "one contiguous file" : `(${chunks.join(", ")})`],
    ["size", model.get("size")],
    ["store", model.get("store")],
    ["path", model.get("path")],
  ];
  for (const [name, value] of rows) {
    if (!value || (!previewable && ["shape", "dtype", "chunks"].includes(name))) continue;
    const tr = table.insertRow();
    tr.appendChild(el("th", "", name));
    tr.insertCell().textContent = value;
  }
  return table;
}

function numberInput(value, max, label) {
  const input = el("input", "djw-index");
  input.type = "number";
  input.min = "0";
  input.max = String(Math.max(max - 1, 0));
  input.value = String(value);
  input.title = label;
  return input;
}

function controls(model) {
  const shape = model.get("shape");
  const box = el("div", "djw-controls");
  const arrays = model.get("arrays");
  const choice = el("select", "djw-array");
  for (const name of arrays) {
    const option = el("option", "", name);
    option.value = name;
    option.selected = name === model.get("array");
    choice.appendChild(option);
  }
  if (arrays.length > 1) { box.appendChild(el("span", "djw-label", "array")); box.appendChild(choice); }
  const lead = model.get("position").map((p, axis) => {
    const input = numberInput(p, shape[axis], `index along axis ${axis}`);
    box.appendChild(el("span", "djw-label", `axis ${axis}`));
    box.appendChild(input);
    return input;
  });
  const rowAxis = shape.length >= 2 ? shape.length - 2 : 0;
  const nRows = shape.length ? shape[rowAxis] : 0;
  const slider = el("input", "djw-row");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(Math.max(nRows - 1, 0));
  slider.value = String(model.get("row"));
  slider.disabled = nRows <= 1;
  const rowLabel = el("span", "djw-label", `first row ${slider.value}`);
  slider.addEventListener("input", () => { rowLabel.textContent = `first row ${slider.value}`; });
  if (shape.length) { box.appendChild(rowLabel); box.appendChild(slider); }
  const button = el("button", "djw-button djw-preview-button", "preview");
  button.title = `read a window of at most ${model.get("window_rows")} x ${model.get("window_columns")} values`;
  button.addEventListener("click", () => model.send({
    type: "preview",
    array: arrays.length ? choice.value : "",
    position: lead.map((input) => Number.parseInt(input.value, 10) || 0),
    row: Number.parseInt(slider.value, 10) || 0,
  }));
  box.appendChild(button);
  return box;
}

function values(preview) {
  const wrap = el("div", "djw-values");
  wrap.appendChild(el("div", "djw-label", `values [${preview.index}]  shape (${preview.shape.join(", ")})`));
  const table = el("table");
  const head = table.createTHead().insertRow();
  head.appendChild(el("th", "", ""));
  for (const c of preview.columns) head.appendChild(el("th", "", String(c)));
  const body = table.createTBody();
  preview.rows.forEach((line, i) => {
    const tr = body.insertRow();
    tr.appendChild(el("th", "", String(preview.first_row + i)));
    for (const v of line) tr.insertCell().textContent = v;
  });
  wrap.appendChild(table);
  return wrap;
}

function render({ model, el: host }) {
  const root = el("div", "djw-object");
  host.appendChild(root);
  const draw = () => {
    root.replaceChildren();
    const previewable = model.get("previewable");
    root.appendChild(el("div", "djw-title", `${model.get("kind")}${previewable ? ", values not loaded" : ""}`));
    root.appendChild(facts(model));
    if (previewable) root.appendChild(controls(model));
    const error = model.get("error");
    if (error) root.appendChild(el("div", "djw-message", error));
    const preview = model.get("preview");
    if (preview && preview.rows) root.appendChild(values(preview));
  };
  const names = ["kind", "path", "store", "arrays", "array", "previewable", "shape", "dtype", "chunks", "size", "window_rows", "window_columns",
                 "position", "row", "preview", "error"];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => { for (const name of names) model.off(`change:${name}`, draw); };
}

export default { render };

// DiagramWidget front end: draws the laid-out graph the kernel sent as SVG.
// Ctrl/Cmd + wheel (or a pinch) zooms around the pointer, dragging pans, hovering shows a table's definition,
// clicking a node sends {"type": "select", "node": id}; selection, highlight and
// populate status come back from the kernel as model state.

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function isDark() {
  const light = document.body.dataset.jpThemeLight;
  if (light !== undefined) return light === "false";
  return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

// A smooth path through the route points, leaving and entering along the layer axis;
// `bend` moves the inner points sideways so parallel foreign keys stay apart.
function curve(points, direction, bend) {
  let [x0, y0] = points[0];
  const parts = [`M${x0},${y0}`];
  const rest = points.slice(1);
  const last = rest.length - 1;
  rest.forEach(([px, py], i) => {
    let x1 = px, y1 = py;
    if (direction === "LR") {
      if (i < last) y1 += bend;
      const mid = (x0 + x1) / 2;
      parts.push(`C${mid},${y0 + (i === 0 ? bend : 0)} ${mid},${y1 + (i === last ? bend : 0)} ${x1},${y1}`);
    } else {
      if (i < last) x1 += bend;
      const mid = (y0 + y1) / 2;
      parts.push(`C${x0 + (i === 0 ? bend : 0)},${mid} ${x1 + (i === last ? bend : 0)},${mid} ${x1},${y1}`);
    }
    x0 = x1; y0 = y1;
  });
  return parts.join(" ");
}

function drawShape(node, colors, group) {
  const paint = { class: "djw-shape", fill: colors.fill, stroke: colors.stroke, "stroke-width": 1.2 };
  const left = node.x - node.width / 2, top = node.y - node.height / 2;
  if (node.shape === "ellipse") {
    svg("ellipse", { ...paint, cx: node.x, cy: node.y, rx: node.width / 2, ry: node.height / 2 }, group);
  } else if (node.shape === "circle") {
    svg("circle", { ...paint, cx: left + 8, cy: node.y, r: 6 }, group);
  } else if (node.shape === "box3d") {
    svg("rect", { ...paint, x: left + 4, y: top - 2, width: node.width - 6, height: node.height - 4 }, group);
    svg("rect", { ...paint, x: left - 2, y: top + 2, width: node.width - 4, height: node.height - 4 }, group);
  } else {
    const rx = node.shape === "part" ? 5 : 8;
    svg("rect", { ...paint, x: left, y: top, width: node.width, height: node.height, rx }, group);
  }
  const circle = node.shape === "circle";
  const label = svg("text", {
    class: "djw-label", x: circle ? left + 18 : node.x, y: node.y, dy: "0.35em",
    "text-anchor": circle ? "start" : "middle", "font-size": node.shape === "part" ? 10 : 12, fill: colors.text,
  }, group);
  if (node.introduces_key) label.setAttribute("text-decoration", "underline");
  label.textContent = node.label;
}

function drawClusters(graph, palette, world) {
  for (const cluster of graph.clusters) {
    if (!cluster.box) continue;
    const b = cluster.box;
    const g = svg("g", { class: "djw-cluster" }, world);
    svg("rect", { x: b.x, y: b.y, width: b.width, height: b.height, rx: 10, fill: "none",
                  stroke: palette.edges.cluster, "stroke-dasharray": "6,4" }, g);
    const label = svg("text", { x: b.x + b.width - 8, y: b.y + 15, "text-anchor": "end", "font-size": 11,
                                fill: palette.edges.cluster_text }, g);
    label.textContent = cluster.label;
  }
}

function drawGroups(graph, palette, world, byId) {
  for (const cluster of graph.clusters) {
    for (const members of cluster.groups) {
      const boxes = members.map((id) => byId.get(id)).filter(Boolean);
      if (!boxes.length) continue;
      const pad = 6;
      const left = Math.min(...boxes.map((n) => n.x - n.width / 2)) - pad;
      const right = Math.max(...boxes.map((n) => n.x + n.width / 2)) + pad;
      const top = Math.min(...boxes.map((n) => n.y - n.height / 2)) - pad;
      const bottom = Math.max(...boxes.map((n) => n.y + n.height / 2)) + pad;
      svg("rect", { class: "djw-group", x: left, y: top, width: right - left, height: bottom - top, rx: 8,
                    fill: palette.edges.group }, world);
    }
  }
}

function drawEdges(graph, palette, world) {
  const paths = [];
  for (const edge of graph.edges) {
    const width = edge.bundle ? 1.2 : edge.one_to_one ? 2 : 0.75;
    const path = svg("path", {
      class: "djw-edge", d: curve(edge.points, graph.direction, edge.bend), fill: "none",
      stroke: edge.renamed ? palette.edges.renamed : palette.edges.edge, "stroke-width": width,
    }, world);
    if (!edge.primary && !edge.bundle) path.setAttribute("stroke-dasharray", "5,3");
    if (edge.renamed) {
      const title = svg("title", {}, path);
      title.textContent = "renamed foreign key: " +
        Object.entries(edge.renames).map(([c, p]) => `${c} \u2190 ${p}`).join(", ");
    }
    paths.push({ edge, path });
  }
  return paths;
}

function statusText(status) {
  if (!status) return "";
  if (status.running) return `running ${status.done}/${status.total}`;
  if (status.errors) return `${status.errors} error${status.errors === 1 ? "" : "s"}`;
  if (status.pending) return `${status.pending} pending`;
  return status.state === "complete" ? "\u2713 complete" : "";
}

// zoom by `f` keeping the drawing's point (px, py) where it is on screen
function zoomAt(view, f, px, py) {
  const k = Math.min(8, Math.max(0.15, view.k * f));
  return { k, x: px - (px - view.x) * (k / view.k), y: py - (py - view.y) * (k / view.k) };
}

// beside the pointer, flipped to the other side near the widget's right or bottom edge
function placeTooltip(tooltip, root, event) {
  const r = root.getBoundingClientRect();
  let x = event.clientX - r.left + 14, y = event.clientY - r.top + 14;
  if (x + tooltip.offsetWidth > r.width) x = Math.max(0, x - tooltip.offsetWidth - 28);
  if (y + tooltip.offsetHeight > r.height) y = Math.max(0, y - tooltip.offsetHeight - 28);
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${y}px`;
}

const TIER_ORDER = ["Manual", "Lookup", "Imported", "Computed", "Part"];

// one swatch per tier drawn, in the tier's colours and shape
function legend(graph, palette) {
  const box = document.createElement("div");
  box.className = "djw-legend";
  const drawn = new Set(graph.nodes.map((n) => n.tier));
  for (const tier of TIER_ORDER.filter((t) => drawn.has(t))) {
    const colors = palette.tiers[tier];
    const item = document.createElement("span");
    item.className = `djw-legend-item djw-tier-${tier.toLowerCase()}`;
    const swatch = svg("svg", { width: 16, height: 10, class: "djw-swatch" }, item);
    const paint = { fill: colors.fill, stroke: colors.stroke, "stroke-width": 1.2 };
    if (tier === "Imported" || tier === "Computed") svg("ellipse", { ...paint, cx: 8, cy: 5, rx: 7, ry: 4.3 }, swatch);
    else svg("rect", { ...paint, x: 1, y: 1, width: 14, height: 8, rx: tier === "Part" ? 1.5 : 2.5 }, swatch);
    item.appendChild(document.createTextNode(tier));
    box.appendChild(item);
  }
  return box;
}

function toolbar(graph, palette, buttons) {
  const bar = document.createElement("div");
  bar.className = "djw-toolbar";
  for (const [label, title, action] of buttons) {
    const b = document.createElement("button");
    b.className = "djw-button"; b.textContent = label; b.title = title;
    b.addEventListener("click", action);
    bar.appendChild(b);
  }
  bar.appendChild(legend(graph, palette));
  const hint = document.createElement("span");
  hint.className = "djw-hint";
  hint.textContent = "click a table to preview it \u00b7 Ctrl + wheel to zoom \u00b7 drag to pan";
  bar.appendChild(hint);
  return bar;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "djw-diagram";
  el.appendChild(root);
  const message = document.createElement("div");
  message.className = "djw-error";
  const tooltip = document.createElement("pre");
  tooltip.className = "djw-tooltip";
  let view = { k: 1, x: 0, y: 0 };
  let nodeViews = new Map();
  let edgeViews = [];
  let world = null;

  const applyView = () => world && world.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);

  const paintSelection = () => {
    const selected = model.get("selected");
    const highlight = model.get("highlight") || {};
    const up = new Set(highlight.ancestors || []), down = new Set(highlight.descendants || []);
    for (const [id, g] of nodeViews) {
      g.classList.toggle("djw-selected", id === selected);
      g.classList.toggle("djw-ancestor", up.has(id));
      g.classList.toggle("djw-descendant", down.has(id));
      g.classList.toggle("djw-dim", Boolean(selected) && id !== selected && !up.has(id) && !down.has(id));
    }
    const lit = new Set([selected, ...up, ...down]);
    for (const { edge, path } of edgeViews) {
      const on = Boolean(selected) && lit.has(edge.parent) && lit.has(edge.child);
      path.classList.toggle("djw-edge-lit", on);
      path.classList.toggle("djw-dim", Boolean(selected) && !on);
    }
  };

  const paintStatus = () => {
    const status = model.get("status") || {};
    for (const [id, g] of nodeViews) {
      const badge = g.querySelector(".djw-badge");
      const s = status[id];
      badge.textContent = statusText(s);
      badge.setAttribute("class", `djw-badge djw-state-${s ? (s.running ? "running" : s.state) : "none"}`);
      g.classList.toggle("djw-running", Boolean(s && s.running));
    }
  };

  const draw = () => {
    const graph = model.get("graph");
    const palette = graph.palettes[isDark() ? "dark" : "light"];
    root.replaceChildren();
    const height = Math.min(graph.height + 16, 640);  // tall pipelines are clipped: pan or zoom to see the rest
    const zoomBy = (f) => { view = zoomAt(view, f, graph.width / 2, height / 2); applyView(); };
    root.appendChild(toolbar(graph, palette, [
      ["+", "zoom in", () => zoomBy(1.25)], ["\u2212", "zoom out", () => zoomBy(0.8)],
      ["\u21ba", "reset view", () => { view = { k: 1, x: 0, y: 0 }; applyView(); }]]));
    const canvas = svg("svg", { class: "djw-canvas", width: graph.width, height, viewBox: `0 0 ${graph.width} ${height}` });
    root.appendChild(canvas);
    root.appendChild(message);
    root.appendChild(tooltip);
    world = svg("g", { class: "djw-world" }, canvas);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    drawClusters(graph, palette, world);
    drawGroups(graph, palette, world, byId);
    edgeViews = drawEdges(graph, palette, world);
    nodeViews = new Map();
    for (const node of graph.nodes) {
      const colors = palette.tiers[node.tier] || palette.tiers.unknown;
      const g = svg("g", { class: `djw-node djw-tier-${node.tier.toLowerCase()}`, "data-table": node.id }, world);
      drawShape(node, colors, g);
      svg("text", { class: "djw-badge", x: node.x, y: node.y + node.height / 2 + 10, "text-anchor": "middle",
                    "font-size": 10 }, g);
      const toggle = () => model.send({ type: "select", node: node.id === model.get("selected") ? "" : node.id });
      g.addEventListener("click", (event) => {
        event.stopPropagation();
        if (!dragged) toggle();
      });
      // keyboard: Tab moves between tables, Enter or Space selects
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", `${node.label} (${node.tier})`);
      g.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        event.stopPropagation();  // not also JupyterLab's Enter (edit mode)
        toggle();
      });
      g.addEventListener("pointerenter", () => {
        tooltip.textContent = node.definition || node.label;
        tooltip.style.display = "block";
      });
      g.addEventListener("pointermove", (event) => placeTooltip(tooltip, root, event));
      g.addEventListener("pointerleave", () => { tooltip.style.display = "none"; });
      nodeViews.set(node.id, g);
    }
    applyView();
    paintSelection();
    paintStatus();
    attachPanZoom(canvas);
  };

  // pan with a drag on the canvas, zoom with Ctrl/Cmd + wheel around the pointer
  let dragged = false;
  const attachPanZoom = (canvas) => {
    let start = null;
    canvas.addEventListener("wheel", (event) => {
      // a plain wheel scrolls the notebook past the diagram; Ctrl/Cmd + wheel (or a pinch) zooms
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const r = canvas.getBoundingClientRect();
      const scale = canvas.viewBox.baseVal.width / r.width || 1;
      const px = (event.clientX - r.left) * scale, py = (event.clientY - r.top) * scale;
      const f = Math.exp(-event.deltaY * 0.0015);
      view = zoomAt(view, f, px, py);
      applyView();
    }, { passive: false });
    canvas.addEventListener("pointerdown", (event) => {
      start = { cx: event.clientX, cy: event.clientY, x: view.x, y: view.y };
      dragged = false;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!start) return;
      const dx = event.clientX - start.cx, dy = event.clientY - start.cy;
      if (Math.abs(dx) + Math.abs(dy) > 3) dragged = true;
      if (dragged) {
        tooltip.style.display = "none";  // a definition would follow the drawing around
        const r = canvas.getBoundingClientRect();
        const scale = canvas.viewBox.baseVal.width / r.width || 1;
        view = { k: view.k, x: start.x + dx * scale, y: start.y + dy * scale };
        applyView();
      }
    });
    const end = () => { start = null; setTimeout(() => { dragged = false; }, 0); };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
  };

  // the palette follows the theme: redraw when JupyterLab switches between light and dark
  let drawnDark = null;
  const drawForTheme = () => { drawnDark = isDark(); draw(); };
  const onTheme = () => { if (isDark() !== drawnDark) drawForTheme(); };
  const themeWatch = new MutationObserver(onTheme);
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  const scheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  if (scheme) scheme.addEventListener("change", onTheme);

  const paintError = () => { message.textContent = model.get("error"); };
  paintError();
  model.on("change:error", paintError);
  model.on("change:graph", drawForTheme);
  model.on("change:selected", paintSelection);
  model.on("change:highlight", paintSelection);
  model.on("change:status", paintStatus);
  drawForTheme();
  return () => {
    themeWatch.disconnect();
    if (scheme) scheme.removeEventListener("change", onTheme);
    model.off("change:graph", drawForTheme);
    model.off("change:selected", paintSelection);
    model.off("change:highlight", paintSelection);
    model.off("change:status", paintStatus);
    model.off("change:error", paintError);
  };
}

export default { render };

// JobsView front end: counts of jobs by status and the keys reserved now, by host and process.

function el(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

const COLUMNS = ["key", "host", "pid", "user", "connection_id", "reserved_time"];

function render({ model, el: host }) {
  const root = el("div", "djw-jobs");
  host.appendChild(root);
  const draw = () => {
    root.replaceChildren();
    const counts = model.get("counts") || {};
    const head = el("div", "djw-counts");
    head.appendChild(el("span", "djw-title", model.get("table_name")));
    head.appendChild(el("span", "", "jobs"));
    for (const status of ["reserved", "pending", "error", "ignore", "success"]) {
      const n = counts[status] || 0;
      const chip = el("span", `djw-chip djw-job-${status}${n ? "" : " djw-zero"}`, `${n} ${status}`);
      head.appendChild(chip);
    }
    root.appendChild(head);
    const rows = model.get("rows");
    if (rows.length) {
      const table = el("table");
      const head = table.createTHead().insertRow();
      for (const c of COLUMNS) head.appendChild(el("th", "", c));
      const body = table.createTBody();
      for (const row of rows) {
        const tr = body.insertRow();
        for (const c of COLUMNS) tr.insertCell().textContent = row[c] ?? "";
      }
      root.appendChild(table);
    } else {
      root.appendChild(el("div", "djw-updated", "no key is reserved right now"));
    }
    const error = model.get("error");
    root.appendChild(el("div", "djw-updated", error ? `refresh failed: ${error}` : `updated ${model.get("updated")}`));
  };
  const names = ["table_name", "rows", "counts", "updated", "error"];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => { for (const name of names) model.off(`change:${name}`, draw); };
}

export default { render };

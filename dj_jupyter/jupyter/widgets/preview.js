// PreviewWidget front end: a table of the page the kernel sent, a pager and sortable headers.
// Everything shown comes from the model; user actions become typed messages to the kernel.

function text(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function totalText(model) {
  const total = model.get("total");
  if (total === null || total === undefined) return "counting\u2026";
  return model.get("total_capped") ? `more than ${total.toLocaleString()}` : total.toLocaleString();
}

function lastPage(model) {
  const total = model.get("total");
  if (total === null || total === undefined || model.get("total_capped")) return null;
  return Math.max(1, Math.ceil(total / model.get("page_size")));
}

function header(model, column) {
  const th = text("th", "djw-col", column.name);
  if (column.is_key) th.classList.add("djw-key");
  if (column.comment) th.title = column.comment;
  if (column.placeholder !== null) return th; // blob-like columns are never fetched, so never sorted
  th.classList.add("djw-sortable");
  if (model.get("sort_column") === column.name) {
    th.classList.add(model.get("sort_descending") ? "djw-sorted-desc" : "djw-sorted-asc");
  }
  th.addEventListener("click", () => {
    const same = model.get("sort_column") === column.name;
    // a third click on the same column goes back to the primary-key order
    if (same && model.get("sort_descending")) {
      model.send({ type: "sort", column: "", descending: false });
    } else {
      model.send({ type: "sort", column: column.name, descending: same });
    }
  });
  return th;
}

function table(model) {
  const columns = model.get("columns");
  const tableNode = text("table", "djw-table");
  const headRow = tableNode.createTHead().insertRow();
  for (const column of columns) headRow.appendChild(header(model, column));
  const body = tableNode.createTBody();
  for (const row of model.get("rows")) {
    const tr = body.insertRow();
    for (const column of columns) {
      const td = tr.insertCell();
      if (column.placeholder !== null) {
        td.className = "djw-placeholder";
        td.textContent = column.placeholder;
      } else {
        td.textContent = row[column.name] ?? "";
        td.title = td.textContent;
      }
    }
  }
  return tableNode;
}

function pager(model) {
  const bar = text("div", "djw-pager");
  const page = model.get("page");
  const last = lastPage(model);
  const go = (n) => model.send({ type: "page", page: n });
  const button = (label, title, target, enabled) => {
    const b = text("button", "djw-button", label);
    b.title = title;
    b.disabled = !enabled || model.get("loading");
    b.addEventListener("click", () => go(target));
    return b;
  };
  bar.appendChild(button("\u00ab", "first page", 1, page > 1));
  bar.appendChild(button("\u2039", "previous page", page - 1, page > 1));
  bar.appendChild(text("span", "djw-page", last === null ? `page ${page}` : `page ${page} of ${last}`));
  bar.appendChild(button("\u203a", "next page", page + 1, model.get("has_next")));
  if (last !== null) bar.appendChild(button("\u00bb", "last page", last, page < last));
  bar.appendChild(text("span", "djw-total", `Total: ${totalText(model)}`));
  if (model.get("loading")) bar.appendChild(text("span", "djw-loading", "loading\u2026"));
  return bar;
}

function render({ model, el }) {
  const root = text("div", "djw-preview");
  el.appendChild(root);
  const draw = () => {
    root.replaceChildren();
    root.appendChild(table(model));
    root.appendChild(pager(model));
    const error = model.get("error");
    if (error) root.appendChild(text("div", "djw-error", error));
  };
  const names = ["rows", "columns", "page", "page_size", "total", "total_capped", "has_next",
                 "sort_column", "sort_descending", "loading", "error"];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => { for (const name of names) model.off(`change:${name}`, draw); };
}

export default { render };

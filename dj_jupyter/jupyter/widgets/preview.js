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
  const sort = () => {
    const same = model.get("sort_column") === column.name;
    // a third click on the same column goes back to the primary-key order
    if (same && model.get("sort_descending")) {
      model.send({ type: "sort", column: "", descending: false });
    } else {
      model.send({ type: "sort", column: column.name, descending: same });
    }
  };
  th.addEventListener("click", sort);
  th.tabIndex = 0;  // keyboard: Tab to a header, Enter or Space sorts
  th.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation();  // not also JupyterLab's Enter (edit mode)
    sort();
  });
  return th;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|nan)$/;

// classes of each column: numbers right-aligned, a rule after the last primary-key column
function columnClasses(columns, rows) {
  const lastKey = columns.map((c) => c.is_key).lastIndexOf(true);
  return columns.map((column, i) => {
    const classes = [];
    if (column.placeholder === null && rows.length &&
        rows.every((row) => (row[column.name] ?? "") === "" || NUMBER.test(row[column.name]))) classes.push("djw-num");
    if (i === lastKey && i < columns.length - 1) classes.push("djw-key-end");
    return classes;
  });
}

function table(model) {
  const columns = model.get("columns");
  const rows = model.get("rows");
  const classes = columnClasses(columns, rows);
  const tableNode = text("table", "djw-table");
  const headRow = tableNode.createTHead().insertRow();
  columns.forEach((column, i) => headRow.appendChild(header(model, column)).classList.add(...classes[i]));
  const body = tableNode.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((column, i) => {
      const td = tr.insertCell();
      td.classList.add(...classes[i]);
      if (column.placeholder !== null) {
        td.classList.add("djw-placeholder");
        td.textContent = column.placeholder;
      } else {
        td.textContent = row[column.name] ?? "";
        td.title = td.textContent;
      }
    });
  }
  if (!rows.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = Math.max(columns.length, 1);
    td.className = "djw-empty";
    td.textContent = "no rows";
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

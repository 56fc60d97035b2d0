// PopulateWidget front end: a progress bar with counts, rate and ETA, a cancel button,
// and the failed keys (click one to see its traceback).  All numbers come from the model.

function el(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "\u2013";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function keyText(key) {
  const parts = Object.entries(key || {}).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(", ") : "(populate)";
}

function errorList(model) {
  const list = el("div", "djw-errors");
  for (const error of model.get("errors")) {
    const item = el("details", "djw-error-item");
    const summary = el("summary", "", `${keyText(error.key)}: ${error.message || "failed"}`);
    item.appendChild(summary);
    item.appendChild(el("pre", "djw-traceback", error.traceback || "(traceback available when the run ends)"));
    list.appendChild(item);
  }
  return list;
}

function render({ model, el: host }) {
  const root = el("div", "djw-populate");
  host.appendChild(root);
  const draw = () => {
    const total = model.get("total"), done = model.get("done"), failed = model.get("failed");
    const state = model.get("state");
    root.replaceChildren();
    root.dataset.state = state;
    const head = el("div", "djw-head");
    head.appendChild(el("span", "djw-title", model.get("table_name")));
    head.appendChild(el("span", "djw-state", state));
    if (total > 0) head.appendChild(el("span", "djw-percent", `${Math.floor((100 * (done + failed)) / total)}%`));
    if (state === "starting" || state === "running") {  // a finished run has nothing to cancel
      const cancel = el("button", "djw-button djw-cancel", model.get("cancel_requested") ? "cancelling\u2026" : "cancel");
      cancel.disabled = model.get("cancel_requested");
      cancel.title = "stop after the current key (its rows are committed whole)";
      cancel.addEventListener("click", () => model.send({ type: "cancel" }));
      head.appendChild(cancel);
    }
    root.appendChild(head);
    const bar = el("div", "djw-bar");
    const share = (n) => (total > 0 ? `${(100 * n) / total}%` : "0%");
    const ok = el("div", "djw-bar-done"); ok.style.width = share(done);
    const bad = el("div", "djw-bar-failed"); bad.style.width = share(failed);
    bar.appendChild(ok); bar.appendChild(bad);
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(done + failed));
    root.appendChild(bar);
    const rate = model.get("rate");
    const numbers = `${done} / ${total} done` + (failed ? `, ${failed} failed` : "") +
      ` \u00b7 ${rate ? rate.toFixed(rate < 10 ? 2 : 0) : "\u2013"} keys/s` +
      ` \u00b7 elapsed ${duration(model.get("elapsed"))}` +
      (state === "running" ? ` \u00b7 ETA ${duration(model.get("eta"))}` : "");
    root.appendChild(el("div", "djw-numbers", numbers));
    if (model.get("message")) root.appendChild(el("div", "djw-message", model.get("message")));
    if (model.get("errors").length) root.appendChild(errorList(model));
  };
  const names = ["table_name", "total", "done", "failed", "elapsed", "rate", "eta", "state", "message",
                 "errors", "cancel_requested"];
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
  return () => { for (const name of names) model.off(`change:${name}`, draw); };
}

export default { render };

"""``ObjectView``: a stored object (``<npy@>`` NpyRef, ``<object@>`` ObjectRef) shown without reading its payload.

The view shows what the reference already knows (path, store, shape, dtype, chunks,
size): no value of the object is read to draw it (an ``.npy`` file: nothing at all; a
Zarr store: its metadata documents only).  A preview of a small window (up to
:attr:`ObjectView.window_rows` x :attr:`ObjectView.window_columns` values of one 2-d
slice, chosen with the leading indices and a first row) is read on demand, when the
front end sends ``{"type": "preview", "position": [...], "row": n}`` (the preview
button) or :meth:`ObjectView.show` is called; the reference reads only the bytes of
that window (ranged reads of the ``.npy`` file; the Zarr chunks it touches).  A Zarr
group previews one of its arrays (:attr:`ObjectView.array`); a plain file or folder
shows its metadata only.  Static HTML (the metadata, and the preview once read)
travels along for viewers without a kernel.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import traitlets as t

from ...codecs.npyref import NpyRef
from ...codecs.objectref import ObjectRef
from ...errors import DataJointError
from .lean import LeanAnyWidget, asset
from .messages import WidgetMessageError

__all__ = ["ObjectView", "PreviewSliceRequest", "parse_preview_message", "size_text"]

HERE = Path(__file__).parent


@dataclass(frozen=True)
class PreviewSliceRequest:
    """Read the window starting at row ``row`` of the 2-d slice at ``position`` (indices of the leading axes).

    ``array`` names the member of a Zarr group to read ("" keeps the one shown).
    """

    position: tuple[int, ...]
    row: int
    array: str = ""


def parse_preview_message(content: Any) -> PreviewSliceRequest:
    """Parse ``{"type": "preview", "position": [ints], "row": int, "array": str}`` from the front end.

    Raises
    ------
    WidgetMessageError
        Not a preview message, or a field is not a (list of) non-negative integer(s).
    """
    if not isinstance(content, dict) or content.get("type") != "preview":
        raise WidgetMessageError(f"Expected a message with 'type' 'preview'; got {content!r}.")
    position, row, array = content.get("position", []), content.get("row", 0), content.get("array", "")

    def natural(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if not isinstance(position, list) or not all(natural(p) for p in position) or not natural(row):
        raise WidgetMessageError("A preview message needs 'position' (a list of integers >= 0) and 'row' "
                                 f"(an integer >= 0); got {position!r}, {row!r}.")
    if not isinstance(array, str):
        raise WidgetMessageError(f"A preview message's 'array' names a group member (a string); got {array!r}.")
    return PreviewSliceRequest(tuple(position), row, array)


def size_text(nbytes: int) -> str:
    """``"1.5 MB"``: a byte count for people (powers of 1000, as storage is sold)."""
    size = float(nbytes)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _describe(ref: Any) -> dict:
    """What the reference knows without reading the object's values (Zarr: its metadata documents only)."""
    if isinstance(ref, NpyRef):
        return {"kind": "npy", "path": ref.path, "store": ref.store or "", "arrays": [],
                "shape": list(ref.shape), "dtype": str(ref.dtype), "chunks": None, "nbytes": int(ref.nbytes)}
    if isinstance(ref, ObjectRef):
        return _describe_object(ref)
    raise DataJointError(f"ObjectView shows stored objects (an NpyRef from <npy@> or an ObjectRef from <object@>); "
                         f"got {type(ref).__name__}.")


def _describe_object(ref: ObjectRef) -> dict:
    info = ref.describe()
    base = {"kind": info["kind"], "path": ref.path, "store": ref.store or "", "arrays": [], "shape": [],
            "dtype": "", "chunks": None, "nbytes": int(ref.size or 0)}
    if info["kind"] == "zarr_array":
        return {**base, "shape": info["shape"], "dtype": info["dtype"], "chunks": info["chunks"],
                "nbytes": info["nbytes"]}
    if info["kind"] == "zarr_group" and info["arrays"]:
        name, first = next(iter(info["arrays"].items()))
        return {**base, "arrays": list(info["arrays"]), "array": name, "shape": first["shape"],
                "dtype": first["dtype"], "chunks": first["chunks"], "nbytes": info["nbytes"],
                "_members": info["arrays"]}
    return base  # a file or a plain folder: metadata only, nothing to preview


class ObjectView(LeanAnyWidget):
    """A lazy stored array: its metadata at once, a window of its values on demand.

    Parameters
    ----------
    ref : NpyRef or ObjectRef
        The reference fetched from an ``<npy@>`` or ``<object@>`` attribute.
    window_rows, window_columns : int
        The size of the preview window.

    Attributes
    ----------
    kind, path, store, dtype : str
        What the object is (``npy``, ``zarr_array``, ``zarr_group``, ``file``, ``folder``) and where it is.
    arrays : list of str
        The arrays of a Zarr group; ``array`` is the one shown ("" otherwise).
    previewable : bool
        Whether values can be previewed (arrays: yes; plain files and folders: no).
    shape : list of int
    chunks : list of int or None
        The chunk shape (None: one contiguous ``.npy`` file).
    nbytes : int
        Size of the payload (uncompressed, for Zarr); ``size`` is the same for people (``"4.0 MB"``).
    position : list of int
        Indices of the leading axes (all but the last two) of the slice previewed.
    row : int
        First row of the window.
    preview : dict
        Empty until a preview is asked for; then ``index`` (the selection, as Python text),
        ``shape`` (of the window), ``columns`` (column indices) and ``rows`` (values as text).
    error : str
        Why the last preview failed; "" when it worked.
    layout : ipywidgets.Layout
        As for any widget; made when the widget is first shown or ``layout`` first read
        (see :mod:`.lean`: read it before showing the widget inside a container, to style it later).

    Examples
    --------
    >>> ref = (Recording & key).fetch1("trace")    # an NpyRef: nothing read yet   # doctest: +SKIP
    >>> view = ObjectView(ref)                      # doctest: +SKIP
    >>> view.show(row=100)                          # reads a 20 x 10 window        # doctest: +SKIP
    """

    _esm = asset(HERE / "objectview.js")
    _css = asset(HERE / "objectview.css")

    kind = t.Unicode("").tag(sync=True)
    path = t.Unicode("").tag(sync=True)
    store = t.Unicode("").tag(sync=True)
    arrays = t.List(t.Unicode()).tag(sync=True)
    array = t.Unicode("").tag(sync=True)
    previewable = t.Bool(False).tag(sync=True)
    shape = t.List(t.Int()).tag(sync=True)
    dtype = t.Unicode("").tag(sync=True)
    chunks = t.List(t.Int(), allow_none=True, default_value=None).tag(sync=True)
    nbytes = t.Int(0).tag(sync=True)
    size = t.Unicode("").tag(sync=True)
    window_rows = t.Int(20).tag(sync=True)
    window_columns = t.Int(10).tag(sync=True)
    position = t.List(t.Int()).tag(sync=True)
    row = t.Int(0).tag(sync=True)
    preview = t.Dict().tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, ref: Any, *, window_rows: int = 20, window_columns: int = 10, **kwargs: Any) -> None:
        meta = _describe(ref)
        self._members: dict[str, dict] = meta.pop("_members", {})
        previewable = meta["kind"] in ("npy", "zarr_array", "zarr_group") and bool(meta["dtype"])
        super().__init__(**meta, size=size_text(meta["nbytes"]), window_rows=window_rows, previewable=previewable,
                         window_columns=window_columns, position=[0] * max(len(meta["shape"]) - 2, 0), **kwargs)
        self.ref = ref
        self._zarr: Any = None  # the opened Zarr node, on the first preview

    def select_array(self, name: str) -> None:
        """Show the member ``name`` of a Zarr group (its metadata; no value is read).

        Raises
        ------
        DataJointError
            ``name`` is not an array of the group.
        """
        if name not in self._members:
            raise DataJointError(f"{name!r} is not an array of this object; expected one of: "
                                 f"{', '.join(self.arrays) or '(none)'}.")
        member = self._members[name]
        with self.hold_sync():
            self.array, self.shape, self.dtype, self.chunks = name, member["shape"], member["dtype"], member["chunks"]
            self.position, self.row, self.preview, self.error = [0] * max(len(member["shape"]) - 2, 0), 0, {}, ""

    def _values(self, index: tuple) -> Any:
        """The values at ``index``, read lazily (ranged reads, or the Zarr chunks touched)."""
        if self.kind == "npy":
            return self.ref[index]
        if self._zarr is None:
            self._zarr = self.ref.open_zarr()
        node = self._zarr[self.array] if self.kind == "zarr_group" else self._zarr
        return node[index]

    def _on_front_end_message(self, content: Any, _buffers: Any) -> None:
        try:
            request = parse_preview_message(content)
            if request.array and request.array != self.array:
                self.select_array(request.array)
            self.show(request.position, row=request.row)
        except (DataJointError, IndexError) as exc:
            self.error = str(exc)

    def selection(self, position: tuple[int, ...] | list[int] = (), *, row: int = 0) -> tuple:
        """The index of the window: leading ``position``, rows from ``row``, the first columns.

        Raises
        ------
        DataJointError
            ``position`` has the wrong length or an index is out of range.
        """
        shape = self.shape
        lead = len(shape) - 2
        position = tuple(position)
        if len(position) != max(lead, 0) or any(not 0 <= p < n for p, n in zip(position, shape)):
            raise DataJointError(f"The preview position needs {max(lead, 0)} index(es) within {tuple(shape[:lead])}; "
                                 f"got {list(position)}.")
        if not shape:
            return ()
        n_rows = shape[-2 if lead >= 0 else -1]
        if row and not 0 <= row < n_rows:
            raise DataJointError(f"The first row of the preview must be within 0..{n_rows - 1}; got {row}.")
        rows = slice(row, row + self.window_rows)
        if lead < 0:  # 1-d: a window of values
            return (rows,)
        return (*position, rows, slice(0, self.window_columns))

    def show(self, position: tuple[int, ...] | list[int] = (), *, row: int = 0) -> np.ndarray:
        """Read the window (only its bytes) and show it; returns the values read.

        Raises
        ------
        DataJointError
            The object holds no array (a plain file or folder), or the position is out of range.
        """
        if not self.previewable:
            raise DataJointError(f"This {self.kind} holds no array to preview; read it with ref.open() / ref.read().")
        index = self.selection(position, row=row)
        values = np.asarray(self._values(index))
        table = values.reshape(-1, 1) if values.ndim == 1 else values.reshape(1, 1) if values.ndim == 0 else values
        preview = {"index": _index_text(index), "shape": list(values.shape), "columns": list(range(table.shape[1])),
                   "first_row": row, "rows": [[_value_text(v) for v in line] for line in table.tolist()]}
        with self.hold_sync():
            self.position, self.row, self.preview, self.error = list(position), row, preview, ""
        return values

    # ------------------------------------------------------------------ static rendering
    def static_html(self) -> str:
        """The metadata (and the preview, once read) as an HTML table."""
        chunks = "one contiguous file" if self.chunks is None else f"{tuple(self.chunks)}"
        facts = [("kind", self.kind), ("array", self.array), ("shape", str(tuple(self.shape))), ("dtype", self.dtype),
                 ("chunks", chunks), ("size", self.size), ("store", self.store), ("path", self.path)]
        facts = [(k, v) for k, v in facts if v and (self.previewable or k not in ("shape", "dtype", "chunks"))]
        out = ['<table class="dj-object">']
        out += [f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts]
        out.append("</table>")
        if self.preview:
            out.append(f"<p>values [{html.escape(self.preview['index'])}]</p><table>")
            out += ["<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in line) + "</tr>"
                    for line in self.preview["rows"]]
            out.append("</table>")
        return "\n".join(out)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/html"] = self.static_html()
        data["text/plain"] = repr(self.ref)
        return data, metadata


def _index_text(index: tuple) -> str:
    def one(k: Any) -> str:
        if isinstance(k, slice):
            return f"{'' if k.start is None else k.start}:{'' if k.stop is None else k.stop}"
        return str(k)

    return ", ".join(one(k) for k in index)


def _value_text(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)

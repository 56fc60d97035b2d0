"""A layered (Sugiyama-style) layout of a pipeline graph, in pure Python.

No Graphviz binary: nodes are put into layers by longest path from the sources, long
edges get invisible waypoints (one per layer they cross), a few sweeps of barycentric
ordering reduce edge crossings, and coordinates are assigned per layer.  Each cluster
(schema) owns a band across all layers, so cluster boxes never overlap.

Everything is deterministic: the same input gives the same picture, and ties are
broken by the order in which nodes were given (pass them in topological order).
The cost grows near-linearly with the number of nodes and edges (times the number of
sweeps, plus a log factor for counting crossings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..errors import DataJointError

__all__ = ["Box", "Layout", "count_crossings", "layered_layout", "node_size"]

RANK_GAP = 56.0  # space between layers (along the edges)
NODE_GAP = 14.0  # space between neighbours in a layer
CLUSTER_GAP = 18.0  # space between two schema bands
CLUSTER_PAD = 12.0  # space between a cluster's border and its nodes
CLUSTER_LABEL = 18.0  # room for the cluster label at the top of its band
MARGIN = 8.0
WAYPOINT = 6.0  # room a long edge takes up in each layer it crosses
STALE_SWEEPS = 2  # crossing reduction stops after this many sweeps in a row without a better order


@dataclass(frozen=True)
class Box:
    """A rectangle given by its centre and size (SVG user units)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


@dataclass(frozen=True)
class Layout:
    """Where everything goes.

    Attributes
    ----------
    direction : str
        ``"LR"`` (layers from left to right) or ``"TB"`` (top to bottom).
    boxes : dict
        Node id -> :class:`Box`.
    layers : dict
        Node id -> layer number (0 = leftmost / topmost).
    order : list of list
        The real nodes of each layer, in drawing order.
    routes : dict
        ``(parent, child)`` -> list of points from the parent's border through the
        waypoints to the child's border.
    clusters : dict
        Cluster id -> :class:`Box` around its nodes (and its label).
    width, height : float
        Size of the drawing.
    """

    direction: str
    boxes: dict[str, Box]
    layers: dict[str, int]
    order: list[list[str]]
    routes: dict[tuple[str, str], list[tuple[float, float]]]
    clusters: dict[str, Box]
    width: float
    height: float


def node_size(label: str, shape: str = "box") -> tuple[float, float]:
    """Width and height of a node drawn with ``label`` (12 px sans-serif, 10 px for parts).

    ``shape`` is ``"box"``, ``"ellipse"``, ``"part"``, ``"circle"`` or ``"box3d"``.
    """
    if shape == "part":
        return max(40.0, 6.1 * len(label) + 16), 24.0
    if shape == "circle":
        return max(24.0, 6.1 * len(label) + 22), 20.0
    width = max(48.0, 7.2 * len(label) + 24)
    if shape == "ellipse":
        return width * 1.18 + 8, 36.0
    if shape == "box3d":
        return width + 6, 38.0
    return width, 32.0


# --------------------------------------------------------------------------- the layout


def layered_layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *,
                   sizes: Mapping[str, tuple[float, float]] | None = None,
                   clusters: Mapping[str, str] | None = None, direction: str = "LR",
                   sweeps: int = 8) -> Layout:
    """Lay out a directed acyclic graph in layers.

    Parameters
    ----------
    nodes : sequence of str
        Node ids, best in topological order (it breaks ties).
    edges : iterable of (str, str)
        ``(parent, child)`` pairs; duplicates and self-loops are ignored.
    sizes : mapping, optional
        Node id -> ``(width, height)`` on screen; default :func:`node_size` of the id.
    clusters : mapping, optional
        Node id -> cluster id (the schema); a node without one forms no cluster.
    direction : {"LR", "TB"}
        Layers run left to right or top to bottom.
    sweeps : int
        Rounds of crossing reduction (each one down and one up).

    Returns
    -------
    Layout

    Examples
    --------
    >>> lay = layered_layout(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")])
    >>> [lay.layers[n] for n in "abc"]
    [0, 1, 2]
    """
    direction = direction.upper()
    if direction not in ("LR", "TB"):
        raise DataJointError(f"Diagram direction must be 'LR' or 'TB'; got {direction!r}.")
    graph = _Graph(nodes, edges, clusters or {})
    sizes = {n: (sizes or {}).get(n) or node_size(n) for n in graph.names}
    # sizes along the layer axis ("depth") and along the order axis ("breadth")
    depth, breadth = (0, 1) if direction == "LR" else (1, 0)
    extent = [sizes[n][breadth] for n in graph.names] + [WAYPOINT] * graph.n_dummies
    thickness = [sizes[n][depth] for n in graph.names] + [0.0] * graph.n_dummies
    order = _reduce_crossings(graph, sweeps)
    along, bands = _breadth_positions(graph, order, extent)
    across = _depth_positions(graph, order, thickness)
    return _assemble(graph, order, sizes, along, across, bands, direction)


class _Graph:
    """Integer-indexed layered graph with waypoint (dummy) nodes on long edges."""

    def __init__(self, nodes: Sequence[str], edges: Iterable[tuple[str, str]], clusters: Mapping[str, str]) -> None:
        self.names = list(dict.fromkeys(nodes))
        index = {n: i for i, n in enumerate(self.names)}
        pairs: dict[tuple[int, int], None] = {}
        for parent, child in edges:
            if parent not in index or child not in index:
                missing = parent if parent not in index else child
                raise DataJointError(f"Layout edge {parent!r} -> {child!r} names a node that is not in the graph ({missing!r}).")
            if parent != child:
                pairs[(index[parent], index[child])] = None
        self.pairs = list(pairs)
        cluster_ids = list(dict.fromkeys(clusters.get(n) for n in self.names))
        self.cluster_rank = {c: i for i, c in enumerate(cluster_ids)}
        self.cluster = [clusters.get(n) for n in self.names]
        self.layer = _layers(len(self.names), self.pairs)
        self._add_waypoints()

    def _add_waypoints(self) -> None:
        """Split every edge spanning several layers with one waypoint per layer crossed."""
        n = len(self.names)
        self.up: list[list[int]] = [[] for _ in range(n)]
        self.down: list[list[int]] = [[] for _ in range(n)]
        self.chains: dict[tuple[int, int], list[int]] = {}
        for parent, child in self.pairs:
            chain = [parent]
            for lay in range(self.layer[parent] + 1, self.layer[child]):
                dummy = len(self.layer)
                self.layer.append(lay)
                self.cluster.append(self.cluster[child])  # a waypoint runs through its child's band
                self.up.append([])
                self.down.append([])
                chain.append(dummy)
            chain.append(child)
            for a, b in pairwise(chain):
                self.down[a].append(b)
                self.up[b].append(a)
            self.chains[(parent, child)] = chain
        self.n_dummies = len(self.layer) - n
        self.n_layers = max(self.layer, default=-1) + 1

    def is_real(self, v: int) -> bool:
        return v < len(self.names)


def _layers(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    """Longest path from the sources; then each source moves next to its nearest child."""
    parents: list[list[int]] = [[] for _ in range(n)]
    children: list[list[int]] = [[] for _ in range(n)]
    for p, c in pairs:
        parents[c].append(p)
        children[p].append(c)
    indegree = [len(ps) for ps in parents]
    ready = [v for v in range(n) if indegree[v] == 0]
    layer = [0] * n
    order = []
    while ready:
        v = ready.pop(0)
        order.append(v)
        for c in children[v]:
            layer[c] = max(layer[c], layer[v] + 1)
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(order) != n:
        raise DataJointError("Cannot lay out the diagram: its foreign-key graph has a cycle.")
    # a lookup table used only deep in the pipeline sits beside its user, not at the far left
    for v in reversed(order):
        if not parents[v] and children[v]:
            layer[v] = min(layer[c] for c in children[v]) - 1
    return layer


# --------------------------------------------------------------------------- ordering


def _reduce_crossings(graph: _Graph, sweeps: int) -> list[list[int]]:
    order: list[list[int]] = [[] for _ in range(graph.n_layers)]
    for v in range(len(graph.layer)):
        order[graph.layer[v]].append(v)
    for row in order:
        row.sort(key=lambda v: graph.cluster_rank[graph.cluster[v]])  # stable: input order within a cluster
    best = [list(row) for row in order]
    best_crossings = _total_crossings(graph, order)
    stale = 0  # sweeps in a row that found no better order: the barycenter sweeps have settled
    for _ in range(sweeps):
        if best_crossings == 0 or stale >= STALE_SWEEPS:
            break
        for lay in range(1, graph.n_layers):
            _sort_by_barycenter(graph, order, lay, graph.up, order[lay - 1])
        for lay in range(graph.n_layers - 2, -1, -1):
            _sort_by_barycenter(graph, order, lay, graph.down, order[lay + 1])
        crossings = _total_crossings(graph, order)
        # a sweep that removes under 1% of the crossings counts as settled (big graphs creep for many sweeps)
        stale = 0 if crossings < best_crossings * 0.99 else stale + 1
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in order], crossings
    return best


def _sort_by_barycenter(graph: _Graph, order: list[list[int]], lay: int, neighbours: list[list[int]],
                        reference: list[int]) -> None:
    position = {v: i for i, v in enumerate(reference)}
    row = order[lay]

    def key(item: tuple[int, int]) -> tuple[int, float, int]:
        i, v = item
        near = [position[u] for u in neighbours[v] if u in position]
        # a node without neighbours on that side keeps its place relative to the others
        center = sum(near) / len(near) if near else i * max(1, len(reference)) / max(1, len(row))
        return graph.cluster_rank[graph.cluster[v]], center, i

    order[lay] = [v for _, v in sorted(enumerate(row), key=key)]


def _total_crossings(graph: _Graph, order: list[list[int]]) -> int:
    total = 0
    for lay in range(len(order) - 1):
        upper = {v: i for i, v in enumerate(order[lay])}
        lower = {v: i for i, v in enumerate(order[lay + 1])}
        pairs = [(upper[v], lower[c]) for v in order[lay] for c in graph.down[v] if c in lower]
        total += _inversions(pairs, len(order[lay + 1]))
    return total


def _inversions(pairs: list[tuple[int, int]], size: int) -> int:
    """Crossings between two layers: inversions of the lower ends, counted with a Fenwick tree."""
    pairs.sort()
    tree = [0] * (size + 1)
    crossings = 0
    for seen, (_, low) in enumerate(pairs):
        # edges already seen whose lower end is strictly right of this one cross it
        i, not_right = low + 1, 0
        while i > 0:
            not_right += tree[i]
            i -= i & -i
        crossings += seen - not_right
        i = low + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return crossings


def count_crossings(order: Sequence[Sequence[str]], edges: Iterable[tuple[str, str]]) -> int:
    """Number of crossings of edges between consecutive layers of ``order``.

    Edges between non-adjacent layers are ignored (split them with waypoints first).
    """
    where = {n: (lay, i) for lay, row in enumerate(order) for i, n in enumerate(row)}
    by_layer: dict[int, list[tuple[int, int]]] = {}
    for parent, child in edges:
        (lp, ip), (lc, ic) = where[parent], where[child]
        if lc == lp + 1:
            by_layer.setdefault(lp, []).append((ip, ic))
    return sum(_inversions(pairs, len(order[lay + 1])) for lay, pairs in by_layer.items())


# --------------------------------------------------------------------------- coordinates


def _breadth_positions(graph: _Graph, order: list[list[int]], extent: list[float]) -> tuple[list[float], dict]:
    """Position along each layer: clusters get bands; nodes are pulled toward their neighbours."""
    segments: dict[tuple[int, object], list[int]] = {}
    for lay, row in enumerate(order):
        for v in row:
            segments.setdefault((lay, graph.cluster[v]), []).append(v)
    need: dict[object, float] = {}
    for (_, cluster), members in segments.items():
        packed = sum(extent[v] for v in members) + NODE_GAP * (len(members) - 1)
        need[cluster] = max(need.get(cluster, 0.0), packed)
    bands: dict[object, tuple[float, float]] = {}
    start = MARGIN
    for cluster in sorted(need, key=lambda c: graph.cluster_rank[c]):
        pad_before = CLUSTER_PAD + CLUSTER_LABEL if cluster is not None else 0.0
        pad_after = CLUSTER_PAD if cluster is not None else 0.0
        bands[cluster] = (start + pad_before, start + pad_before + need[cluster])
        start += pad_before + need[cluster] + pad_after + CLUSTER_GAP
    pos = [0.0] * len(graph.layer)
    for (_, cluster), members in segments.items():
        lo, hi = bands[cluster]
        offset = lo + (hi - lo - (sum(extent[v] for v in members) + NODE_GAP * (len(members) - 1))) / 2
        for v in members:
            pos[v] = offset + extent[v] / 2
            offset += extent[v] + NODE_GAP
    for _ in range(4):
        for neighbours in (graph.up, graph.down):
            for (_, cluster), members in segments.items():
                _pull(members, neighbours, pos, extent, bands[cluster])
    return pos, bands


def _pull(members: list[int], neighbours: list[list[int]], pos: list[float], extent: list[float],
          band: tuple[float, float]) -> None:
    """Move a layer's nodes toward the mean of their neighbours, keeping order, gaps and band."""
    want = []
    for v in members:
        near = neighbours[v] or ()
        want.append(sum(pos[u] for u in near) / len(near) if near else pos[v])
    lo, hi = band
    new = list(want)
    for j, v in enumerate(members):  # forward: keep the gap to the previous node
        floor = lo + extent[v] / 2 if j == 0 else new[j - 1] + (extent[members[j - 1]] + extent[v]) / 2 + NODE_GAP
        new[j] = max(new[j], floor)
    for j in range(len(members) - 1, -1, -1):  # backward: and to the next one, inside the band
        v = members[j]
        ceiling = hi - extent[v] / 2 if j == len(members) - 1 else new[j + 1] - (extent[members[j + 1]] + extent[v]) / 2 - NODE_GAP
        new[j] = min(new[j], ceiling)
    for j, v in enumerate(members):
        pos[v] = new[j]


def _depth_positions(graph: _Graph, order: list[list[int]], thickness: list[float]) -> list[float]:
    """Position of each layer's centre line along the layer axis."""
    centers, start = [], MARGIN + CLUSTER_PAD + CLUSTER_LABEL
    for row in order:
        thick = max((thickness[v] for v in row), default=0.0)
        centers.append(start + thick / 2)
        start += thick + RANK_GAP
    return [centers[graph.layer[v]] for v in range(len(graph.layer))]


def _assemble(graph: _Graph, order, sizes, along, across, bands, direction: str) -> Layout:
    def point(v: int) -> tuple[float, float]:
        return (across[v], along[v]) if direction == "LR" else (along[v], across[v])

    boxes = {}
    for v, name in enumerate(graph.names):
        x, y = point(v)
        boxes[name] = Box(x, y, *sizes[name])
    routes = {}
    for (parent, child), chain in graph.chains.items():
        a, b = boxes[graph.names[parent]], boxes[graph.names[child]]
        start = (a.right, a.y) if direction == "LR" else (a.x, a.bottom)
        end = (b.left, b.y) if direction == "LR" else (b.x, b.top)
        routes[(graph.names[parent], graph.names[child])] = [start, *(point(d) for d in chain[1:-1]), end]
    clusters = _cluster_boxes(graph, boxes, bands, direction)
    right = max([b.right for b in boxes.values()] + [c.right for c in clusters.values()], default=0.0)
    bottom = max([b.bottom for b in boxes.values()] + [c.bottom for c in clusters.values()], default=0.0)
    real_order = [[graph.names[v] for v in row if graph.is_real(v)] for row in order]
    layers = {name: graph.layer[v] for v, name in enumerate(graph.names)}
    return Layout(direction, boxes, layers, real_order, routes, clusters, right + MARGIN, bottom + MARGIN)


def _cluster_boxes(graph: _Graph, boxes: dict[str, Box], bands, direction: str) -> dict[str, Box]:
    out = {}
    for cluster, (lo, hi) in bands.items():
        if cluster is None:
            continue
        members = [boxes[n] for v, n in enumerate(graph.names) if graph.cluster[v] == cluster]
        b_lo, b_hi = lo - CLUSTER_PAD - CLUSTER_LABEL, hi + CLUSTER_PAD
        if direction == "LR":
            d_lo = min(b.left for b in members) - CLUSTER_PAD
            d_hi = max(b.right for b in members) + CLUSTER_PAD
            out[cluster] = Box((d_lo + d_hi) / 2, (b_lo + b_hi) / 2, d_hi - d_lo, b_hi - b_lo)
        else:
            d_lo = min(b.top for b in members) - CLUSTER_PAD - CLUSTER_LABEL
            d_hi = max(b.bottom for b in members) + CLUSTER_PAD
            out[cluster] = Box((b_lo + b_hi) / 2, (d_lo + d_hi) / 2, b_hi - b_lo, d_hi - d_lo)
    return out

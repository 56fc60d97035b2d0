"""Deleting rows with cascade, and dropping tables with their dependents.

The cascade plan restricts every descendant of the seed table by the rows it would
lose: a child is restricted by its parents' restricted keys through each foreign key
(renamed columns mapped), OR-ed where paths converge; with ``part_integrity="cascade"`` the
masters of the part rows reached join the plan too.  Rows are deleted leaves first,
inside one transaction, so an error leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from ..codecs.lifecycle import DoomedObjects
from ..errors import DataJointError
from ..query.conditions import TRUE, And, InQuery, Negate, Or, disjunction, make_condition, semijoin
from ..query.nodes import Node, ProjItem, Project, Restrict, TableRef, Top
from ..sql.compiler import compile_condition_for_table
from ..sql.ddl import compile_drop_table
from ..sql.dml import compile_delete
from ..sql.lineage import compile_clear_lineage_literal
from .catalog_state import LINEAGE_TABLE, state_of
from .naming import master_of, tier_of_table_name

__all__ = ["delete_quick", "delete_cascade", "drop_quick", "drop_tables", "cascade_plan"]

logger = logging.getLogger("dj_jupyter")
_PART_INTEGRITY = ("enforce", "ignore", "cascade")


def _safemode(prompt: bool | None) -> bool:
    if prompt is not None:
        return bool(prompt)
    from ..settings import config

    return bool(config["safemode"])


def _ask(question: str) -> bool:
    answer = input(f"{question} [yes, No]: ")
    return answer.strip().lower() in ("yes", "y")


def _delete_node(conn: Any, node: Node) -> int:
    """DELETE the rows of ``node`` (a restriction of one table) and return how many went."""
    table = _base_table(node)
    cond = node.condition if isinstance(node, Restrict) else TRUE
    if isinstance(node, Restrict) and isinstance(node.source, Restrict):
        cond = _and_chain(node)
    where, params = compile_condition_for_table(conn.dialect, table, cond)
    sql = compile_delete(conn.dialect, table.schema, table.table, where)
    return conn.query(sql, params).rowcount


def _and_chain(node: Node):
    from ..query.conditions import conjunction

    conds = []
    while isinstance(node, Restrict):
        conds.append(node.condition)
        node = node.source
    return conjunction(conds[::-1])


def _base_table(node: Node) -> TableRef:
    while isinstance(node, Restrict):
        node = node.source
    if not isinstance(node, TableRef):
        raise DataJointError("Only restrictions of a table can be deleted (not projections, joins or dj.Top).")
    return node


def delete_quick(table: Any, get_count: bool = False) -> int | None:
    conn = table.connection
    node = _deletable(conn, table._node, set())
    # objects of the deleted rows go once the deletion commits (inside a user's transaction: at its commit)
    joined = conn.in_transaction
    doomed = DoomedObjects(conn, state_of(conn))
    with conn.transaction if not joined else contextlib.nullcontext():
        doomed.note(node)
        n = _delete_node(conn, node)
    conn.after_commit(doomed.release)
    return n if get_count else None


def _tables_in(node: Node) -> set[tuple[str, str]]:
    """Every table a node reads, including the tables of sub-queries in its conditions."""
    found: set[tuple[str, str]] = set()
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, TableRef):
            found.add((item.schema, item.table))
        elif isinstance(item, InQuery):
            stack.append(item.query)
        elif isinstance(item, (And, Or)):
            stack.extend(item.items)
        elif isinstance(item, Negate):
            stack.append(item.item)
        elif isinstance(item, Restrict):
            stack += [item.source, item.condition]
        elif isinstance(item, Node):
            stack += [getattr(item, f) for f in ("source", "left", "right", "group") if hasattr(item, f)]
    return found


def _has_top(node: Node) -> bool:
    while isinstance(node, (Restrict, Top)):
        if isinstance(node, Top):
            return True
        node = node.source
    return False


def _deletable(conn: Any, node: Node, doomed: set[tuple[str, str]]) -> Node:
    """``node`` as a plain restriction of its table, safe to evaluate while ``doomed`` tables lose rows.

    A condition that reads a table whose rows are deleted first (``(Subject & Review).delete()``
    deletes Review's rows before Subject's), or a ``dj.Top``, would select different rows
    by the time it runs: its keys are fetched once, before anything is deleted, and the
    table is restricted by those values.
    """
    if isinstance(node, TableRef):
        return node
    conditions_read = _tables_in(node) - {(_base_of(node).schema, _base_of(node).table)}
    if not _has_top(node) and not (conditions_read & doomed):
        return node
    from .expression import QueryExpression

    base = _base_of(node)
    keys = QueryExpression(node, conn).keys()
    return Restrict(base, make_condition(base.heading, keys))


def _base_of(node: Node) -> Node:
    while isinstance(node, (Restrict, Top)):
        node = node.source
    return node


def cascade_plan(table: Any, part_integrity: str = "enforce") -> list[tuple[tuple[str, str], Node]]:
    """``[(table key, restricted node)]`` for the seed and all its descendants, parents first.

    With ``part_integrity="cascade"``, the masters of every part row the cascade reaches are
    deleted too (their keys fetched before anything is deleted), with all their parts and
    descendants, until no further master is reached.
    """
    conn = table.connection
    graph = state_of(conn).graph
    seed = (table.database, table.table_name)
    doomed = set(graph.nodes) if part_integrity == "cascade" else set(graph.descendants(seed))
    seeds: dict[tuple[str, str], list] = {seed: [_deletable(conn, table._node, doomed)]}
    plan = _plan(conn, seeds)
    if part_integrity != "cascade":
        return plan
    from .expression import QueryExpression

    taken: dict[tuple[str, str], set] = {}
    while True:
        grown = False
        for key, node in plan:
            if tier_of_table_name(key[1]) != "Part":
                continue
            master = (key[0], master_of(key[1]))
            if master not in graph.nodes:
                continue
            heading = state_of(conn).schema(master[0]).heading(master[1])
            pk = list(heading.primary_key)
            rows = QueryExpression(Project(node, tuple(ProjItem(k, k) for k in pk)), conn).to_dicts()
            new = [r for r in rows if tuple(r[k] for k in pk) not in taken.setdefault(master, set())]
            if not new:
                continue
            taken[master].update(tuple(r[k] for k in pk) for r in new)
            ref = TableRef(master[0], master[1], heading)
            seeds.setdefault(master, []).append(Restrict(ref, make_condition(heading, new)))
            grown = True
        if not grown:
            return plan
        plan = _plan(conn, seeds)


def _plan(conn: Any, seeds: dict[tuple[str, str], list]) -> list[tuple[tuple[str, str], Node]]:
    """Every seed and its descendants, parents first, each restricted by its own seed nodes OR-ed with
    the rows that reference its parents' restricted rows."""
    state = state_of(conn)
    graph = state.graph
    wanted: set[tuple[str, str]] = set()
    for key in seeds:
        wanted.update(graph.descendants(key))
    restricted: dict[tuple[str, str], list] = {}
    plan = []
    for key in graph.topological(wanted):
        ref = TableRef(key[0], key[1], state.schema(key[0]).heading(key[1]))
        own = seeds.get(key, [])
        through = [_through_fk(ref, parent_node, edge) for parent_node, edge in restricted.get(key, [])]
        if len(own) == 1 and not through:
            node = own[0]
        else:
            node = Restrict(ref, disjunction([_condition_of(n) for n in own] + through))
        plan.append((key, node))
        for edge in graph.children(key):
            restricted.setdefault(edge.child, []).append((node, edge))
    return plan


def _condition_of(node: Node):
    """The condition a restricted table node (a chain of restrictions, or the table) selects its rows by."""
    if isinstance(node, TableRef):
        return TRUE
    return _and_chain(node)


def _through_fk(child: TableRef, parent: Node, edge) -> Any:
    """The child's rows that reference the parent's (restricted) rows."""
    items = tuple(ProjItem(c, p) for c, p in edge.attr_map.items())
    return semijoin(child.heading, Project(parent, items))


def delete_cascade(table: Any, *, transaction: bool = True, prompt: bool | None = None,
                   part_integrity: str = "enforce") -> int:
    if part_integrity not in _PART_INTEGRITY:
        raise ValueError(f"part_integrity must be one of {_PART_INTEGRITY}; got {part_integrity!r}.")
    conn = table.connection
    if table._tier == "Part" and part_integrity == "enforce":
        raise DataJointError(
            f"Cannot delete from the part table {type(table).__name__} alone: delete from its master, "
            "or pass part_integrity='ignore' (or 'cascade' to delete the masters too)."
        )
    # with "cascade", the masters of the part rows reached go too, with all their parts (also when the seed is a
    # part); the count returned is still the seed's
    seed = (table.database, table.table_name)
    ask = _safemode(prompt)
    plan = cascade_plan(table, part_integrity)
    if ask:
        if conn.in_transaction:
            raise DataJointError("Cannot prompt for a delete inside an ongoing transaction: pass prompt=False.")
        for key, node in plan:
            from .expression import QueryExpression

            n = len(QueryExpression(node, conn))
            if n:
                logger.info("About to delete %s: %d rows", conn.dialect.full_name(*key), n)
                print(f"About to delete {conn.dialect.full_name(*key)}: {n} rows")
    own = transaction and not conn.in_transaction
    # objects of the deleted rows are deleted once the deletion commits (in a user's transaction: at its commit)
    doomed = DoomedObjects(conn, state_of(conn))
    if own:
        conn.start_transaction()
    try:
        counts = {}
        for key, node in reversed(plan):
            doomed.note(node)
            counts[key] = _delete_node(conn, node)
        _check_part_integrity(counts, part_integrity)
        deleted = counts.get(seed, 0)
        if own:
            if deleted == 0:
                conn.cancel_transaction()
                logger.info("Nothing to delete.")
                return 0
            if ask and not _ask("Commit deletes?"):
                conn.cancel_transaction()
                print("Deletes cancelled.")
                return 0
            conn.commit_transaction()
        conn.after_commit(doomed.release)
        return deleted
    except BaseException:
        if own and conn.in_transaction:
            conn.cancel_transaction()
        raise


def _check_part_integrity(counts: dict, part_integrity: str) -> None:
    if part_integrity != "enforce":
        return
    for (schema, name), n in counts.items():
        if n and tier_of_table_name(name) == "Part":
            master = (schema, master_of(name))
            if master in counts and counts[master] == 0 or master not in counts:
                raise DataJointError(
                    f"Deleting would remove rows of the part table `{name}` without its master `{master[1]}`: "
                    "delete from the master instead, or pass part_integrity='ignore' or 'cascade'."
                )


# --------------------------------------------------------------------------- drop
def drop_quick(table: Any) -> None:
    conn = table.connection
    state = state_of(conn)
    st = state.schema(table.database)
    if not st.has_table(table.table_name):
        logger.info("Table %s does not exist: nothing to drop.", table.full_table_name)
        return
    statements = compile_drop_table(conn.dialect, table.database, table.table_name)
    doomed = DoomedObjects(conn, state)
    doomed.note(TableRef(table.database, table.table_name, st.heading(table.table_name)))
    conn.run_ddl(statements + _lineage_cleanup(conn, table.database, table.table_name, st))
    state.invalidate(table.database)
    doomed.release()


def _lineage_cleanup(conn: Any, schema: str, table: str, st) -> list[str]:
    if not st.has_table(LINEAGE_TABLE):
        return []
    return [compile_clear_lineage_literal(conn.dialect, schema, table)]


def drop_tables(table: Any, *, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
    if part_integrity == "cascade":
        raise ValueError("drop does not accept part_integrity='cascade'.")
    if table.is_restricted:
        raise DataJointError("A restricted table cannot be dropped: drop the table class itself.")
    if table._tier == "Part" and part_integrity == "enforce":
        raise DataJointError(f"Cannot drop the part table {type(table).__name__} alone: drop its master, "
                             "or pass part_integrity='ignore'.")
    conn = table.connection
    if conn.in_transaction:
        raise DataJointError("Tables cannot be dropped inside a transaction.")
    state = state_of(conn)
    keys = state.graph.descendants((table.database, table.table_name))
    if part_integrity == "enforce":
        for schema, name in keys:
            if tier_of_table_name(name) == "Part" and (schema, master_of(name)) not in keys:
                raise DataJointError(f"Dropping would remove the part table `{name}` without its master; drop the master.")
    if _safemode(prompt):
        from .expression import QueryExpression

        for s, t in keys:
            ref = TableRef(s, t, state.schema(s).heading(t))
            print(f"{conn.dialect.full_name(s, t)} ({len(QueryExpression(ref, conn))} rows)")
        if not _ask("Proceed?"):
            print("Drop cancelled.")
            return
    for s, t in reversed(keys):
        st = state.schema(s)
        doomed = DoomedObjects(conn, state)
        doomed.note(TableRef(s, t, st.heading(t)))
        conn.run_ddl(compile_drop_table(conn.dialect, s, t) + _lineage_cleanup(conn, s, t, st))
        state.invalidate(s)
        doomed.release()
    logger.info("Tables dropped. Restart kernel.")

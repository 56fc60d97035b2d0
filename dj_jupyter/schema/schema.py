"""``dj.Schema``: a database schema as a class decorator that declares tables.

``@schema`` binds a table class to the schema, creates its table if missing (DDL all
or nothing), writes its lineage, then does the same for its part tables and fills a
Lookup table's ``contents``.
"""

from __future__ import annotations

import inspect
import logging
import types
from typing import Any

from ..definition.parser import parse_definition
from ..errors import DataJointError
from ..sql.ddl import compile_create_schema, compile_create_table, compile_drop_schema, compile_drop_table
from ..sql.lineage import compile_clear_lineage, compile_insert_lineage
from .catalog_state import LINEAGE_TABLE, state_of
from .declare import lineage_spec, resolve_definition
from .naming import table_name_for, tier_of_table_name, to_camel
from .table import FreeTable

__all__ = ["Schema", "VirtualModule", "list_schemas", "virtual_schema"]

logger = logging.getLogger("dj_jupyter")


def _config():
    from ..settings import config

    return config


class Schema:
    """A database schema; decorate table classes with it to declare their tables.

    Examples
    --------
    >>> import dj_jupyter as dj
    >>> schema = dj.Schema("doc_example")  # doctest: +SKIP
    """

    def __init__(self, schema_name: str | None = None, context: dict | None = None, *, connection: Any = None,
                 create_schema: bool = True, create_tables: bool | None = None, add_objects: dict | None = None) -> None:
        self.database: str | None = None
        self.context = context
        self._connection = connection
        self.create_schema = create_schema
        self.create_tables = create_tables
        self.add_objects = add_objects or {}
        self._queue: list[tuple[type, dict | None]] = []
        self._bound: dict[str, type] = {}  # table name -> the class bound to it through this schema
        if schema_name is not None:
            self.activate(schema_name, connection=connection, create_schema=create_schema, create_tables=create_tables)

    # ------------------------------------------------------------------ activation
    def activate(self, schema_name: str | None = None, *, connection: Any = None, create_schema: bool | None = None,
                 create_tables: bool | None = None, add_objects: dict | None = None) -> None:
        if schema_name is None:
            if self.database is None:
                raise DataJointError("Schema.activate needs a schema name.")
            return
        if self.database is not None:
            if self.database != schema_name:
                raise DataJointError(f"Schema is already activated as `{self.database}`; cannot activate as `{schema_name}`.")
            return
        if connection is not None:
            self._connection = connection
        if create_schema is not None:
            self.create_schema = create_schema
        if create_tables is not None:
            self.create_tables = create_tables
        self.add_objects.update(add_objects or {})
        if self._connection is None:
            from ..connection import conn

            self._connection = conn()
        c = self._connection
        if len(schema_name) > c.dialect.max_name_length or not schema_name.replace("_", "a").isalnum():
            raise DataJointError(f"Invalid schema name {schema_name!r}: use letters, digits and underscores.")
        if not c.catalog.schema_exists(schema_name):
            if not self.create_schema:
                raise DataJointError(f"Schema `{schema_name}` has not yet been declared. Create it or pass create_schema=True.")
            for statement in compile_create_schema(c.dialect, schema_name):
                c.query(statement)
        self.database = schema_name
        state_of(c).schema(schema_name)
        queued, self._queue = self._queue, []
        for cls, ctx in queued:
            self._bind(cls, ctx)

    def is_activated(self) -> bool:
        return self.database is not None

    @property
    def connection(self) -> Any:
        return self._connection

    @property
    def exists(self) -> bool:
        if self.database is None:
            raise DataJointError("Schema is not activated.")
        return self.connection.catalog.schema_exists(self.database)

    def _state(self):
        return state_of(self.connection).schema(self.database)

    # ------------------------------------------------------------------ the decorator
    def __call__(self, cls: type, *, context: dict | None = None) -> type:
        if issubclass(cls, _part_class()):
            raise DataJointError("Part tables are declared with their master: nest the Part class inside the master class.")
        if context is None and self.context is None:
            frame = inspect.currentframe().f_back
            context = {**frame.f_globals, **frame.f_locals}
            del frame
        ctx = {**(context or self.context or {}), **self.add_objects}
        if self.database is None:
            self._queue.append((cls, ctx))
        else:
            self._bind(cls, ctx)
        return cls

    def _bind(self, cls: type, context: dict) -> None:
        tier = _tier_of(cls)
        cls._table_name = table_name_for(cls.__name__, tier)
        self._bind_one(cls, {**context, cls.__name__: cls, "self": cls}, tier)
        for name, member in list(vars(cls).items()):
            if name[:1].isupper() and isinstance(member, type) and issubclass(member, _part_class()):
                member._master = cls
                member._table_name = table_name_for(member.__name__, "Part", cls._table_name)
                self._bind_one(member, {**context, cls.__name__: cls, "master": cls, "self": member}, "Part")
        if tier == "Lookup":
            self._fill_contents(cls)

    def add_part(self, master: type, part: type, *, context: dict | None = None) -> type:
        """Declare ``part`` (a ``dj.Part`` subclass) as a part table of the already declared ``master``.

        Used where the part is written after its master (e.g. in a later notebook cell);
        the part becomes the attribute ``master.<PartName>``.
        """
        if not (isinstance(part, type) and issubclass(part, _part_class())):
            raise DataJointError(f"{getattr(part, '__name__', part)!r} is not a dj.Part subclass.")
        if getattr(master, "database", None) != self.database or master._table_name is None:
            raise DataJointError(f"The master {master.__name__} must be declared in schema `{self.database}` first.")
        if context is None:
            frame = inspect.currentframe().f_back
            context = {**frame.f_globals, **frame.f_locals}
            del frame
        setattr(master, part.__name__, part)
        part._master = master
        part._table_name = table_name_for(part.__name__, "Part", master._table_name)
        self._bind_one(part, {**context, master.__name__: master, "master": master, "self": part}, "Part")
        return part

    def _bind_one(self, cls: type, context: dict, tier: str) -> None:
        self._bound[cls._table_name] = cls
        cls.database = self.database
        cls._connection = self.connection
        cls.declaration_context = context
        state = self._state()
        create = self.create_tables if self.create_tables is not None else _config()["database.create_tables"]
        if not state.has_table(cls._table_name):
            if not create:
                raise DataJointError(f"Table `{self.database}`.`{cls._table_name}` does not exist and create_tables is off.")
            self._declare(cls, context, tier)
        elif cls.definition and isinstance(cls.definition, str):
            self._heal_lineage(cls, context, tier)
        if cls.definition and "Table definition:" not in (cls.__doc__ or ""):
            cls.__doc__ = (cls.__doc__ or "") + "\nTable definition:\n\n" + cls.definition

    def _declare(self, cls: type, context: dict, tier: str) -> None:
        c = self.connection
        if c.in_transaction:
            raise DataJointError("Cannot declare new tables inside a transaction.")
        if not isinstance(cls.definition, str) or not cls.definition.strip() and tier != "Part":
            raise DataJointError(f"Table class {cls.__name__} needs a `definition` string to be declared.")
        tdef = parse_definition(cls.definition, table=cls.__name__)
        cfg = _config()
        decl = resolve_definition(
            tdef, schema=self.database, table=cls._table_name, tier=tier, context=context, class_name=cls.__name__,
            add_job_metadata=bool(cfg["jobs.add_job_metadata"]), add_provenance=bool(cfg["provenance.capture"]),
            allow_new_pk_in_computed=bool(cfg["jobs.allow_new_pk_fields_in_computed_tables"]), dialect=c.dialect,
        )
        state = self._state()
        lineage_ddl = [] if state.has_table(LINEAGE_TABLE) else compile_create_table(c.dialect, lineage_spec(self.database))
        table_ddl = compile_create_table(c.dialect, decl.spec)
        lineage_rows = [(cls._table_name, attr, origin) for attr, origin in decl.lineage.items()]
        try:
            _execute_declaration(c, lineage_ddl, table_ddl, self.database, cls._table_name, lineage_rows)
        finally:
            state_of(c).invalidate(self.database)

    def _heal_lineage(self, cls: type, context: dict, tier: str) -> None:
        """An existing table whose key attributes have no lineage gets it from its definition (DataJoint 2.3).

        Tables declared before lineage existed (or by other tools) become joinable under
        the semantic check.  Best effort: a definition that no longer resolves only warns.
        """
        state = self._state()
        heading = state.heading(cls._table_name)
        if all(heading[k].lineage is not None for k in heading.primary_key):
            return
        c = self.connection
        try:
            tdef = parse_definition(cls.definition, table=cls.__name__)
            decl = resolve_definition(tdef, schema=self.database, table=cls._table_name, tier=tier, context=context,
                                      class_name=cls.__name__, allow_new_pk_in_computed=True)
        except DataJointError as error:
            logger.warning("Lineage of `%s`.`%s` is missing and could not be rebuilt from the definition: %s",
                           self.database, cls._table_name, error)
            return
        existing = set(heading.names) | set(heading.hidden_names)
        rows = [(cls._table_name, a, origin) for a, origin in decl.lineage.items() if a in existing]
        lineage_ddl = [] if state.has_table(LINEAGE_TABLE) else compile_create_table(c.dialect, lineage_spec(self.database))
        try:
            _write_lineage(c, lineage_ddl, self.database, cls._table_name, rows)
        finally:
            state_of(c).invalidate(self.database)

    def _fill_contents(self, cls: type) -> None:
        contents = getattr(cls, "contents", None)
        if not contents:
            return
        rows = list(contents)
        table = cls()
        if len(table) >= len(rows):
            return
        if any(a.autoincrement for a in table.heading.attributes.values()):
            logger.warning("Lookup %s has auto_increment: contents are not inserted automatically.", cls.__name__)
            return
        heading = table.heading
        rows = [r if hasattr(r, "keys") else dict(zip(heading.names, r)) for r in rows]
        table.insert(rows, skip_duplicates=True)

    # ------------------------------------------------------------------ other API
    def drop(self, prompt: bool | None = None) -> None:
        if self.database is None:
            raise DataJointError("Schema is not activated.")
        c = self.connection
        if not c.catalog.schema_exists(self.database):
            logger.info("Schema `%s` does not exist: nothing to drop.", self.database)
            return
        ask = prompt if prompt is not None else _config()["safemode"]
        if ask and input(f"Proceed to delete entire schema `{self.database}`? [yes, No]: ").strip().lower() not in ("yes", "y"):
            return
        tables = list(reversed(self._drop_order()))
        doomed = self._note_objects(tables)
        c.run_ddl(compile_drop_schema(c.dialect, self.database, tables))
        state_of(c).forget(self.database)
        doomed.release()  # objects follow their rows: the schema's objects go with it

    def _note_objects(self, tables: list[str]) -> Any:
        from ..codecs.lifecycle import DoomedObjects
        from ..query.nodes import TableRef

        state = state_of(self.connection)
        st = state.schema(self.database)
        doomed = DoomedObjects(self.connection, state)
        for t in tables:
            if not t.startswith("~") and st.has_table(t):
                doomed.note(TableRef(self.database, t, st.heading(t)))
        return doomed

    def _drop_order(self) -> list[str]:
        """All tables of this schema (service tables included), parents first."""
        c = self.connection
        names = list(c.catalog.table_infos(self.database))
        fks = [fk for fk in c.catalog.foreign_keys([self.database]) if fk.parent_schema == self.database]
        from .dependencies import Dependencies

        graph = Dependencies([(self.database, n) for n in names], fks)
        return [t for s, t in graph.topological() if s == self.database]

    def list_tables(self) -> list[str]:
        st = state_of(self.connection)
        st.schema(self.database)
        return [t for s, t in st.graph.topological() if s == self.database and not t.startswith("~")]

    def get_table(self, name: str) -> FreeTable:
        state = self._state()
        candidates = [name] if state.has_table(name) else []
        if not candidates:
            from .naming import to_snake

            try:
                snake = to_snake(name)
            except DataJointError:
                snake = name
            candidates = [p + snake for p in ("", "#", "_", "__") if state.has_table(p + snake)]
        if not candidates:
            raise DataJointError(f"Table {name!r} not found in schema `{self.database}`; it has: {', '.join(self.list_tables())}.")
        return FreeTable(self.connection, f"{self.database}.{candidates[0]}")

    __getitem__ = get_table

    def __contains__(self, name: str) -> bool:
        try:
            self.get_table(name)
            return True
        except DataJointError:
            return False

    def __iter__(self):
        return iter(FreeTable(self.connection, f"{self.database}.{t}") for t in self.list_tables())

    @property
    def jobs(self) -> list:
        """The jobs tables (``dj.Job``) of this schema's auto-populated tables whose ``~~`` table exists.

        Tables declared or bound through this schema object give their own class; the
        others get a class made from the catalog (as ``make_classes`` would).
        """
        state = self._state()
        names = [t for t in self.list_tables()
                 if tier_of_table_name(t) in ("Imported", "Computed") and state.has_table("~~" + t.lstrip("_"))]
        missing = [t for t in names if t not in self._bound]
        made = {cls._table_name: cls for cls in _classes_for(self, missing, dict(self.context or {})).values()} if missing else {}
        return [(self._bound.get(t) or made[t]).jobs for t in names]

    @property
    def lineage(self) -> dict[str, str]:
        return {f"{self.database}.{t}.{a}": v for t, attrs in self._state().lineage.items() for a, v in attrs.items()}

    @property
    def lineage_table_exists(self) -> bool:
        return self._state().has_table(LINEAGE_TABLE)

    def make_classes(self, into: dict | None = None) -> None:
        if into is None:
            into = self.context if self.context is not None else inspect.currentframe().f_back.f_locals
        for cls in _classes_for(self, [t for t in self.list_tables()], into).values():
            if cls.__name__ not in into:
                into[cls.__name__] = cls

    def __repr__(self) -> str:
        return f"Schema `{self.database}`"


def _classes_for(schema: Schema, tables: list[str], context: dict) -> dict[str, type]:
    """Tier classes for existing tables (parts attached to their masters).

    ``context`` becomes their declaration context, so that ``describe()`` names parents
    as the module holding the classes does.
    """
    from .naming import master_of

    tiers = _tiers()
    classes: dict[str, type] = {}
    by_table: dict[str, type] = {}
    for t in tables:
        tier = tier_of_table_name(t)
        if tier is None:
            continue
        base = tiers[tier]
        if tier == "Part":
            master = by_table.get(master_of(t))
            if master is None:
                continue
            name = to_camel(t[len(master._table_name) + 2:])
            cls = type(name, (base,), {"__module__": schema.database, "definition": ""})
            cls._master = master
            setattr(master, name, cls)
        else:
            cls = type(to_camel(t), (base,), {"__module__": schema.database, "definition": ""})
            classes[cls.__name__] = cls
        cls._table_name = t
        cls.database = schema.database
        cls._connection = schema.connection
        cls.declaration_context = context
        by_table[t] = cls
    return classes


def _execute_declaration(c: Any, lineage_ddl: list[str], table_ddl: list[str], schema: str, table: str,
                         lineage_rows: list[tuple]) -> None:
    """Create the table (and ``~lineage`` if new) and write its lineage rows: all or nothing.

    Where DDL is transactional (PostgreSQL, SQLite) one transaction does it.  MySQL commits
    each DDL statement, so on failure the tables created here are dropped again.
    """
    d = c.dialect
    # rows left by a table of this name dropped outside dj_jupyter must not survive
    clear = compile_clear_lineage(d, schema)
    insert = compile_insert_lineage(d, schema)
    if d.supports_transactional_ddl:
        with c.transaction:
            for s in lineage_ddl + table_ddl:
                c.query(s)
            c.query(clear, (table,))
            for row in lineage_rows:
                c.query(insert, row)
        return
    created: list[str] = []
    try:
        for s in lineage_ddl:
            c.query(s)
        created += [LINEAGE_TABLE] if lineage_ddl else []
        for s in table_ddl:  # one CREATE TABLE on MySQL, indexes inline
            c.query(s)
        created.append(table)
        c.query(clear, (table,))
        for row in lineage_rows:
            c.query(insert, row)
    except BaseException:
        _undo_declaration(c, schema, table, created)
        raise


def _write_lineage(c: Any, lineage_ddl: list[str], schema: str, table: str, rows: list[tuple]) -> None:
    """Replace the lineage rows of an existing table (creating ``~lineage`` first if needed)."""
    d = c.dialect
    clear = compile_clear_lineage(d, schema)
    insert = compile_insert_lineage(d, schema)
    if not d.supports_transactional_ddl:
        for s in lineage_ddl:  # MySQL commits DDL: create the service table before the transaction
            c.query(s)
        lineage_ddl = []
    with c.transaction:
        for s in lineage_ddl:
            c.query(s)
        c.query(clear, (table,))
        for row in rows:
            c.query(insert, row)


def _undo_declaration(c: Any, schema: str, table: str, created: list[str]) -> None:
    d = c.dialect
    try:
        if LINEAGE_TABLE not in created and table in created:
            c.query(compile_clear_lineage(d, schema), (table,))
        for name in reversed(created):
            for statement in compile_drop_table(d, schema, name, if_exists=True):
                c.query(statement)
    except Exception:  # the original error matters more; say what may be left behind
        logger.exception("Could not undo the failed declaration of `%s`.`%s`; check the schema for leftovers.", schema, table)


def _tiers() -> dict[str, type]:
    from .table import TIER_BASES

    return TIER_BASES


def _part_class() -> type:
    from .tiers import Part

    return Part


def _tier_of(cls: type) -> str:
    tier = getattr(cls, "_tier", None)
    if tier not in ("Manual", "Lookup", "Imported", "Computed"):
        raise DataJointError(
            f"{cls.__name__} must subclass a table tier: dj.Manual, dj.Lookup, dj.Imported or dj.Computed."
        )
    return tier


def list_schemas(connection: Any = None) -> list[str]:
    if connection is None:
        from ..connection import conn

        connection = conn()
    return connection.catalog.list_schemas()


class VirtualModule(types.ModuleType):
    """A module whose namespace holds ``schema`` and a class for each table of an existing schema."""

    def __init__(self, module_name: str, schema_name: str, *, create_schema: bool = False, create_tables: bool = False,
                 connection: Any = None, add_objects: dict | None = None) -> None:
        super().__init__(module_name)
        schema = Schema(schema_name, connection=connection, create_schema=create_schema, create_tables=create_tables)
        if add_objects:
            self.__dict__.update(add_objects)
        self.__dict__["schema"] = schema
        schema.make_classes(into=self.__dict__)


def virtual_schema(schema_name: str, *, connection: Any = None, create_schema: bool = False, create_tables: bool = False,
                   add_objects: dict | None = None) -> VirtualModule:
    return VirtualModule(schema_name, schema_name, connection=connection, create_schema=create_schema,
                         create_tables=create_tables, add_objects=add_objects)

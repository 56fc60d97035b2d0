"""What queries remember: compiled statements, pages, projections and column decoders.

Nodes and headings are immutable, so the SQL compiled for a node and the decoders built
for a heading are kept with them (the preview's first page pays no compile).  These tests
pin that a remembered value is never a stale one: new pages, changed tables, codecs
defined again and mutated results all show the database's truth.
"""

from __future__ import annotations

import pickle

import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.registry import unregister_codec
from dj_jupyter.errors import DataJointError
from dj_jupyter.sql.compiler import compile_select


@pytest.fixture
def schema(connection, schema_name):
    return dj.Schema(schema_name, connection=connection)


@pytest.fixture
def Item(schema):
    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        label : varchar(16)
        weight : float64
        """

    Item.insert([{"item_id": i, "label": f"l{i:03d}", "weight": i / 2} for i in range(40)])
    return Item


def test_pages_are_the_database_rows_for_each_offset(Item):
    seen = []
    for offset in (0, 10, 20, 10, 0, 30):  # pages revisited: remembered statements, same rows
        page = Item.page(limit=10, offset=offset)
        assert [r["item_id"] for r in page] == list(range(offset, offset + 10))
        seen.append(page)
    assert seen[1] == seen[3] and seen[0] == seen[4]
    desc = Item.page(limit=3, order_by="weight DESC")
    assert [r["item_id"] for r in desc] == [39, 38, 37]


def test_the_same_page_and_projection_are_the_same_node(Item):
    assert Item.proj("label")._node is Item.proj("label")._node
    assert Item.proj("label")._node is not Item.proj("weight")._node
    assert Item.proj(w="weight")._node is Item.proj(w="weight")._node
    q = Item & "weight > 5"
    assert q._query("KEY", 5, 5) is q._query("KEY", 5, 5)
    assert q._query(["label DESC"], 5, 0) is q._query(["label DESC"], 5, 0)
    assert q._query(["label DESC"], 5, 0) is not q._query(["label"], 5, 0)


def test_a_remembered_statement_hands_out_its_own_parameters(Item):
    q = Item & {"item_id": 7}
    sql, params = compile_select(q.connection.dialect, q._node)
    params.append("junk")  # a caller changing its list must not change the next compile
    again_sql, again = compile_select(q.connection.dialect, q._node)
    assert again_sql == sql and again == params[:-1]
    assert q.to_dicts() == [{"item_id": 7, "label": "l007", "weight": 3.5}]


def test_unhashable_arguments_still_get_their_errors(Item):
    with pytest.raises(DataJointError, match="Projection attributes must be strings"):
        Item.proj(["label"])
    with pytest.raises(DataJointError, match="order_by"):
        Item.to_dicts(order_by=[["label"]], limit=2)


def test_rows_inserted_and_deleted_after_a_page_show_on_the_next(Item):
    assert len(Item.page(limit=100)) == 40
    Item.insert1({"item_id": 100, "label": "new", "weight": 1.0})
    (Item & "item_id < 10").delete_quick()
    page = Item.page(limit=100)
    assert [r["item_id"] for r in page] == list(range(10, 40)) + [100]


def test_a_table_declared_again_is_read_with_its_new_heading(schema, Item):
    assert set(Item.page(limit=1)[0]) == {"item_id", "label", "weight"}
    Item.drop_quick()

    @schema
    class Item(dj.Manual):  # noqa: F811 - the same table, declared again with other columns
        definition = """
        item_id : int32
        ---
        colour : varchar(8)
        """

    Item.insert1({"item_id": 1, "colour": "red"})
    assert Item.page(limit=5) == [{"item_id": 1, "colour": "red"}]
    assert Item.proj("colour").to_dicts() == [{"item_id": 1, "colour": "red"}]


def test_a_codec_defined_again_decodes_the_next_fetch(schema):
    def define(suffix):
        class Tagged(dj.Codec):
            name = "memo_tagged"

            def get_dtype(self, is_store):
                return "json"

            def encode(self, value, *, key=None):
                return {"v": value}

            def decode(self, stored, *, key=None):
                return f"{stored['v']}{suffix}"

        return Tagged

    define("-first")
    try:
        @schema
        class Note(dj.Manual):
            definition = """
            note_id : int32
            ---
            body : <memo_tagged>
            """

        Note.insert1({"note_id": 1, "body": "hi"})
        assert Note.to_dicts() == [{"note_id": 1, "body": "hi-first"}]
        assert Note.page(limit=1)[0]["body"] == "hi-first"
        define("-second")  # re-running the notebook cell with a changed class replaces the codec
        assert Note.to_dicts() == [{"note_id": 1, "body": "hi-second"}]
        assert Note.page(limit=1)[0]["body"] == "hi-second"
    finally:
        unregister_codec("memo_tagged")


def test_headings_pickle_without_their_memo(Item):
    Item.to_dicts(limit=1)  # fills the heading's memo with decoders (closures do not pickle)
    heading = Item.heading
    copy = pickle.loads(pickle.dumps(heading))
    assert copy == heading and copy.names == heading.names and copy.memo == {}


def test_columns_that_are_all_null_are_returned_as_null_beside_decoded_ones(schema):
    @schema
    class Mixed(dj.Manual):
        definition = """
        m_id : int32
        ---
        first = null : <blob>
        doc = null : json
        last = null : <blob>
        """

    Mixed.insert([{"m_id": 1, "doc": {"a": 1}}, {"m_id": 2, "doc": {"b": [2]}}])
    assert Mixed.to_dicts() == [{"m_id": 1, "first": None, "doc": {"a": 1}, "last": None},
                                {"m_id": 2, "first": None, "doc": {"b": [2]}, "last": None}]
    Mixed.insert1({"m_id": 3, "last": [1, 2, 3]})
    rows = Mixed.to_dicts(order_by="m_id DESC", limit=2)
    assert rows[0]["doc"] is None and rows[0]["first"] is None and list(rows[0]["last"]) == [1, 2, 3]
    assert rows[1]["doc"] == {"b": [2]} and rows[1]["last"] is None
    frame = Mixed.to_pandas()
    assert frame["first"].isna().all() and frame.loc[1, "doc"] == {"a": 1}

"""What a million-record import or resolution leans on, without a database: ids minted in bulk have
``new_id``'s shape, the importer's CSV cells mean what neo4j-admin reads (an unquoted empty cell is no
property, a quoted one an empty text), and the settled heap is handed back to the collector."""

from __future__ import annotations

import gc
import os
import re
import uuid
from datetime import date
from pathlib import Path

import pytest

from core.heap import settling_heap
from core.ids import IdMinter, new_id
from services.initial_import import _CsvFile


def test_ids_minted_in_bulk_have_the_shape_of_new_id() -> None:
    mint = IdMinter("R", batch=16)
    ids = [mint() for _ in range(100)]  # several refills
    shape = re.compile(r"R[0-9A-F]{32}")
    assert all(shape.fullmatch(i) for i in ids) and shape.fullmatch(new_id("R"))
    assert len(set(ids)) == len(ids)
    for minted in ids:
        parsed = uuid.UUID(minted[1:])
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def _written(
    tmp_path: Path, rows: list[list[object]], quoted: tuple[list[object], ...] = ()
) -> tuple[str, _CsvFile]:
    csv_file = _CsvFile(tmp_path, "T", ["a", "b", "c"])
    for row in rows:
        csv_file.write(row)
    for row in quoted:
        csv_file.write_quoted(row)
    csv_file.close()
    return csv_file.group.parts[0].read_text(encoding="utf-8"), csv_file


def test_cells_are_quoted_where_needed_and_none_is_no_property(tmp_path: Path) -> None:
    text, written = _written(
        tmp_path,
        [
            ["R1", None, "plain"],
            ["R2", '杭州 "文三路" 5号, 2单元', date(1990, 1, 2)],
            ["R3", 1, "a;b"],
            ["R4", True, 'say "hi"'],
        ],
    )
    assert text.splitlines() == [
        "R1,,plain",
        'R2,"杭州 ""文三路"" 5号, 2单元",1990-01-02',
        "R3,1,a;b",
        'R4,true,"say ""hi"""',
    ]
    assert written.rows == 4 and not written.multiline


def test_a_list_cell_is_joined_before_it_is_written(tmp_path: Path) -> None:
    csv_file = _CsvFile(tmp_path, "T", ["a", "b", "c"])
    try:
        with pytest.raises(TypeError, match="joined"):
            csv_file.write(["R1", ["a", "b"], None])
    finally:
        csv_file.close()


def test_a_row_with_an_empty_text_is_written_quoted_so_the_text_stays(tmp_path: Path) -> None:
    text, written = _written(tmp_path, [["R1", "", None]], quoted=(["D1", True, ["x", "y"]],))
    assert text.splitlines() == ['"R1","",', '"D1","true","x;y"']
    assert written.rows == 2


def test_a_line_break_in_a_cell_marks_the_file_multiline(tmp_path: Path) -> None:
    text, written = _written(tmp_path, [["R1", "two\nlines", None], ["R2", "x", "y"]])
    assert text == 'R1,"two\nlines",\nR2,x,y\n'
    assert written.multiline and written.rows == 2


def test_the_settled_heap_goes_back_to_the_collector() -> None:
    gc.unfreeze()
    kept = []
    with settling_heap() as settle:
        kept.append([object() for _ in range(10)])
        settle()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0 and kept


def test_a_heap_frozen_before_stays_frozen() -> None:
    """A process that froze its start-up heap (the API) keeps it out of full collections after a block."""
    gc.freeze()
    try:
        with settling_heap() as settle:
            settle()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_forked_process_does_not_draw_its_parents_pool() -> None:
    mint = IdMinter("R", batch=64)
    mint()  # the pool is filled in the parent
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it draws next
        os.write(writer, mint().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    child = os.read(reader, 64).decode()
    os.close(reader)
    assert child and child != mint()

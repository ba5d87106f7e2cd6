"""A PDF written object by object (export/pdf_writer.py): read back by qpdf as written."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name, String

from publisher.export.pdf_writer import BATCH, Copier, Ref, Writer, encode
from publisher.export.xref import png_up


def _none(value: object) -> bytes:
    raise AssertionError("no source object here")


def _written(count: int) -> bytes:
    """A one-page PDF with `count` small dictionaries hung from the catalog, an unfiltered
    content stream and an XMP stream."""
    buffer = io.BytesIO()
    writer = Writer(buffer, "1.7")
    catalog, pages, page = writer.allocate(), writer.allocate(), writer.allocate()
    content, metadata = writer.allocate(), writer.allocate()
    items = [writer.allocate() for _ in range(count)]
    for position, number in enumerate(items):
        entry = {"/N": position, "/T": String(f"Escena «{position}»"), "/R": 0.5, "/Z": None}
        writer.put(number, encode(entry, _none))
    writer.put_stream(content, {}, b"BT /F1 12 Tf 72 720 Td (Hola) Tj ET", _none)
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    writer.put_stream(metadata, {"/Type": Name.Metadata, "/Subtype": Name.XML}, xmp, _none)
    mediabox = [0, 0, 420, 595]
    page_entries = {"/Type": Name.Page, "/Parent": Ref(pages), "/MediaBox": mediabox}
    writer.put(page, encode({**page_entries, "/Contents": Ref(content)}, _none))
    writer.put(pages, encode({"/Type": Name.Pages, "/Kids": [Ref(page)], "/Count": 1}, _none))
    catalog_entries = {"/Type": Name.Catalog, "/Pages": Ref(pages), "/Metadata": Ref(metadata)}
    items_entry = {"/Items": [Ref(number) for number in items]}
    writer.put(catalog, encode({**catalog_entries, **items_entry}, _none))
    writer.finish({"/Root": Ref(catalog), "/ID": [String("a" * 32), String("b" * 32)]})
    return buffer.getvalue()


def test_objects_are_packed_in_object_streams_and_read_back(tmp_path: Path) -> None:
    data = _written(2 * BATCH + 7)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        items = pdf.Root.Items
        assert [int(item.N) for item in items] == list(range(2 * BATCH + 7))
        assert str(items[-1].T) == f"Escena «{2 * BATCH + 6}»"
        assert pdf.pages[0].Contents.read_bytes() == b"BT /F1 12 Tf 72 720 Td (Hola) Tj ET"
        assert pdf.pages[0].Contents.Filter == Name.FlateDecode  # compressed here
        assert "/Filter" not in pdf.Root.Metadata  # XMP left readable
    assert data.count(b"/Type /ObjStm") == 3
    if shutil.which("qpdf"):
        path = tmp_path / "written.pdf"
        path.write_bytes(data)
        check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_number_given_but_never_written_is_an_error() -> None:
    writer = Writer(io.BytesIO(), "1.7")
    catalog, forgotten = writer.allocate(), writer.allocate()
    writer.put(catalog, encode({"/Type": Name.Catalog}, _none))
    with pytest.raises(ValueError, match=f"objects numbered but not written: \\[{forgotten}\\]"):
        writer.finish({"/Root": Ref(catalog)})


def test_a_copier_writes_what_a_source_object_names_once() -> None:
    source = pikepdf.new()
    shared = source.make_indirect(pikepdf.Dictionary(Kind=Name.Shared))
    first = source.make_indirect(pikepdf.Dictionary(Next=shared, Own=pikepdf.Array([shared])))
    buffer = io.BytesIO()
    writer = Writer(buffer, "1.7")
    catalog, pages = writer.allocate(), writer.allocate()
    copier = Copier(writer, {})
    entries = {"/Type": Name.Catalog, "/Pages": Ref(pages), "/First": copier.encode(first)}
    copier.drain()
    writer.put(catalog, encode(entries, _none))
    writer.put(pages, encode({"/Type": Name.Pages, "/Kids": [], "/Count": 0}, _none))
    writer.finish({"/Root": Ref(catalog)})
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        copied = pdf.Root.First
        assert copied.Next.Kind == Name.Shared
        assert copied.Own[0].objgen == copied.Next.objgen
        assert int(pdf.trailer.Size) == 1 + 4 + 2  # free head, 4 objects, object stream, xref


def test_the_cross_reference_stream_is_predicted_and_small() -> None:
    """The cross-reference rows go through the PNG Up predictor before Flate, as qpdf writes
    them: qpdf reads the file back (every object where the rows say), and the stream stays
    under a byte per object (without the predictor: about 5 bytes per object)."""
    count = 20 * BATCH
    data = _written(count)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert [int(item.N) for item in pdf.Root.Items] == list(range(count))
        xref = pdf.trailer  # the cross-reference stream's dictionary is the trailer
        assert int(xref.DecodeParms.Predictor) == 12
    start = data.rindex(b"/Type /XRef")
    length = int(data[data.index(b"/Length ", start) + 8 :].split(maxsplit=1)[0].rstrip(b">"))
    assert length < count, length


def test_the_up_predictor_subtracts_each_byte_from_the_one_above_mod_256() -> None:
    """png_up subtracts all bytes at once (one integer): the same as byte by byte, borrows
    included (0x00 - 0xff, 0x80 - 0x7f, …)."""
    columns = 5
    rows = bytes((index * 151 + (index // 7) * 89) % 256 for index in range(columns * 400))
    rows += bytes([0, 0x80, 0xFF, 0x7F, 1]) + bytes([0xFF, 0x7F, 0, 0x80, 0xFE])
    expected = bytearray()
    above = bytes(columns)
    for start in range(0, len(rows), columns):
        row = rows[start : start + columns]
        expected += b"\x02" + bytes((byte - up) % 256 for byte, up in zip(row, above, strict=True))
        above = row
    assert png_up(rows, columns) == bytes(expected)


def test_the_writer_keeps_a_few_bytes_per_object_written() -> None:
    """Between objects the writer keeps their cross-reference entries only, as arrays by number
    (issue 17: a dict of tuples held ~190 bytes an object, 45 MB at 1,000 reviews); a
    segment's table starts at its range's first number (no bytes for the numbers below)."""
    import tracemalloc

    count = 30_000
    writer = Writer(io.BytesIO(), None, 1 << 20)
    numbers = [writer.allocate() for _ in range(count)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in numbers:
            writer.put(number, b"null")
        del number
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 24 * count, f"{kept / count:.0f} bytes per object"
    segment = writer.segment()
    assert [n for n, _, _ in segment.packed] == numbers
    assert {stream for _, stream, _ in segment.packed} == set(
        range((1 << 20) + count, (1 << 20) + count + count // BATCH)
    )

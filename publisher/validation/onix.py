"""ONIX for Books records checked against EDItEUR's XML schema, by onixcheck (the one module
that imports it): the release is read from the record, the matching XSD is the package's."""

from __future__ import annotations

import io


class _Named(io.BytesIO):
    """onixcheck names each message by the file's `name`: a record in memory gets one."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def check_onix(data: bytes, name: str = "onix.xml") -> tuple[str, ...]:
    """The schema's complaints about the record `data` (UTF-8 XML bytes), each as onixcheck
    words it: `ERROR - SCHEMASV - <name>:<line>:<column> - <message>`; () when valid. Never
    raises: a record that is not XML is one message."""
    from onixcheck import validate  # and isbnlib: only when a record is checked, not per build

    return tuple(message.short for message in validate(_Named(data, name)))

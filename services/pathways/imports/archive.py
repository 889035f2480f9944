"""An uploaded XLSX checked before openpyxl opens it, so that reading it takes bounded memory.

An XLSX is a zip of XML parts. openpyxl decompresses them, builds a tree of some parts whole
(styles, workbook, content types), keeps every shared string, and builds each sheet row in full
before handing it over. So before it runs, the archive's directory is checked (entries, total
size, compression ratio: a zip bomb is refused unopened), then every part is streamed once through
expat, which keeps nothing: a part may not declare a DOCTYPE (entities), hold a text or an
attribute longer than an Excel cell, a sheet more than `MAX_LINES` rows nor a row more than
`MAX_ROW_NODES` elements and attributes, and the parts together no more than `MAX_NODES` outside
rows. What openpyxl then holds at once is bounded by these figures, whatever the file.
"""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

from services.pathways.imports.rows import FileProblem

MAX_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100  # an XLSX compresses about 10 times; a zip bomb, a thousand
RATIO_FROM_BYTES = 1024 * 1024  # below this, a part is too small to matter whatever its ratio
MAX_LINES = 100_000  # rows of a sheet, blank ones included (the reader stops there too)
MAX_ROW_NODES = 16_384  # elements and attributes of one row: Excel's 16,384 columns
MAX_NODES = 250_000  # elements and attributes outside rows, all parts together
MAX_TEXT = 32_767  # characters of a text or an attribute: Excel's limit for a cell
CHUNK = 64 * 1024


def check(content: bytes) -> None:
    """Refuse, with the reason in French, an archive that could not be read in bounded memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            _check_directory(entries)
            scan = _Scan()
            for entry in entries:
                scan.part(archive, entry)
    except FileProblem:
        raise
    except Exception as error:  # a damaged, encrypted or foreign zip: the file is refused
        raise FileProblem(f"Classeur XLSX illisible ({type(error).__name__}).") from None


def thousands(n: int) -> str:
    """20 000, as French writes it."""
    return f"{n:_}".replace("_", " ")


def _refused(reason: str) -> FileProblem:
    return FileProblem(f"Classeur XLSX refusé : {reason} (voir le guide d'intégration).")


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} Mio"


def _check_directory(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise _refused(f"plus de {thousands(MAX_ENTRIES)} parties dans l'archive")
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise _refused(f"plus de {_mib(MAX_UNPACKED_BYTES)} une fois décompressé")
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise _refused(
                f"la partie {entry.filename} se décompresse plus de {MAX_RATIO} fois "
                "(archive piégée ?)"
            )


class _Scan:
    """Counts while expat reads each part; raises FileProblem as soon as a limit is passed."""

    def __init__(self) -> None:
        self.nodes = 0  # outside rows, every part
        self.rows = 0  # of the current part
        self.row_depth = 0  # depth of the row being read, 0 outside rows
        self.row_nodes = 0
        self.depth = 0
        self.text = 0

    def part(self, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
        """Stream one part through expat; a part that is not XML (an image) is left alone:
        openpyxl parses none of those, and what of it parsed before the error was counted."""
        self.rows = self.row_depth = self.depth = self.text = 0
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        with archive.open(entry) as source:
            try:
                while chunk := source.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except expat.ExpatError:
                return

    def _doctype(self, *_) -> None:
        raise _refused("déclaration DOCTYPE ou d'entité interdite")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.text = 0
        nodes = 1 + len(attributes)
        if any(len(value) > MAX_TEXT for value in attributes.values()):
            raise _refused(f"un attribut de plus de {MAX_TEXT} caractères")
        if self.row_depth:
            self.row_nodes += nodes
            if self.row_nodes > MAX_ROW_NODES:
                raise _refused(f"une ligne de plus de {thousands(MAX_ROW_NODES)} éléments")
        elif name.rpartition(" ")[2] == "row":
            self.rows += 1
            if self.rows > MAX_LINES:
                raise _refused(f"une feuille de plus de {thousands(MAX_LINES)} lignes")
            self.row_depth, self.row_nodes = self.depth, nodes
        else:
            self.nodes += nodes
            if self.nodes > MAX_NODES:
                raise _refused("trop d'éléments hors des lignes (styles, textes partagés…)")

    def _end(self, _name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1
        self.text = 0

    def _characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > MAX_TEXT:
            raise _refused(f"un texte de plus de {MAX_TEXT} caractères")

"""Reading a PDF answer back in tests (pypdf): its text, pages, media box, metadata and fonts."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader

# A4 in PostScript points (210 × 297 mm at 72 / 25.4), as WeasyPrint writes it.
A4 = (595.28, 841.89)


@dataclass
class Font:
    name: str
    embedded: bool


@dataclass
class ReadPdf:
    reader: PdfReader
    text: str
    pages: int

    @property
    def title(self) -> str:
        meta = self.reader.metadata
        return str(meta.title) if meta and meta.title else ""

    @property
    def author(self) -> str:
        meta = self.reader.metadata
        return str(meta.author) if meta and meta.author else ""

    def page_sizes(self) -> list[tuple[float, float]]:
        return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in self.reader.pages]

    def fonts(self) -> list[Font]:
        seen: dict[str, Font] = {}
        for page in self.reader.pages:
            for font in _page_fonts(page):
                seen.setdefault(font.name, font)
        return list(seen.values())


def _page_fonts(page: Any) -> Iterator[Font]:
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptors = [font.get("/FontDescriptor")]
        for child in font.get("/DescendantFonts") or []:  # Type0 (CID) fonts: CJK
            descriptors.append(child.get_object().get("/FontDescriptor"))
        embedded = any(
            d is not None and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            for d in descriptors
        )
        yield Font(str(font.get("/BaseFont", "")), embedded)


def read_pdf(content: bytes) -> ReadPdf:
    assert content.startswith(b"%PDF-"), content[:200]
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return ReadPdf(reader=reader, text=text, pages=len(reader.pages))


class _Refuse:
    """A meta-path finder that fails the import of weasyprint the way a server without it does."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise self.exc


@contextlib.contextmanager
def without_weasyprint(exc: BaseException | None = None) -> Iterator[None]:
    """While inside, `import weasyprint` fails: with ImportError (not installed) by default, or with
    `exc` (cffi's OSError "cannot load library 'libpango-1.0-0'" when pango is missing)."""
    from yinling.core import pdf

    saved = {n: m for n, m in sys.modules.items() if n == "weasyprint" or n.startswith("weasyprint.")}
    for name in saved:
        del sys.modules[name]
    finder = _Refuse(exc or ImportError("No module named 'weasyprint'"))
    sys.meta_path.insert(0, finder)  # type: ignore[arg-type]
    pdf._weasyprint.cache_clear()
    try:
        yield
    finally:
        sys.meta_path.remove(finder)  # type: ignore[arg-type]
        sys.modules.update(saved)
        pdf._weasyprint.cache_clear()

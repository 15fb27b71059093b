r"""Rich Text Format (RTF) for the report's tables: the format sponsors submit.

:meth:`ReportTable.to_rtf <rctkit.tables.ReportTable.to_rtf>` and
:meth:`ReportDocument.to_rtf <rctkit.tables.ReportDocument.to_rtf>` write through this
module; :class:`RtfPage` holds what a sponsor's template sets once for every output: the
paper and its orientation, the margins, the font and its size, and the running page header
and footer ("Page X of Y").

What the writer does:

- it lays out the pages itself: a table too long for one page continues on the next under
  its titles, its header row and its footnotes again. The header row is also marked
  ``\trhdr``, which Word honours, but LibreOffice 7.4 ignores it on import (a file of
  LibreOffice's own RTF export loses its repeated header the same way), and a reviewer may
  open the file in either. The lines of a page are estimated from the font size (a
  character 0.6 em wide, Courier's advance, a line 1.25 em high), with room to spare;
- no row splits across pages (``\trkeep``), and the rows of a group (a system organ class
  and its preferred terms) move to the next page together when they fit there;
- the page header and footer are on every page, with ``{page}`` and ``{pages}`` as the PAGE
  and NUMPAGES fields;
- each column is as wide as its longest word at least, and as its longest cell when the
  line has room (see :meth:`ReportTable.to_rtf <rctkit.tables.ReportTable.to_rtf>` for
  widths of one's own);
- every label goes through :func:`~rctkit.formatting.escape_rtf`, so that the file is 7-bit
  ASCII, a brace or a backslash in a label stays text, and non-ASCII such as the Lancet's
  middle dot ("0·66") survives as ``\uN``.

Why rctkit writes RTF itself rather than through rtflite (the pharmaverse's Python RTF
composer), measured on 2026-12-06 with rtflite 2.6.0 (Python 3.11, two shared cores):

- rtflite passes ``\ { }`` in cell text through unescaped: the label ``a}{\b bold} \par X``
  closes its group, and LibreOffice then drops every body row of the table from the PDF (the
  text becomes RTF control words). Characters beyond U+FFFF are written as one wrong
  ``\u`` code. rctkit's cells are labels a user gives (arms, outcomes, MedDRA terms), so
  they must be escaped, and rtflite has no switch for that.
- Installing it adds polars (with its 170 MB runtime), pydantic and pydantic-core: about
  194 MB, for a writer of a few hundred lines.
- It takes about ten times as long: 0.47 s to encode a table of 1,000 rows and four
  columns (plus 0.2 s to import polars and pydantic) against 0.05 s here, and 1.05 s
  against 0.09 s on a busier machine (``python -m benchmarks.bench_rtf``).
- ReportTable has one header row, so rtflite's multi-row headers and column groups would not
  be used.

References
----------
Microsoft, *Rich Text Format (RTF) Specification*, version 1.9.1 (2008): table rows
(``\trowd``, ``\trhdr``, ``\trkeep``, ``\cellx``), paragraph formatting (``\keepn``),
headers and footers, fields (``PAGE``, ``NUMPAGES``), and Unicode (``\uN``).
"""

from __future__ import annotations

import math
import operator
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import attrs

from rctkit._validation import check_choice, check_real
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_rtf, one_line

__all__ = ["PAPER_SIZES", "RtfPage"]


class Table(Protocol):
    """What the writer reads of a table (a :class:`rctkit.tables.ReportTable`)."""

    @property
    def caption(self) -> str: ...
    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...


class Document(Protocol):
    """What the writer reads of a document (a :class:`rctkit.tables.ReportDocument`)."""

    @property
    def title(self) -> str: ...
    @property
    def subtitle(self) -> str: ...
    @property
    def tables(self) -> Sequence[Table]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...


#: The paper sizes :class:`RtfPage` knows, as (width, height) in inches, portrait.
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "letter": (8.5, 11.0),
    "a4": (8.27, 11.69),
}

_TWIPS = 1440  # per inch
_GAP = 72  # twips of padding on each side of a cell's text (\\trgaph)
#: The advance of a character as a fraction of the font size: 0.6 em is Courier's, and
#: above the average of the proportional fonts, so that the estimate of wrapped lines errs
#: long.
_CHAR_EM = 0.6
#: The height of a line as a multiple of the font size, with room to spare.
_LINE_EM = 1.25
_PAGE_FIELDS = {
    escape_rtf("{page}"): r"{\field{\*\fldinst PAGE}{\fldrslt 1}}",
    escape_rtf("{pages}"): r"{\field{\*\fldinst NUMPAGES}{\fldrslt 1}}",
}


def _line(value: Any, name: str) -> tuple[str, str]:
    if isinstance(value, str):
        return (value, "")
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, str) for v in value)
    ):
        return (value[0], value[1])
    raise InvalidInputError(
        f"`{name}` lines must each be a str or a (left, right) pair of str (got {value!r})"
    )


def _lines(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"`{name}` must be a sequence of lines (got {type(value).__name__})"
        )
    return tuple(_line(v, name) for v in value)


def _header(value: Any) -> tuple[tuple[str, str], ...]:
    return _lines(value, "header")


def _footer(value: Any) -> tuple[tuple[str, str], ...]:
    return _lines(value, "footer")


def _font(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or not value.isascii():
        raise InvalidInputError(f"`font` must be a non-empty ASCII font name (got {value!r})")
    if any(c in value for c in ";{}\\") or not value.isprintable():
        raise InvalidInputError(
            f"`font` must not contain ; {{ }} \\ or control characters (got {value!r})"
        )


@attrs.frozen
class RtfPage:
    """The page of an RTF output: paper, orientation, margins, font, running header and footer.

    Parameters
    ----------
    orientation : {"portrait", "landscape"}, optional
        Landscape turns the paper; the default is portrait.
    paper : {"letter", "a4"}, optional
        The paper size (see :data:`PAPER_SIZES`); the default is US letter.
    margin : float, optional
        Every margin, in inches, from 0.25 to 2 (default 1).
    font : str, optional
        The font of the whole output (default "Courier New", the fixed-width font of most
        sponsors' templates); ASCII, without ``; { } \\``.
    font_size : float, optional
        In points, a multiple of 0.5 from 4 to 72 (default 9).
    header, footer : sequence, optional
        The running lines at the top and bottom of every page. Each is a str (set left) or a
        (left, right) pair of str (the right part set flush right). ``{page}`` and
        ``{pages}`` in them become the page number and the number of pages. By default there
        is no header and the footer is "Page {page} of {pages}" on the right.

    Raises
    ------
    InvalidInputError
        If an option is outside its set or range, or a line is not a str or a pair.

    Examples
    --------
    >>> page = RtfPage(orientation="landscape", header=[("Study CORE", "Table 14.3.1")])
    >>> page.text_width
    9.0
    """

    orientation: str = attrs.field(default="portrait")
    paper: str = attrs.field(default="letter")
    margin: float = attrs.field(default=1.0)
    font: str = attrs.field(default="Courier New", validator=_font)
    font_size: float = attrs.field(default=9.0)
    header: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_header)
    footer: tuple[tuple[str, str], ...] = attrs.field(
        default=(("", "Page {page} of {pages}"),), converter=_footer
    )

    @orientation.validator
    def _check_orientation(self, attribute: attrs.Attribute[Any], value: object) -> None:
        check_choice(value, "orientation", ("portrait", "landscape"))

    @paper.validator
    def _check_paper(self, attribute: attrs.Attribute[Any], value: object) -> None:
        check_choice(value, "paper", tuple(PAPER_SIZES))

    @margin.validator
    def _check_margin(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if not 0.25 <= check_real(value, "margin") <= 2:
            raise InvalidInputError(f"`margin` must be from 0.25 to 2 inches (got {value!r})")

    @font_size.validator
    def _check_size(self, attribute: attrs.Attribute[Any], value: object) -> None:
        size = check_real(value, "font_size")
        if not 4 <= size <= 72 or (2 * size) % 1:
            raise InvalidInputError(
                f"`font_size` must be a multiple of 0.5 points from 4 to 72 (got {value!r})"
            )

    @property
    def size(self) -> tuple[float, float]:
        """The paper's (width, height) in inches, as oriented."""
        width, height = PAPER_SIZES[self.paper]
        return (height, width) if self.orientation == "landscape" else (width, height)

    @property
    def body_lines(self) -> int:
        """How many lines of text fit between the margins, less the running header and
        footer (each with a blank line), estimated with room to spare."""
        height = (self.size[1] - 2 * self.margin) * 72
        lines = math.floor(height / (_LINE_EM * self.font_size))
        return lines - len(self.header) - len(self.footer) - 2

    @property
    def text_width(self) -> float:
        """The width between the margins, in inches."""
        return round(self.size[0] - 2 * self.margin, 4)


def _twips(inches: float) -> int:
    return round(inches * _TWIPS)


def _fields(escaped: str) -> str:
    for placeholder, field in _PAGE_FIELDS.items():
        escaped = escaped.replace(placeholder, field)
    return escaped


def _para(page: RtfPage, text: str, *, align: str = "ql", extra: str = "") -> str:
    """One paragraph of already escaped ``text``."""
    return rf"\pard\plain\{align}{extra}\f0\fs{round(2 * page.font_size)} {text}\par" + "\n"


def _running(page: RtfPage, lines: tuple[tuple[str, str], ...], kind: str) -> str:
    if not lines:
        return ""
    stop = rf"\tqr\tx{_twips(page.text_width)}"
    body = "".join(
        _para(
            page, _fields(escape_rtf(left)) + (r"\tab " + _fields(escape_rtf(right))), extra=stop
        )
        if right
        else _para(page, _fields(escape_rtf(left)))
        for left, right in lines
    )
    return "{\\" + kind + "\n" + body + "}\n"


def _widths(table: Table, column_widths: Any, page: RtfPage) -> list[float]:
    n = len(table.columns)
    if column_widths is None:
        return _natural_widths(table, page)
    if isinstance(column_widths, str | bytes) or not isinstance(column_widths, Iterable):
        raise InvalidInputError(
            f"`column_widths` must be a sequence of numbers (got {column_widths!r})"
        )
    widths = [check_real(w, "column_widths") for w in column_widths]
    if len(widths) != n or any(w <= 0 for w in widths):
        raise InvalidInputError(
            f"`column_widths` must be {n} positive numbers, one per column (got {widths!r})"
        )
    return widths


def _natural_widths(table: Table, page: RtfPage) -> list[float]:
    """In twips: each column gets its longest word (so that no word breaks) and its padding,
    then its longest cell where the line has room for every column's (else its longest cell
    below the header; else that for every column but the first, whose labels wrap; else the
    body's cells to 40 characters, so that one long column does not take the line), or a
    share of the rest of the line in proportion to how much more it wishes."""
    char = _CHAR_EM * page.font_size * 20
    columns = list(zip(table.columns, *table.rows, strict=True))
    words = [max(len(w) for c in col for w in (one_line(c).split() or [""])) for col in columns]
    least = [max(w, 2) + 0.5 for w in words]
    extra = _twips(page.text_width) / char - 2 * _GAP / char * len(columns) - sum(least)
    # the first of these that fits: every cell whole; the body's cells whole (a header
    # wraps at its spaces); the body's cells to 40 characters
    body = [max(len(one_line(c)) for c in col[1:] or [""]) for col in columns]
    whole = [max(b, len(one_line(col[0]))) for b, col in zip(body, columns, strict=True)]
    tiers = (
        whole,
        body,
        # the labels (first column) wrap at their spaces, the numbers stay whole
        [0, *body[1:]],
        [min(b, 40) for b in body],
    )
    for cells in tiers:
        wish = [max(c + 0.5, m) for c, m in zip(cells, least, strict=True)]
        if sum(wish) - sum(least) <= extra:
            break
    spare = sum(wish) - sum(least)
    share = 0.0 if extra <= 0 or spare <= 0 else min(1.0, extra / spare)
    widths = [m + share * (w - m) for m, w in zip(least, wish, strict=True)]
    # room left over goes to the labels (the first column), up to their longest cell
    left = extra - share * spare
    if left > 0:
        widths[0] = min(max(whole[0] + 0.5, widths[0]), widths[0] + left)
    return [w * char + 2 * _GAP for w in widths]


def _group_starts(table: Table, group_starts: Any) -> set[int]:
    """The rows that begin a group: given, or each row whose first cell is not indented."""
    if group_starts is None:
        return {i for i, r in enumerate(table.rows) if not r[0][:1].isspace()}
    if isinstance(group_starts, str | bytes) or not isinstance(group_starts, Iterable):
        raise InvalidInputError(
            f"`group_starts` must be None or a sequence of row indices (got {group_starts!r})"
        )
    out = set()
    for value in group_starts:
        try:
            i = operator.index(value)
        except TypeError:
            raise InvalidInputError(
                f"`group_starts` must hold row indices (got {value!r})"
            ) from None
        if isinstance(value, bool) or not 0 <= i < len(table.rows):
            raise InvalidInputError(
                f"`group_starts` must hold row indices from 0 to {len(table.rows) - 1} "
                f"(got {value!r})"
            )
        out.add(i)
    return out


def _texts(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(f"`{name}` must be a sequence of str (got {value!r})")
    out = tuple(value)
    for v in out:
        if not isinstance(v, str):
            raise InvalidInputError(f"`{name}` must hold str (got {v!r})")
    return out


def _cell_lines(text: str, chars: int) -> int:
    """How many lines ``text`` takes in a cell ``chars`` characters wide, wrapped at spaces."""
    return max(1, len(textwrap.wrap(text, chars, break_on_hyphens=False))) if text else 1


def table_body(
    table: Table,
    page: RtfPage,
    *,
    titles: Sequence[str] | None = None,
    footnotes: Sequence[str] = (),
    column_widths: Sequence[float] | None = None,
    group_starts: Sequence[int] | None = None,
    above: int = 0,
) -> tuple[str, int]:
    """The RTF of one table without the document around it, in pages: on each page the
    titles (by default the caption), the header row, as many rows as fit (a group moved
    whole to the next page when it fits there), then the notes and ``footnotes``.

    ``above`` is the number of lines already on the current page; the table starts a new
    page when its titles, header, notes and first group do not fit under them. Returns the
    RTF and the number of lines on its last page."""
    titles = tuple(t for t in ((table.caption,) if titles is None else _texts(titles, "titles")))
    titles = tuple(t for t in titles if t)
    notes = (*table.notes, *_texts(footnotes, "footnotes"))
    weights = _widths(table, column_widths, page)
    starts = _group_starts(table, group_starts) | {0}
    total = _twips(page.text_width)
    edges, acc = [], 0.0
    for w in weights:
        acc += w
        edges.append(round(total * acc / sum(weights)))
    spans = [b - a for a, b in zip([0, *edges[:-1]], edges, strict=True)]
    chars = [max(1, int((w - 2 * _GAP) / (_CHAR_EM * page.font_size * 20))) for w in spans]
    line_chars = int(total / (_CHAR_EM * page.font_size * 20))
    size = round(2 * page.font_size)
    rule = r"\brdrs\brdrw10"

    def row(cells: Sequence[str], *, head: bool, last: bool) -> str:
        borders = (rf"\clbrdrt{rule}\clbrdrb{rule}" if head else "") + (
            rf"\clbrdrb{rule}" if last and not head else ""
        )
        define = r"\trowd\trgaph72\trleft0\trkeep" + (r"\trhdr" if head else "")
        define += "".join(f"{borders}\\clvertalb\\cellx{e}" for e in edges)
        body = "".join(
            rf"\pard\plain\intbl\{'ql' if j == 0 else 'qc' if head else 'qr'}\f0\fs{size}"
            + (r"\b " if head else " ")
            + escape_rtf(c)
            + r"\cell"
            for j, c in enumerate(cells)
        )
        return define + "\n" + body + "\n" + define + r"\row" + "\n"

    def lines(cells: Sequence[str]) -> int:
        return max(_cell_lines(one_line(c), n) for c, n in zip(cells, chars, strict=True))

    def block(texts: Sequence[str]) -> int:
        return sum(_cell_lines(one_line(t), line_chars) for t in texts)

    # the lines of a page left for rows, after the titles, the header row and the notes
    fixed = block(titles) + lines(table.columns) + block(notes) + 1
    room = max(page.body_lines - fixed, 1)
    groups: list[list[int]] = []
    for i in range(len(table.rows)):
        if i in starts:
            groups.append([])
        groups[-1].append(i)
    first = sum(lines(table.rows[i]) for i in groups[0]) if groups else 0
    fresh = above > 0 and above + fixed + min(first, room) > page.body_lines
    if fresh:
        above = 0
    pages: list[list[int]] = [[]]
    used = 0
    cap = max(room - above, 1)
    for group in groups:
        need = sum(lines(table.rows[i]) for i in group)
        if used and used + need > cap and need <= room:
            pages.append([])
            used, cap = 0, room
        for i in group:
            n = lines(table.rows[i])
            if used and used + n > cap:
                pages.append([])
                used, cap = 0, room
            pages[-1].append(i)
            used += n
    out = []
    for k, chunk in enumerate(pages):
        # a page break before the page's first paragraph (LibreOffice drops a \page that
        # follows a table directly); without titles, an empty paragraph carries it
        new_page = k > 0 or fresh
        if new_page and not titles:
            out.append(_para(page, "", extra=r"\pagebb"))
        out += [
            _para(page, escape_rtf(t), align="qc", extra=r"\keepn\b" + (r"\pagebb" * first))
            for first, t in zip([new_page] + [False] * len(titles), titles, strict=False)
        ]
        out.append(row(table.columns, head=True, last=not chunk))
        out += [row(table.rows[i], head=False, last=i == chunk[-1]) for i in chunk]
        out += [_para(page, escape_rtf(note)) for note in notes]
    last = fixed + used + (above if len(pages) == 1 else 0)
    return "".join(out), last


def _whole(table: Table, page: RtfPage) -> bool:
    """Whether every cell of ``table`` fits on one line of ``page``'s text width."""
    char = _CHAR_EM * page.font_size * 20
    columns = list(zip(table.columns, *table.rows, strict=True))
    need = sum(max(len(one_line(c)) for c in col) + 0.5 for col in columns) * char
    return need + 2 * _GAP * len(columns) <= _twips(page.text_width)


def check_page(page: Any, tables: Sequence[Table] = ()) -> RtfPage:
    """``page``; for None, ``RtfPage()``, or landscape (at 8 points, or 7 where 8 would
    still wrap) when a table of ``tables`` (an adverse-event table with rates, say) would
    wrap its cells in portrait. Anything else is refused."""
    if page is None:
        portrait = RtfPage()
        if all(_whole(t, portrait) for t in tables):
            return portrait
        for size in (8.0, 7.0):
            landscape = RtfPage(orientation="landscape", font_size=size)
            if all(_whole(t, landscape) for t in tables):
                break
        return landscape
    if not isinstance(page, RtfPage):
        raise InvalidInputError(f"`page` must be None or an RtfPage (got {type(page).__name__})")
    return page


def rtf_file(page: RtfPage, body: str) -> str:
    """A whole RTF file: the font table, the page set-up, the running header and footer
    around ``body``."""
    width, height = page.size
    margin = _twips(page.margin)
    paper = rf"\paperw{_twips(width)}\paperh{_twips(height)}"
    margins = rf"\margl{margin}\margr{margin}\margt{margin}\margb{margin}"
    landscape = page.orientation == "landscape"
    section = rf"\sectd\pgwsxn{_twips(width)}\pghsxn{_twips(height)}" + (
        r"\lndscpsxn" if landscape else ""
    )
    section += rf"\marglsxn{margin}\margrsxn{margin}\margtsxn{margin}\margbsxn{margin}"
    section += rf"\headery{margin // 2}\footery{margin // 2}"
    return (
        r"{\rtf1\ansi\ansicpg1252\deff0\uc1" + "\n"
        rf"{{\fonttbl{{\f0\fmodern\fcharset0 {page.font};}}}}"
        + "\n"
        + paper
        + margins
        + (r"\landscape" if landscape else "")
        + "\n"
        + section
        + "\n"
        + _running(page, page.header, "header")
        + _running(page, page.footer, "footer")
        + body
        + "}\n"
    )


def document_body(document: Document, page: RtfPage) -> str:
    """The RTF of a whole report: the title and subtitle, each table, then the notes."""
    line_chars = int(_twips(page.text_width) / (_CHAR_EM * page.font_size * 20))
    heads = [t for t in (document.title, document.subtitle) if t]
    out = [_para(page, escape_rtf(document.title), align="qc", extra=r"\keepn\b")]
    if document.subtitle:
        out.append(_para(page, escape_rtf(document.subtitle), align="qc", extra=r"\keepn"))
    used = sum(_cell_lines(one_line(t), line_chars) for t in heads)
    for table in document.tables:
        out.append(_para(page, "", extra=r"\keepn"))
        text, used = table_body(table, page, above=used + 1)
        out.append(text)
    if document.notes:
        out.append(_para(page, ""))
    out += [_para(page, escape_rtf(note)) for note in document.notes]
    return "".join(out)

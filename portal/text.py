"""Text as people send it, made safe to keep: one cleaning for every text field (portal.forms)
and for every cell the portal exports (portal.exports).

What goes: C0 control characters except tab and line breaks, DEL and the C1 controls, lone
surrogates, and U+FFFE/U+FFFF. None of them is typed by anyone; they arrive by copy and paste
or from hostile clients, PostgreSQL refuses NUL, and XML (an XLSX workbook) cannot hold most of
them: a title like "路灯\\x0b不亮" once made every ledger export fail.
"""

from __future__ import annotations

import re

# The characters no text of ours keeps (tab, line feed and carriage return are handled below).
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LINE_BREAK = re.compile("\r\n?")
SINGLE_LINE_BREAKS = re.compile("[\t\n]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` without control characters. Multi-line text keeps tabs and line breaks (as "\\n");
    single-line text gets a space for each, so "路灯\\n不亮" does not run words together."""
    value = LINE_BREAK.sub("\n", UNWANTED.sub("", value))
    return value if multiline else SINGLE_LINE_BREAKS.sub(" ", value)

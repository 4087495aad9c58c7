"""Text that is shown to other people: what is removed from a name so it reads as what it is.

A name or department from the HRIS file appears in a manager's DM, a mentor's introduction and
HR's App Home. A character that is not shown but changes how the text around it reads (a
right-to-left override, a zero-width joiner between Latin letters) would let it read as
something else there, or pass for another person's name; ``visible_text`` takes those out.
"""

from __future__ import annotations

import unicodedata

# Characters that are not shown but change how the text around them is shown, or hide that two
# names differ: bidirectional embeddings and overrides (U+202A to U+202E) and isolates (U+2066 to
# U+2069), zero-width spaces, joiners and direction marks (U+200B to U+200F), the word joiner and
# invisible operators (U+2060 to U+2064), the Arabic letter mark, the Mongolian vowel separator
# and a byte order mark inside the text. A name holding U+202E reads backwards from there on, in
# every message that shows it; these are removed from names and departments at import.
INVISIBLE_CHARACTERS = frozenset(
    chr(code)
    for first, last in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069))
    for code in range(first, last + 1)
) | {"\u061c", "\u180e", "\ufeff"}

# The zero-width non-joiner and joiner are part of how some scripts are spelt: a Persian name
# such as "Mohammad\u200cReza" needs the non-joiner, and Indic scripts use both to pick a letter
# form. Between two letters of such a script they stay; anywhere else (between Latin letters, where
# "E\u200dli" would pass for "Eli") they go with the rest.
_JOINERS = frozenset({"\u200c", "\u200d"})
_JOINING_SCRIPTS = (
    (0x0600, 0x06FF),  # Arabic (Persian, Urdu ...)
    (0x0750, 0x077F),  # Arabic Supplement
    (0x08A0, 0x08FF),  # Arabic Extended-A
    (0x0900, 0x0DFF),  # Devanagari to Sinhala
    (0xFB50, 0xFDFF),  # Arabic presentation forms A
    (0xFE70, 0xFEFE),  # Arabic presentation forms B
)


def _joins_letters(before: str, after: str) -> bool:
    def joining(character: str) -> bool:
        is_letter_or_mark = unicodedata.category(character)[0] in "LM"  # a virama is a mark
        return is_letter_or_mark and any(low <= ord(character) <= high for low, high in _JOINING_SCRIPTS)

    return joining(before) and joining(after)


def visible_text(value: str) -> str:
    """``value`` without ``INVISIBLE_CHARACTERS`` and the spaces they may have hidden at its ends.

    Why: a name is shown to other people (a manager's DM, a mentor's introduction, HR's Home),
    and an override in it would make it read as something else there, or pass for another
    person's name. The one exception is a joiner between two letters of a script that spells
    with it (``_JOINING_SCRIPTS``).
    """
    kept = [
        character
        for index, character in enumerate(value)
        if character not in INVISIBLE_CHARACTERS
        or (
            character in _JOINERS
            and 0 < index < len(value) - 1
            and _joins_letters(value[index - 1], value[index + 1])
        )
    ]
    return "".join(kept).strip()

"""Suggestions for a mistyped name ("did you mean ...?"): the known names closest to it, by edit distance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# A word this long or longer may be a misspelling of another spelling of a name (`Rusia`: `Russia`, RUS).
_NEAR_SPELLING = 5


def distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`; past `limit`, `limit + 1`."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            cost = 0 if x == y else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], before[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def closest(word: str, known: Iterable[str], *, aliases: Mapping[str, str] | None = None, most: int = 3) -> list[str]:
    """The known names nearest to `word` (all those equally near, at most `most`); none when nothing is near.

    Near means: the same but for case, or within about a third of the word's
    length in edits (at least one, at most four). A word that is, or is near,
    another spelling of a name (`aliases`, keyed in lower case: `russia` for
    `RUS`) stands for that name. A dotted name with nothing that near gets the
    nearest name of the same family (`arms.buy`: `arms.acquire`), and a word
    alone a dotted name ending in it (`acquire`: `arms.acquire`).
    """
    folded = word.casefold()
    names = {name for name in known if name and name != word}
    limit = max(1, min(4, len(word) // 3))
    found: dict[str, int] = {}

    def near(name: str, spelling: str) -> None:
        """Count `name` as found when `spelling` (of it) is near the word."""
        edits = 0 if spelling == folded else distance(folded, spelling, limit)
        # A name is not near a word it shares nothing with (`a` is not near `c`).
        if edits <= limit and (edits < len(word) or edits == 0):
            found[name] = min(found.get(name, edits), edits)

    for name in names:
        near(name, name.casefold())
    for spelling, name in (aliases or {}).items():
        # Short spellings (`uk`, `us`) are near too many short words to say anything when not exact.
        if name != word and (spelling == folded or len(word) >= _NEAR_SPELLING):
            near(name, spelling)
    if not found and "." in word:
        family, _, rest = folded.rpartition(".")
        for name in names:
            head, _, tail = name.casefold().rpartition(".")
            if head == family:
                found[name] = distance(rest, tail)
    if not found and "." not in word:
        for name in names:
            if name.casefold().rpartition(".")[2] == folded and "." in name:
                found[name] = 1
    if not found:
        return []
    best = min(found.values())
    return sorted(name for name, edits in found.items() if edits == best)[:most]


def did_you_mean(word: str, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """`did you mean 'x'?` (or `'x' or 'y'`); empty when nothing is near."""
    names = closest(word, known, aliases=aliases)
    if not names:
        return ""
    return "did you mean " + " or ".join(f"'{name}'" for name in names) + "?"


def hint(message: str, word: str, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """`message`, followed by `; did you mean 'x'?` when a known name is near `word`."""
    found = did_you_mean(word, known, aliases)
    return f"{message}; {found}" if found else message

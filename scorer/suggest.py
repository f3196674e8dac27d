"""Suggestions for a mistyped name ("did you mean ...?"): the known names closest to it, by edit distance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


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
    """The known names nearest to `word`, nearest first (ties in name order); none when nothing is near.

    A word that is another spelling of a name (`aliases`, keyed by the
    spelling in lower case: `russia` for `RUS`) is that name. Otherwise near
    means: the same but for case, or within about a third of the word's length
    in edits (at least one, at most four). A dotted name with nothing that near
    gets the nearest name of the same family (`arms.buy`: `arms.acquire`).
    """
    folded = word.casefold()
    if aliases and folded in aliases and aliases[folded] != word:
        return [aliases[folded]]
    names = {name for name in known if name and name != word}
    limit = max(1, min(4, len(word) // 3))
    found: list[tuple[int, str]] = []
    for name in names:
        edits = 0 if name.casefold() == folded else distance(folded, name.casefold(), limit)
        if edits <= limit:
            found.append((edits, name))
    if not found and "." in word:
        family, _, rest = folded.rpartition(".")
        kin = [name for name in names if name.casefold().rpartition(".")[0] == family]
        found = sorted((distance(rest, name.casefold().rpartition(".")[2]), name) for name in kin)[:1]
    found.sort()
    return [name for _, name in found[:most]]


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

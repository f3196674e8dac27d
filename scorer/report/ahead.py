"""A document's pieces made on a second thread, a few ahead of the one written (`ahead`); the writing
thread makes the next ones itself while it would wait for the one it needs."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice

from scorer.scoring.unmatched_ids import Parts, Piece

AHEAD = 4  # pieces made ahead of the one written (of unmatched events: each of at most `PIECE` ids)


def ahead(pool: ThreadPoolExecutor, pieces: Iterable[Piece]) -> Iterator[Parts]:
    """The pieces made on `pool`'s thread, in order, `AHEAD` ahead of the one taken: the first ones are
    started at once, before any is asked for. While the one taken is still being made, this thread makes
    the next ones the pool has not started (`_helped`): it would only wait."""
    rest = iter(pieces)
    waiting: deque[tuple[Future[Parts], Piece]] = deque((pool.submit(piece), piece) for piece in islice(rest, AHEAD))
    return _taken(pool, rest, waiting)


def _taken(pool: ThreadPoolExecutor, rest: Iterator[Piece], waiting: deque[tuple[Future[Parts], Piece]]) -> Iterator[Parts]:
    """The pieces of `ahead`, each as the next is started."""
    while waiting:
        _helped(waiting)
        head, _ = waiting.popleft()
        following = next(rest, None)
        if following is not None:
            waiting.append((pool.submit(following), following))
        yield head.result()


def _helped(waiting: deque[tuple[Future[Parts], Piece]]) -> None:
    """Until the first waiting piece is made, the ones after it that the pool has not started, made here."""
    head = waiting[0][0]
    for at in range(1, len(waiting)):
        if head.done():
            return
        future, piece = waiting[at]
        if future.cancel():  # (False once the pool has started it)
            made: Future[Parts] = Future()
            try:
                made.set_result(piece())
            except Exception as error:  # noqa: BLE001 - raised where the piece is taken, as from the pool
                made.set_exception(error)
            waiting[at] = (made, piece)

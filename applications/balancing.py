"""Balancing review assignments across a round's reviewers: a pure function of plain data.

Each application gets reviewers until it has `per_application` of them. Each time, the reviewer with
the lightest load (ties broken by their order in `reviewers`) takes the application with the fewest
reviewers among those they may review (not already on it, no declared conflict), so that loads stay
even and a shortage of reviewers spreads over the applications instead of leaving some bare.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Balance:
    new: list[tuple[int, int]]  # (application, reviewer) pairs to create
    short: dict[int, int]  # application -> how many reviewers it still lacks


def balance_assignments(
    *,
    applications: Sequence[int],
    reviewers: Sequence[int],
    existing: Iterable[tuple[int, int]],
    conflicts: Iterable[tuple[int, int]],
    per_application: int,
) -> Balance:
    """The (application, reviewer) pairs to add so that every application has `per_application`
    reviewers, never pairing a declared conflict, with loads as even as the conflicts allow."""
    if per_application < 1:
        raise ValueError("per_application must be at least 1")
    reviewers = list(dict.fromkeys(reviewers))
    conflicts = set(conflicts)
    assigned: dict[int, set[int]] = {app: set() for app in applications}
    load = dict.fromkeys(reviewers, 0)
    for app, reviewer in existing:
        if reviewer in load:
            load[reviewer] += 1
        if app in assigned:
            assigned[app].add(reviewer)
    order = {reviewer: position for position, reviewer in enumerate(reviewers)}
    position = {app: index for index, app in enumerate(applications)}
    new: list[tuple[int, int]] = []
    exhausted: set[int] = set()
    # The least-loaded reviewer takes, each time, the application that most needs a reviewer among
    # those they may review; a reviewer who may review none of the wanting applications never will
    # (that set only shrinks). So loads stay as even as conflicts allow.
    while True:
        wanting = [app for app in applications if len(assigned[app]) < per_application]
        active = [r for r in reviewers if r not in exhausted]
        if not wanting or not active:
            break
        reviewer = min(active, key=lambda r: (load[r], order[r]))
        options = [app for app in wanting if reviewer not in assigned[app] and (app, reviewer) not in conflicts]
        if not options:
            exhausted.add(reviewer)
            continue
        app = min(options, key=lambda a: (len(assigned[a]), position[a]))
        assigned[app].add(reviewer)
        load[reviewer] += 1
        new.append((app, reviewer))
    _even_out(new, assigned, load, conflicts, order)
    short = {app: per_application - len(assigned[app]) for app in applications
             if len(assigned[app]) < per_application}
    return Balance(new=new, short=short)


def _even_out(new, assigned, load, conflicts, order) -> None:
    """Move new assignments from a reviewer to one with at least two fewer, while possible: the
    greedy pass can end with the last applications only open to the busier reviewers."""
    while True:
        moved = False
        by_load = sorted(load, key=lambda r: (load[r], order[r]))
        for target in by_load:
            for source in reversed(by_load):
                if load[source] - load[target] < 2:
                    break
                pair = next(((app, reviewer) for app, reviewer in new if reviewer == source
                             and target not in assigned[app] and (app, target) not in conflicts), None)
                if pair is None:
                    continue
                app = pair[0]
                new[new.index(pair)] = (app, target)
                assigned[app].discard(source)
                assigned[app].add(target)
                load[source] -= 1
                load[target] += 1
                moved = True
                break
            if moved:
                break
        if not moved:
            return

"""The feasible ranges along one stock's chain of months: what a district can work out of a month-end stock
(minors away, children out of school), its arrivals and its departures from everything one hub released.

stock[t] = stock[t - 1] + arrivals[t] - departures[t], every stock >= 0. Without sums over a span the chain is a
path of sums of integer intervals, on which propagating bounds forward and backward is exact; a sum of the stock
over a quarter closes a loop, so the quarter's stocks are enumerated over whole numbers. Used by the
linked-release audit (federation.linked), which asks it about every stock of the summary.
"""

import functools

INF = 10 ** 9  # no upper bound: a withheld or absent count
FREE = (0, INF)


def cap(bound):
    """bound within 0 and INF."""
    return max(bound[0], 0), min(bound[1], INF)


def _step(arrivals, departures):
    """The range of stock[t] - stock[t - 1], that is arrivals - departures."""
    return arrivals[0] - departures[1], arrivals[1] - departures[0]


def _flows(step, arrivals, departures):
    """(arrivals, departures) ranges once their difference is known to lie in step."""
    return ((max(arrivals[0], step[0] + departures[0]), min(arrivals[1], step[1] + departures[1])),
            (max(departures[0], arrivals[0] - step[1]), min(departures[1], arrivals[1] - step[0])))


def _hull(values):
    return (min(values), max(values)) if values else (1, 0)  # none: the releases contradict each other


def _paths(months, first, last, total, entry=None, leave=FREE):
    """See `_span_paths`: the spans of a chain are enumerated again at every audit with the same bounds."""
    return _span_paths(tuple(months[first:last + 1]), total, entry, leave)


@functools.lru_cache(maxsize=256)
def _span_paths(months, total, entry, leave):
    """[(stock of each month first..last)] a summed span of a stock allows: every stock within its range,
    each step within arrivals - departures, the first stock reachable from entry (the stock before's range;
    None: unconstrained), the last within leave, and the stocks adding up to within total. A published stock
    has at most 9 values, one left out at most linked.MOST_OVER_A_GAP + 5: a quarter has at most a few thousand
    paths, most a few hundred, and each is enumerated once for the same bounds (the cache)."""
    paths = [((), 0)]
    for index, (stock, arrivals, departures) in enumerate(months):
        stock, step = cap(stock), _step(arrivals, departures)
        low, high = stock if index < len(months) - 1 else (max(stock[0], leave[0]), min(stock[1], leave[1]))
        grown = []
        for path, added in paths:
            earlier = (path[-1], path[-1]) if path else entry
            lowest, highest = low, high
            if earlier is not None:
                lowest, highest = max(low, earlier[0] + step[0]), min(high, earlier[1] + step[1])
            grown += [(path + (value,), added + value) for value in range(lowest, min(highest, total[1] - added) + 1)]
        paths = grown
    return [path for path, added in paths if added >= total[0]]


def _leaving(months, backward, index):
    """The range the stock of index may take for the months after it (backward[index + 1] their own)."""
    if index + 1 >= len(months) or backward[index + 1] is None:
        return FREE
    step, following = _step(*months[index + 1][1:]), backward[index + 1]
    return cap((following[0] - step[1], following[1] - step[0]))


def _forward(months, starts):
    """[range of each stock from the months up to it] (None inside a summed span but at its end)."""
    forward, previous, index = [None] * len(months), FREE, 0  # the stock before the first month: any, >= 0
    while index < len(months):
        if index in starts:
            last, total = starts[index]
            previous = forward[last] = _hull([path[-1] for path in _paths(months, index, last, total, previous)])
            index = last + 1
            continue
        stock, step = months[index][0], _step(*months[index][1:])
        previous = forward[index] = cap((max(stock[0], previous[0] + step[0]), min(stock[1], previous[1] + step[1])))
        index += 1
    return forward


def _backward(months, ends):
    """[range of each stock from the months from it on] (None inside a summed span but at its start)."""
    backward, index = [None] * len(months), len(months) - 1
    while index >= 0:
        leave = _leaving(months, backward, index)
        if index in ends:
            first, total = ends[index]
            backward[first] = _hull([path[0] for path in _paths(months, first, index, total, leave=leave)])
            index = first - 1
            continue
        stock = cap(months[index][0])
        backward[index] = cap((max(stock[0], leave[0]), min(stock[1], leave[1])))
        index -= 1
    return backward


def chain_ranges(months, spans=None):
    """([(stock, arrivals, departures) ranges] of consecutive months, each given as intervals, and {span:
    range} of the sums of the stock over spans {(first index, last index): interval}, disjoint).

    stock[t] = stock[t - 1] + arrivals[t] - departures[t], every stock >= 0, the stock before the first
    month unknown. Forward, the range each stock can take from the months up to it; backward, from the
    months after it; each variable's range joins the two sides of the path it sits on. A summed span is
    one link of that path: its months' stocks are enumerated (a few hundred paths), giving its ends'
    ranges to each side and, between the two sides, every range inside it. The enumeration is over whole
    numbers, so a range is never wider than the attacker's linear program's, only ever as wide or narrower
    (stricter)."""
    spans = spans or {}
    forward = _forward(months, {first: (last, total) for (first, last), total in spans.items()})
    backward = _backward(months, {last: (first, total) for (first, last), total in spans.items()})
    inside, sums = {}, {}
    for (first, last), total in spans.items():
        paths = _paths(months, first, last, total, forward[first - 1] if first else FREE,
                       _leaving(months, backward, last))
        sums[first, last] = _hull([sum(path) for path in paths])
        for index in range(first, last + 1):
            position = index - first
            inside[index] = (_hull([path[position] for path in paths]),
                             _hull([path[position] - path[position - 1] for path in paths]) if position else None)
    ranges = []
    for index, (_, arrivals, departures) in enumerate(months):
        before = forward[index - 1] if index else FREE
        stock, step = inside.get(index, (None, None))
        if stock is None:
            stock = (max(forward[index][0], backward[index][0]), min(forward[index][1], backward[index][1]))
        if step is None:
            after = stock if index in inside else backward[index]
            step = (after[0] - before[1], after[1] - before[0])
        ranges.append((stock, *_flows(step, arrivals, departures)))
    return ranges, sums

#!/usr/bin/env python3
"""Oracle values for raking (iterative proportional fitting), source diversity and the ranking of
intersection cells in functions/core/stats.

Run from the repository root:

    python3 tests/oracles/raking_oracle.py

It writes tests/fixtures/oracles/raking.json, in the format of stats_oracle.py (`call`, `args`,
`expected`, `rtol`, `atol`, `note`).

Raking here is an independent numpy implementation over a dense table (one axis per dimension,
weights broadcast along the axis being fitted), where the TypeScript code works on a list of
cells. Both follow the same sweep order, cap rule and stopping rule, so they agree to rounding
even where the result depends on the path (a cap, or targets that cannot be met). The cap's
trimming level is found with scipy.optimize.brentq here and in closed form in TypeScript.

Hand-computed check (sex x age, the first raking case):

                young  old
    counts  M     20    40      targets: M .5, F .5; young .3, old .7; N = 100
            F     30    10

Raking keeps the sample's odds ratio, theta = (20*10)/(40*30) = 1/6, and fits the margins
(M 50, F 50; young 30, old 70). With a = weighted M-young:
    a (20 + a) / ((50 - a)(30 - a)) = 1/6  =>  a^2 + 40a - 300 = 0  =>  a = 10*sqrt(7) - 20
so the weighted table is [[10√7 - 20, 70 - 10√7], [50 - 10√7, 10√7]] and the per-row weights are
    M-young (10√7 - 20)/20 = 0.32287565553229536    M-old (70 - 10√7)/40 = 1.0885621722338523
    F-young (50 - 10√7)/30 = 0.7847495629784698     F-old √7             = 2.6457513110645907
which the numpy IPF below reproduces (asserted in main()).
"""

from __future__ import annotations

import itertools
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import brentq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats_oracle import case, num  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "raking.json"

TIGHT = {"tolerance": 1e-12, "maxIterations": 10000}


def ipf(levels, counts, base, targets, tolerance=1e-6, max_iterations=1000, cap=None):
    """Raking on dense arrays.

    levels: list of group names per dimension; counts, base: arrays of shape (k1, ..., kD);
    targets: list of dicts group -> share. Returns per-row weights (nan where count = 0),
    iterations, converged, max margin error, design effect, effective sample size, capped.
    """
    n = np.asarray(counts, dtype=float)
    w = np.where(n > 0, np.asarray(base, dtype=float), 0.0)
    has = n > 0
    t = []
    for d, lv in enumerate(levels):
        v = np.array([targets[d].get(g, 0.0) for g in lv], dtype=float)
        t.append(v / v.sum())
    total = float((n * w).sum())
    rows = float(n.sum())
    axes = list(range(len(levels)))

    def margins(d):
        return (n * w).sum(axis=tuple(a for a in axes if a != d))

    def error():
        s = (n * w).sum()
        return max(float(np.max(np.abs(margins(d) / s - t[d]))) for d in axes)

    def ratio():
        mean = (n * w).sum() / rows
        return float(w[has].max() / mean)

    def fits():
        return error() <= tolerance and (cap is None or ratio() <= cap * (1 + tolerance))

    def result(iterations, converged, capped):
        s1, s2 = float((n * w).sum()), float((n * w * w).sum())
        return {
            "weights": np.where(has, w, np.nan),
            "iterations": iterations,
            "converged": converged,
            "maxMarginError": error(),
            "designEffect": rows * s2 / s1**2,
            "effectiveSampleSize": s1**2 / s2,
            "capped": capped,
        }

    if fits():
        return result(0, True, False)
    capped = False
    for it in range(1, max_iterations + 1):
        for d in axes:
            m = margins(d)
            factor = np.where(m > 0, total * t[d] / np.where(m > 0, m, 1.0), 1.0)
            shape = [1] * len(axes)
            shape[d] = -1
            w = w * factor.reshape(shape)
        if cap is not None:
            mean = (n * w).sum() / rows
            if w[has].max() > cap * mean:
                # The trimming level L solves L = cap * mean(min(w, L)) over rows (unique root in
                # [min w, max w]); found numerically here, in closed form in TypeScript.
                def gap(level):
                    return cap * (n * np.minimum(w, level)).sum() / rows - level

                level = brentq(gap, w[has].min(), w[has].max(), xtol=1e-300, rtol=4 * np.finfo(float).eps)
                w = np.where(has & (w > level), level, w)
                capped = True
        if fits():
            if capped:
                w = w * total / (n * w).sum()
            return result(it, True, capped)
    if capped:
        w = w * total / (n * w).sum()
    return result(max_iterations, False, capped)


def table(levels, cells):
    """Dense count and base-weight arrays from a list of {key, count, baseWeight?} cells."""
    shape = [len(lv) for lv in levels]
    counts, base = np.zeros(shape), np.ones(shape)
    for c in cells:
        idx = tuple(levels[d].index(g) for d, g in enumerate(c["key"]))
        counts[idx] = c["count"]
        base[idx] = c.get("baseWeight", 1.0)
    return counts, base


def per_cell(levels, cells, arr):
    out = []
    for c in cells:
        if c["count"] == 0:
            out.append(None)
            continue
        idx = tuple(levels[d].index(g) for d, g in enumerate(c["key"]))
        out.append(num(arr[idx]))
    return out


def grid(levels, counts, base=None):
    """Cells in row-major order from nested count lists."""
    cells = []
    c = np.asarray(counts, dtype=float)
    b = None if base is None else np.asarray(base, dtype=float)
    for idx in itertools.product(*[range(len(lv)) for lv in levels]):
        cell = {"key": [levels[d][i] for d, i in enumerate(idx)], "count": float(c[idx])}
        if b is not None:
            cell["baseWeight"] = float(b[idx])
        cells.append(cell)
    return cells


HAND_2X2 = [
    (10 * math.sqrt(7) - 20) / 20,
    (70 - 10 * math.sqrt(7)) / 40,
    (50 - 10 * math.sqrt(7)) / 30,
    math.sqrt(7),
]


def rake_cases():
    cases = []

    def add(levels, cells, targets, options, note, rtol=1e-9):
        counts, base = table(levels, cells)
        r = ipf(
            levels,
            counts,
            base,
            targets,
            tolerance=options.get("tolerance", 1e-6),
            max_iterations=options.get("maxIterations", 1000),
            cap=options.get("cap"),
        )
        expected = {
            "weights": per_cell(levels, cells, r["weights"]),
            "iterations": r["iterations"],
            "converged": r["converged"],
            "maxMarginError": num(r["maxMarginError"]),
            "designEffect": num(r["designEffect"]),
            "effectiveSampleSize": num(r["effectiveSampleSize"]),
            "capped": r["capped"],
        }
        call = (
            f"ipf({levels!r}, *table(levels, cells), {targets!r}, tolerance={options.get('tolerance', 1e-6)!r}, "
            f"max_iterations={options.get('maxIterations', 1000)!r}, cap={options.get('cap')!r})"
        )
        cases.append(case(call, [cells, targets, options], expected, rtol=rtol, atol=1e-12, note=note))
        return r

    sex_age = [["M", "F"], ["young", "old"]]
    r = add(
        sex_age,
        grid(sex_age, [[20, 40], [30, 10]]),
        [{"M": 0.5, "F": 0.5}, {"young": 0.3, "old": 0.7}],
        TIGHT,
        "2x2 solved by hand in the module docstring: weights (10√7-20)/20, (70-10√7)/40, (50-10√7)/30, √7",
    )
    got = [r["weights"][0, 0], r["weights"][0, 1], r["weights"][1, 0], r["weights"][1, 1]]
    assert np.allclose(got, HAND_2X2, rtol=1e-10, atol=0), (got, HAND_2X2)  # tolerance 1e-12 on shares

    add(
        sex_age,
        grid(sex_age, [[20, 40], [30, 10]]),
        [{"M": 0.5, "F": 0.5}, {"young": 0.3, "old": 0.7}],
        {},
        "the same with the default tolerance (1e-6) and iterations",
    )
    add(
        sex_age,
        grid(sex_age, [[20, 30], [30, 20]]),
        [{"M": 0.5, "F": 0.5}, {"young": 0.5, "old": 0.5}],
        {},
        "targets equal to the sample margins: weights all 1, no iterations",
    )
    region_age = [["north", "south", "east"], ["18-39", "40+"]]
    add(
        region_age,
        grid(region_age, [[120, 80], [40, 160], [25, 75]], [[1.0, 1.2], [0.8, 1.0], [2.0, 1.5]]),
        [{"north": 0.3, "south": 0.45, "east": 0.25}, {"18-39": 0.42, "40+": 0.58}],
        TIGHT,
        "3x2 with base weights",
    )
    three = [["f", "m"], ["a", "b", "c"], ["x", "y"]]
    rng = np.random.default_rng(1940)
    counts3 = rng.integers(1, 60, size=(2, 3, 2))
    add(
        three,
        grid(three, counts3),
        [{"f": 0.52, "m": 0.48}, {"a": 0.2, "b": 0.5, "c": 0.3}, {"x": 0.65, "y": 0.35}],
        TIGHT,
        "three dimensions, counts np.random.default_rng(1940).integers(1, 60, size=(2, 3, 2))",
    )
    add(
        region_age,
        grid(region_age, [[50, 0], [40, 60], [0, 30]]),
        [{"north": 0.3, "south": 0.45, "east": 0.25}, {"18-39": 0.42, "40+": 0.58}],
        TIGHT,
        "empty cells that still allow the margins",
    )
    add(
        sex_age,
        grid(sex_age, [[0, 10], [10, 0]]),
        [{"M": 0.5, "F": 0.5}, {"young": 0.3, "old": 0.7}],
        {"maxIterations": 50},
        "structural zeros make the targets unreachable: not converged after 50 sweeps",
    )
    skew = [["g1", "g2", "g3"], ["p", "q"]]
    add(
        skew,
        grid(skew, [[200, 150], [40, 60], [3, 5]]),
        [{"g1": 0.4, "g2": 0.35, "g3": 0.25}, {"p": 0.5, "q": 0.5}],
        {"tolerance": 1e-10, "maxIterations": 10000},
        "a rare group gets a large weight (no cap)",
    )
    add(
        skew,
        grid(skew, [[200, 150], [40, 60], [3, 5], ]),
        [{"g1": 0.4, "g2": 0.35, "g3": 0.25}, {"p": 0.5, "q": 0.5}],
        {"tolerance": 1e-10, "maxIterations": 10000, "cap": 5},
        "the same with cap 5: the rare group cannot reach its target, not converged",
    )
    add(
        skew,
        grid(skew, [[200, 150], [40, 60], [40, 60]]),
        [{"g1": 0.4, "g2": 0.35, "g3": 0.25}, {"p": 0.5, "q": 0.5}],
        {"tolerance": 1e-10, "maxIterations": 10000, "cap": 2.0},
        "a cap that binds but leaves the margins reachable: capped and converged",
    )
    add(
        sex_age,
        grid(sex_age, [[20, 40], [30, 10]]),
        [{"M": 0.5, "F": 0.5}, {"young": 0.3, "old": 0.7}],
        {"tolerance": 1e-10, "maxIterations": 10000, "cap": 2.4},
        "the hand-solved 2x2 with cap 2.4 (uncapped max is √7): capped, converged, max weight 2.4",
    )
    # Raking cannot start: a target group without rows, a group with rows but no target.
    cells = grid(sex_age, [[20, 40], [0, 0]])
    cases.append(
        case(
            "feasibility check: group 'F' (dimension 0) has target 0.5 but no rows -> base weights, reason",
            [cells, [{"M": 0.5, "F": 0.5}, {"young": 0.3, "old": 0.7}], {}],
            {"weights": [1.0, 1.0, None, None], "iterations": 0, "converged": False, "reasonIncludes": ["'F'", "dimension 0"]},
            rtol=0,
            atol=0,
        )
    )
    cells = grid(sex_age, [[20, 40], [30, 10]])
    cases.append(
        case(
            "feasibility check: group 'old' (dimension 1) has rows but no target -> base weights, reason",
            [cells, [{"M": 0.5, "F": 0.5}, {"young": 1.0}], {}],
            {"weights": [1.0, 1.0, 1.0, 1.0], "iterations": 0, "converged": False, "reasonIncludes": ["'old'", "dimension 1"]},
            rtol=0,
            atol=0,
        )
    )
    return cases


# --------------------------------------------------------------------------------------------
# Source diversity and ranking
# --------------------------------------------------------------------------------------------

COUNT_SETS = [
    [100, 50, 25, 25],
    [10],
    [0, 0, 7],
    [1, 1, 1, 1, 1],
    [980, 10, 5, 5],
    [12.5, 3.25, 0.25],
]


def diversity_cases():
    largest, effective = [], []
    for c in COUNT_SETS:
        a = np.asarray(c, dtype=float)
        largest.append(case(f"n = np.array({c!r}); n.max() / n.sum()", [c], num(a.max() / a.sum())))
        effective.append(case(f"n = np.array({c!r}); 1 / np.sum((n / n.sum())**2)", [c], num(1 / np.sum((a / a.sum()) ** 2))))
    largest.append(case("no rows: 0/0 -> null", [[0, 0]], None))
    effective.append(case("no rows: 0/0 -> null", [[0, 0]], None))
    return largest, effective


def dominant_cases():
    cases = []
    for groups, threshold, note in [
        ({"18-24": {"web": 80, "app": 15, "partner": 5}, "75+": {"web": 10, "app": 5, "partner": 35}}, 0.5, None),
        ({"18-24": {"web": 30, "app": 30}, "75+": {"web": 20, "app": 20}}, 0.5, "exactly half is not dominant"),
        ({"f": {"a": 10, "b": 9}}, 0.5, None),
        ({"f": {"a": 10, "b": 9}}, 0.6, "below a higher threshold"),
        ({"x": {"s1": 2.5, "s2": 0.75}, "y": {"s2": 1.25, "s3": 4.0}}, 0.5, "weight sums"),
        ({"x": {"b": 5, "a": 5}}, 0.4, "tie broken by name: 'a'"),
    ]:
        sources = sorted({s for by in groups.values() for s in by})
        mat = np.array([[groups[g].get(s, 0) for s in sources] for g in groups], dtype=float)
        per = mat.sum(axis=0)
        total = float(per.sum())
        order = sorted(range(len(sources)), key=lambda i: (-per[i], sources[i]))
        top = order[0]
        expected = {
            "dominant": bool(per[top] / total > threshold),
            "source": sources[top],
            "share": num(per[top] / total),
            "totalRows": total,
            "bySource": [{"source": sources[i], "rows": float(per[i]), "share": num(per[i] / total)} for i in order],
        }
        cases.append(
            case(
                f"per = np.array({mat.tolist()!r}).sum(axis=0)  # sources {sources!r}; per.max() / per.sum() > {threshold}",
                [groups, threshold],
                expected,
                note=note,
            )
        )
    return cases


def worst_cells_cases():
    cells = [
        {"group": "f|18-24", "pAdjusted": 0.04, "ratio": 0.5},
        {"group": "m|18-24", "pAdjusted": 0.001, "ratio": 1.3},
        {"group": "f|75+", "pAdjusted": 0.04, "ratio": 2.0},
        {"group": "m|75+", "pAdjusted": None, "ratio": 0.1},
        {"group": "f|25-74", "pAdjusted": 0.04, "ratio": 0.25},
        {"group": "m|25-74", "pAdjusted": 0.9, "ratio": 1.0},
        {"group": "x|empty", "pAdjusted": 0.001, "ratio": 0.0},
        {"group": "y|none", "pAdjusted": 0.9, "ratio": None},
        {"group": "z|none", "pAdjusted": None, "ratio": None},
    ]

    def key(i):
        c = cells[i]
        p, r = c["pAdjusted"], c["ratio"]
        gap = None if r is None else (math.inf if r == 0 else abs(math.log(r)))
        return (p is None, p if p is not None else 0.0, gap is None, -(gap if gap is not None else 0.0), i)

    order = sorted(range(len(cells)), key=key)
    cases = []
    for k in [0, 3, len(cells), 100]:
        cases.append(
            case(
                f"sorted(cells, key=(p is None, p, gap is None, -|log ratio|, index))[:{k}]",
                [cells, k],
                [cells[i]["group"] for i in order[:k]],
                rtol=0,
                atol=0,
            )
        )
    return cases


def main():
    largest, effective = diversity_cases()
    data = {
        "generatedBy": "tests/oracles/raking_oracle.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__},
        "tolerance": "|actual - expected| <= atol + rtol * |expected|",
        "cases": {
            "rake": rake_cases(),
            "largestShare": largest,
            "effectiveNumber": effective,
            "dominantSource": dominant_cases(),
            "worstCells": worst_cells_cases(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    n = sum(len(v) for v in data["cases"].values())
    print(f"wrote {n} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

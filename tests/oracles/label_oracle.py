#!/usr/bin/env python3
"""Oracle values for the label metrics of functions/core/stats (Amazon SageMaker Clarify's
pre-training bias metrics, per group vs the rest), the composition of the positive class, and the
conditional demographic disparity. Computed with numpy and scipy from row-level arrays, not from
the closed forms the TypeScript code uses.

Run from the repository root:

    python3 tests/oracles/label_oracle.py

It writes tests/fixtures/oracles/label.json, in the format of stats_oracle.py: every case has the
arguments as the TypeScript function receives them (`args`), the value expected (`expected`),
tolerances (|actual - expected| <= atol + rtol*|expected|) and the Python expression that produced
the value (`call`). `expected` is null where the metric does not exist (scipy gives inf/nan or the
input is degenerate); `note` says why.

Facet convention (Clarify): the group under review is facet d, every other row is facet a.
  f = boolean array, True for rows of the group (facet d); y = 0/1 label array; w = row weights.
  CI  = (n_a - n_d) / (n_a + n_d)        DPL = q_a - q_d       DI = q_d / q_a
  KL  = KL(P_a || P_d) in nats           JS  = jensenshannon(P_a, P_d) ** 2 (nats)
  LP  = ||P_a - P_d||_p                   TVD = cityblock(P_a, P_d) / 2
  KS  = ks_2samp(y[~f], y[f]).statistic  (= chebyshev(P_a, P_d) for binary labels)
  CDD = sum_i n_i * DD_i / sum_i n_i,  DD_i = share of facet d among the rejected of stratum i
        minus its share among the accepted (0 for a side with no rows, as smclarify does)
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial.distance import chebyshev, cityblock, jensenshannon

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats_oracle import case, num, wilson_formula  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "label.json"


def rows_from_counts(nd, nd1, na, na1):
    """Row arrays (facet, label) for integer counts: the group first, then the rest."""
    f = np.array([True] * nd + [False] * na, dtype=bool)
    y = np.array([1] * nd1 + [0] * (nd - nd1) + [1] * na1 + [0] * (na - na1), dtype=int)
    return f, y


def weighted_rows(rng, nd, nd1, na, na1):
    """Rows as above with lognormal weights; the args passed to TypeScript are the weight sums."""
    f, y = rows_from_counts(nd, nd1, na, na1)
    w = rng.lognormal(0.0, 0.7, len(f))
    return f, y, w


def label_dist(y, w):
    """[P(y=0), P(y=1)] of a non-empty side."""
    return np.array([w[y == 0].sum(), w[y == 1].sum()]) / w.sum()


def label_metrics(f, y, w):
    """Every label metric from row arrays; None where it does not exist."""
    nd, na = float(w[f].sum()), float(w[~f].sum())
    out = {"CI": num((na - nd) / (na + nd)) if na + nd > 0 else None}
    if not f.any() or f.all():
        for k in ["DPL", "DI", "KL", "JS", "L1", "L2", "L3", "TVD", "KS"]:
            out[k] = None
        return out
    qa = float(np.average(y[~f], weights=w[~f]))
    qd = float(np.average(y[f], weights=w[f]))
    out["DPL"] = num(qa - qd)
    out["DI"] = num(qd / qa) if qa > 0 else None
    pa, pd = label_dist(y[~f], w[~f]), label_dist(y[f], w[f])
    out["KL"] = num(st.entropy(pa, pd))
    out["JS"] = num(jensenshannon(pa, pd) ** 2)
    out["L1"] = num(np.linalg.norm(pa - pd, ord=1))
    out["L2"] = num(np.linalg.norm(pa - pd, ord=2))
    out["L3"] = num(np.linalg.norm(pa - pd, ord=3))
    out["TVD"] = num(cityblock(pa, pd) / 2)
    out["KS"] = num(chebyshev(pa, pd))
    if np.all(w == 1):
        ks = st.ks_2samp(y[~f], y[f]).statistic
        assert abs(ks - out["KS"]) < 1e-12, (ks, out["KS"])
    return out


INTEGER_CASES = [
    ((10, 3, 90, 45), "typical: the group has a lower positive rate"),
    ((50, 25, 50, 25), "parity"),
    ((5, 0, 95, 40), "the group has no positives: DI = 0, KL infinite"),
    ((5, 5, 95, 40), "the group has no negatives: KL infinite"),
    ((20, 8, 80, 0), "the rest has no positives: DI infinite -> null"),
    ((20, 0, 80, 0), "no positives anywhere: DI 0/0 -> null, distances 0"),
    ((0, 0, 100, 30), "empty group: CI = 1, the rest null"),
    ((100, 30, 0, 0), "all rows in the group: CI = -1, the rest null"),
    ((1, 0, 0, 0), "N = 1"),
    ((1, 1, 1, 0), "N = 2"),
    ((1, 1, 9, 9), "all positive"),
    ((3, 1, 1000, 700), "tiny group"),
    ((12345, 6789, 987654, 432100), "large N"),
    ((400, 300, 600, 100), "the group has the higher positive rate: DPL < 0, DI > 1"),
]

METRICS = {
    "classImbalance": ("CI", "(w[~f].sum() - w[f].sum()) / w.sum()"),
    "differenceInPositiveProportions": ("DPL", "np.average(y[~f], weights=w[~f]) - np.average(y[f], weights=w[f])"),
    "disparateImpact": ("DI", "np.average(y[f], weights=w[f]) / np.average(y[~f], weights=w[~f])"),
    "labelKlDivergence": ("KL", "scipy.stats.entropy(P_a, P_d)"),
    "labelJsDivergence": ("JS", "scipy.spatial.distance.jensenshannon(P_a, P_d) ** 2"),
    "labelTotalVariationDistance": ("TVD", "scipy.spatial.distance.cityblock(P_a, P_d) / 2"),
    "labelKolmogorovSmirnov": ("KS", "scipy.spatial.distance.chebyshev(P_a, P_d)  # = scipy.stats.ks_2samp(y[~f], y[f]).statistic unweighted"),
}


def label_cases():
    out = {name: [] for name in METRICS}
    out["labelLpNorm"] = []
    rng = np.random.default_rng(2021)
    inputs = []
    for counts, note in INTEGER_CASES:
        f, y = rows_from_counts(*counts)
        inputs.append((counts, f, y, np.ones(len(f)), f"f, y = rows_from_counts{counts}; w = np.ones(len(f))", note))
    for counts in [(10, 3, 90, 45), (40, 10, 60, 30), (7, 7, 13, 2), (3, 0, 30, 10)]:
        f, y, w = weighted_rows(rng, *counts)
        args = (float(w[f].sum()), float(w[f & (y == 1)].sum()), float(w[~f].sum()), float(w[~f & (y == 1)].sum()))
        inputs.append((args, f, y, w, f"f, y, w = weighted_rows(np.random.default_rng(2021), *{counts})  # in sequence", "weighted: args are weight sums"))
    for args, f, y, w, setup, note in inputs:
        m = label_metrics(f, y, w)
        obj = {"groupRows": args[0], "groupPositives": args[1], "restRows": args[2], "restPositives": args[3]}
        for name, (key, expr) in METRICS.items():
            out[name].append(case(f"{setup}; {expr}", [obj], m[key], note=note))
        for p, key in [(2, "L2"), (1, "L1"), (3, "L3")]:
            out["labelLpNorm"].append(
                case(f"{setup}; np.linalg.norm(P_a - P_d, ord={p})", [obj, p], m[key], note=note)
            )
    return out


# --------------------------------------------------------------------------------------------
# Conditional demographic disparity
# --------------------------------------------------------------------------------------------


def cdd_rows(f, y, s, w, k):
    """CDD from row arrays (facet f, label y, stratum s in 0..k-1, weights w), with per-stratum DD."""
    acc_all, rej_all = w[y == 1].sum(), w[y == 0].sum()
    strata = []
    weighted = 0.0
    for g in range(k):
        m = s == g
        n_i = w[m].sum()
        if n_i == 0:
            strata.append({"rows": 0.0, "demographicDisparity": None})
            continue
        rej, acc = m & (y == 0), m & (y == 1)
        d_rej = w[rej & f].sum() / w[rej].sum() if w[rej].sum() > 0 else 0.0
        d_acc = w[acc & f].sum() / w[acc].sum() if w[acc].sum() > 0 else 0.0
        dd = d_rej - d_acc
        strata.append({"rows": float(n_i), "demographicDisparity": num(dd)})
        weighted += n_i * dd
    if not f.any() or f.all() or acc_all == 0 or rej_all == 0:
        return None, strata
    return num(weighted / w.sum()), strata


def strata_rows(strata, rng=None):
    """Row arrays for a list of (groupRows, groupPositives, restRows, restPositives) per stratum."""
    fs, ys, ss = [], [], []
    for i, counts in enumerate(strata):
        f, y = rows_from_counts(*counts)
        fs.append(f)
        ys.append(y)
        ss.append(np.full(len(f), i))
    f, y, s = np.concatenate(fs), np.concatenate(ys), np.concatenate(ss)
    w = np.ones(len(f)) if rng is None else rng.lognormal(0.0, 0.5, len(f))
    return f, y, s, w


# UC Berkeley graduate admissions, fall 1973 (Bickel, Hammel & O'Connell, Science 187, 1975; R's
# UCBAdmissions): per department, women (the group, facet d) applicants and admitted, then men.
BERKELEY = {
    "A": (108, 89, 825, 512),
    "B": (25, 17, 560, 353),
    "C": (593, 202, 325, 120),
    "D": (375, 131, 417, 138),
    "E": (393, 94, 191, 53),
    "F": (341, 24, 373, 22),
}


def cdd_cases():
    cases = []

    def add(strata, note, rng=None, seed=None):
        f, y, s, w = strata_rows(strata, rng)
        value, per = cdd_rows(f, y, s, w, len(strata))
        if rng is None:
            args = [
                {"groupRows": a, "groupPositives": b, "restRows": c, "restPositives": d} for a, b, c, d in strata
            ]
            setup = f"f, y, s, w = strata_rows({strata!r})"
        else:
            args = []
            for i in range(len(strata)):
                m = s == i
                args.append(
                    {
                        "groupRows": float(w[m & f].sum()),
                        "groupPositives": float(w[m & f & (y == 1)].sum()),
                        "restRows": float(w[m & ~f].sum()),
                        "restPositives": float(w[m & ~f & (y == 1)].sum()),
                    }
                )
            setup = f"f, y, s, w = strata_rows({strata!r}, np.random.default_rng({seed}))"
        cases.append(case(f"{setup}; cdd_rows(f, y, s, w, k={len(strata)})", [args], {"value": value, "strata": per}, note=note))

    add(list(BERKELEY.values()), "UC Berkeley 1973 by department, women as facet d (Simpson's paradox)")
    add([tuple(map(sum, zip(*BERKELEY.values())))], "UC Berkeley 1973 pooled: one stratum, CDD = DD")
    add([(78, 32, 122, 68)], "Clarify's example: women 46% of rejected, 32% of accepted, DD = 0.14")
    add([(10, 4, 30, 20), (5, 5, 5, 5), (8, 1, 12, 3)], "a stratum with no rejected rows counts that share as 0")
    add([(10, 4, 30, 20), (0, 0, 0, 0), (8, 1, 12, 3)], "an empty stratum has no weight")
    add([(10, 0, 30, 0), (5, 0, 5, 0)], "no accepted rows at all: null (Clarify raises)")
    add([(0, 0, 30, 10), (0, 0, 5, 2)], "the group has no rows: null (Clarify returns 0)")
    add([(1, 1, 0, 0), (0, 0, 1, 0)], "N = 2 in two strata")
    rng = np.random.default_rng(1975)
    add([(30, 10, 50, 30), (20, 12, 40, 10), (15, 3, 25, 20)], "weighted rows, args are weight sums", rng, 1975)
    return cases


# --------------------------------------------------------------------------------------------
# Composition of the positive class vs the reference
# --------------------------------------------------------------------------------------------


def composition_cases():
    cases = []
    for positives, reference, note in [
        ({"f": 30, "m": 70}, {"f": 0.51, "m": 0.49}, None),
        ({"18-29": 10, "30-49": 50, "50+": 40}, {"18-29": 0.2, "30-49": 0.35, "50+": 0.45}, None),
        ({"a": 5, "b": 0}, {"a": 0.5, "b": 0.3, "c": 0.2}, "reference group absent from the positives"),
        ({"a": 5, "x": 5}, {"a": 1.0}, "a group with positives that the reference lacks"),
        ({"a": 12.5, "b": 7.25}, {"a": 2, "b": 3}, "weighted positives; reference given as counts"),
    ]:
        names = list(dict.fromkeys([*positives, *reference]))
        p = np.array([positives.get(g, 0) for g in names], dtype=float)
        q = np.array([reference.get(g, 0) for g in names], dtype=float)
        pn, qn = p / p.sum(), q / q.sum()
        expected = {
            "groups": [
                {"group": g, "positives": float(p[i]), "share": float(pn[i]), "referenceShare": float(qn[i])}
                for i, g in enumerate(names)
            ],
            "totalVariationDistance": num(cityblock(pn, qn) / 2),
            "jsDivergenceBits": num(jensenshannon(p, q, base=2) ** 2),
        }
        cases.append(
            case(
                f"p, q = {p.tolist()!r}, {q.tolist()!r}; cityblock(p/p.sum(), q/q.sum()) / 2, jensenshannon(p, q, base=2) ** 2",
                [positives, reference],
                expected,
                note=note,
            )
        )
    return cases



# --------------------------------------------------------------------------------------------
# The label table of one attribute (compare's labelMetrics): rows without a label left out,
# the Uniform Guidelines' impact ratio against the judged group with the highest rate
# --------------------------------------------------------------------------------------------

POSITIVE, NEGATIVE, MISSING, OTHER = 1, 0, 2, 3


def table_rows(spec, rng=None):
    """Row arrays (group name, label state, weight) for {group: (positives, negatives, missing, other)}."""
    g, state = [], []
    for name, (pos, neg, miss, other) in spec.items():
        g += [name] * (pos + neg + miss + other)
        state += [POSITIVE] * pos + [NEGATIVE] * neg + [MISSING] * miss + [OTHER] * other
    g, state = np.array(g, dtype=object), np.array(state)
    w = np.ones(len(g)) if rng is None else rng.lognormal(0.0, 0.6, len(g))
    return g, state, w


def compare_rows(g, state, w, names):
    """The group_counts counters of each group, as the compare query returns them."""
    out = []
    for name in names:
        m = g == name
        miss, other, unl = m & (state == MISSING), m & (state == OTHER), m & (state >= MISSING)
        pos = m & (state == POSITIVE)
        out.append(
            {
                "group": name,
                "count": int(m.sum()),
                "weightSum": float(w[m].sum()),
                "weightSqSum": float((w[m] ** 2).sum()),
                "positives": int(pos.sum()),
                "positiveWeightSum": float(w[pos].sum()),
                "labelMissing": int(miss.sum()),
                "labelMissingWeightSum": float(w[miss].sum()),
                "labelOther": int(other.sum()),
                "labelOtherWeightSum": float(w[other].sum()),
                "unlabelledWeightSqSum": float((w[unl] ** 2).sum()),
            }
        )
    return out


def wilson(k, n, weighted):
    """95 % Wilson interval: scipy's binomtest(k, n).proportion_ci('wilson') for counts; the formula for Kish's N."""
    if weighted:
        return wilson_formula(k, n, float(st.norm.ppf(0.975)))
    ci = st.binomtest(int(round(k)), int(round(n))).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(ci.low), float(ci.high)]


def label_table(g, state, w, names, min_group_count, weighted, negative_declared):
    """Every number of a label table from row arrays (labelled = positive or negative)."""
    labelled = (state == POSITIVE) | (state == NEGATIVE)
    y = (state == POSITIVE).astype(int)
    rates, judged = {}, {}
    for name in names:
        m = (g == name) & labelled
        rates[name] = float(np.average(y[m], weights=w[m])) if w[m].sum() > 0 else None
        judged[name] = rates[name] is not None and int(m.sum()) >= min_group_count
    top = None
    for name in names:
        if judged[name] and (top is None or rates[name] > rates[top]):
            top = name
    groups = []
    for name in names:
        f = g == name
        fl, al = f & labelled, ~f & labelled
        q = rates[name]
        row = {
            "group": name,
            "positives": float(w[f & (state == POSITIVE)].sum()),
            "unlabelled": float(w[f & (state >= MISSING)].sum()),
            "positiveRate": q,
            "classImbalance": num((w[~f].sum() - w[f].sum()) / w.sum()),
        }
        if q is None:
            row["ci"] = None
        else:
            n_eff = w[fl].sum() ** 2 / (w[fl] ** 2).sum()
            row["ci"] = wilson(q * n_eff, n_eff, weighted)
        if q is None or not al.any():
            for key in ["dpl", "disparateImpact", "kl", "js", "lp", "tvd", "ks"]:
                row[key] = None
        else:
            qa = float(np.average(y[al], weights=w[al]))
            pa, pd = label_dist(y[al], w[al]), label_dist(y[fl], w[fl])
            row["dpl"] = num(qa - q)
            row["disparateImpact"] = num(q / qa) if qa > 0 else None
            row["kl"] = num(st.entropy(pa, pd))
            row["js"] = num(jensenshannon(pa, pd) ** 2)
            row["lp"] = num(np.linalg.norm(pa - pd, ord=2))
            row["tvd"] = num(cityblock(pa, pd) / 2)
            row["ks"] = num(chebyshev(pa, pd))
        ratio = None if top is None or rates[top] == 0 or q is None else q / rates[top]
        row["impactRatio"] = num(ratio)
        row["fourFifths"] = None if not judged[name] or ratio is None else ("pass" if ratio >= 0.8 else "fail")
        groups.append(row)
    out = {
        "positiveRate": num(np.average(y[labelled], weights=w[labelled])) if labelled.any() else None,
        "missing": float(w[state == MISSING].sum()),
        "highestRateGroup": top,
        "notJudged": [n for n in names if not judged[n]],
        "groups": groups,
    }
    if negative_declared:
        out["otherValues"] = float(w[state == OTHER].sum())
    return out


def label_table_cases():
    cases = []

    def add(spec, note, min_group_count=30, seed=None, negative=False):
        rng = None if seed is None else np.random.default_rng(seed)
        g, state, w = table_rows(spec, rng)
        names = list(spec)
        expected = label_table(g, state, w, names, min_group_count, seed is not None, negative)
        args = {
            "rows": compare_rows(g, state, w, names),
            "minGroupCount": min_group_count,
            "weighted": seed is not None,
            "negativeDeclared": negative,
        }
        setup = f"g, state, w = table_rows({spec!r}{'' if seed is None else f', np.random.default_rng({seed})'})"
        cases.append(
            case(
                f"{setup}; label_table(g, state, w, min_group_count={min_group_count})  # rates: np.average over labelled rows; "
                "IR: rate / max(rates of judged groups); ci: scipy.stats.binomtest(k, n).proportion_ci(method='wilson') "
                "(Wilson's formula on Kish's N when weighted); kl: scipy.stats.entropy(P_a, P_d); js: jensenshannon(P_a, P_d) ** 2",
                [args],
                expected,
                note=note,
            )
        )

    # Penguins-shaped (palmerpenguins: 152 Adelie, 68 Chinstrap, 124 Gentoo; body mass missing for one
    # Adelie and one Gentoo): label "body mass above the median", 166 positives of 342 labelled rows.
    add(
        {"Adelie": (30, 121, 1, 0), "Chinstrap": (17, 51, 0, 0), "Gentoo": (119, 4, 1, 0)},
        "penguins-shaped: 2 of 344 rows without a label, overall rate 166/342",
    )
    add(
        {"a": (40, 60, 7, 0), "b": (25, 55, 3, 0), "c": (12, 8, 0, 0)},
        "weighted rows with missing labels; c is too small to judge",
        seed=344,
    )
    add(
        {"a": (30, 50, 2, 5), "b": (20, 70, 0, 3), "c": (9, 1, 1, 0)},
        "label.negative declared: 'other' values left out; the small group c has the highest rate (IR > 1)",
        negative=True,
    )
    add({"a": (5, 10, 1, 0), "b": (8, 3, 0, 0)}, "nothing judged: no impact ratio, insufficient evidence")
    add({"a": (40, 40, 0, 0), "b": (0, 0, 6, 0), "c": (30, 60, 0, 0)}, "a group with rows but no labelled row")
    add({"a": (0, 50, 0, 0), "b": (0, 40, 4, 0)}, "no positives: every impact ratio null")
    return cases


def impact_ratio_cases():
    """impactRatios on rates from row arrays: rate / max(rates of the judged groups)."""
    cases = []
    rng = np.random.default_rng(1978)
    for spec, judged, note in [
        ({"a": (30, 70), "b": (45, 55), "c": (60, 40)}, [True, True, True], "c has the highest rate"),
        ({"a": (30, 70), "b": (45, 55), "c": (9, 1)}, [True, True, False], "c is higher but not judged"),
        ({"a": (0, 10), "b": (0, 20)}, [True, True], "every rate 0: no ratio"),
        ({"a": (3, 7), "b": (5, 5)}, [False, False], "nothing judged: no ratio"),
        ({"a": (12, 30), "b": (12, 30)}, [True, True], "a tie: the first is the highest"),
    ]:
        w = {k: rng.lognormal(0.0, 0.5, sum(v)) for k, v in spec.items()}
        y = {k: np.array([1] * v[0] + [0] * v[1]) for k, v in spec.items()}
        rates = [float(np.average(y[k], weights=w[k])) for k in spec]
        judged_rates = [r for r, j in zip(rates, judged) if j]
        top = max(judged_rates) if judged_rates else None
        highest = None if top is None else next(i for i, (r, j) in enumerate(zip(rates, judged)) if j and r == top)
        ratios = [None if top is None or top == 0 else num(r / top) for r in rates]
        cases.append(
            case(
                f"rates = [np.average(y[k], weights=w[k]) for k in {list(spec)}]; [r / max(judged rates) for r in rates]",
                [[{"rate": r, "judged": j} for r, j in zip(rates, judged)]],
                {"highest": highest, "ratios": ratios},
                note=note,
            )
        )
    return cases


def main():
    data = {
        "generatedBy": "tests/oracles/label_oracle.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__},
        "tolerance": "|actual - expected| <= atol + rtol * |expected|",
        "cases": {
            **label_cases(),
            "conditionalDemographicDisparity": cdd_cases(),
            "positiveClassComposition": composition_cases(),
            "labelTable": label_table_cases(),
            "impactRatios": impact_ratio_cases(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    n = sum(len(v) for v in data["cases"].values())
    print(f"wrote {n} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

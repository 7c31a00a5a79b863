#!/usr/bin/env python3
"""Oracle values for functions/core/stats, computed with scipy and numpy.

Run from the repository root:

    python3 tests/oracles/stats_oracle.py

It writes tests/fixtures/oracles/stats.json. That file is committed; the TypeScript test suite
reads it and never needs Python at run time.

Every case records the arguments as the TypeScript function receives them (`args`), the value
expected (`expected`), the tolerance (`rtol`, `atol`: |actual - expected| <= atol + rtol*|expected|)
and the exact Python expression that produced the value (`call`). Where scipy returns NaN or inf
(a value our functions report as null), `expected` is null and `note` says what scipy returned.

Independence notes:
- Wilson intervals for integer counts come from scipy's own implementation
  (`binomtest(k, n).proportion_ci(method='wilson')`, Newcombe 1998 form). statsmodels is not
  installed here, so non-integer (weighted) counts and other z values use the textbook formula
  written out below in Python with z = scipy.stats.norm.ppf(...).
- Monte-Carlo chi-square p-values are checked against the exact multinomial p-value (full
  enumeration of all outcomes, small N) or against a large numpy simulation.
"""

from __future__ import annotations

import itertools
import json
import math
import platform
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial.distance import chebyshev, cityblock, euclidean, jensenshannon

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "stats.json"

RTOL = 1e-9  # default: agreement to nine significant digits
RTOL_TAIL = 1e-6  # far tails (p-values below 1e-12)
RTOL_HUGE_N = 1e-8  # binomial with n >= 5e7 (see binomial_cases)
ATOL = 1e-15  # absolute floor for values that are exactly zero in scipy


def num(x):
    """A plain float for JSON, or None for NaN/inf."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return x


def case(call, args, expected, rtol=RTOL, atol=ATOL, note=None):
    c = {"call": call, "args": args, "expected": expected, "rtol": rtol, "atol": atol}
    if note:
        c["note"] = note
    return c


# --------------------------------------------------------------------------------------------
# Wilson score interval
# --------------------------------------------------------------------------------------------


def wilson_formula(n, N, z):
    """Wilson (1927), written out: centre and half-width of the score interval."""
    p = n / N
    denom = N + z * z
    centre = (n + z * z / 2) / denom
    half = z / denom * math.sqrt(N * p * (1 - p) + z * z / 4)
    lo = 0.0 if n == 0 else centre - half
    hi = 1.0 if n == N else centre + half
    return [lo, hi]


def wilson_cases():
    cases = []
    z95 = float(st.norm.ppf(0.975))
    assert z95 == 1.959963984540054
    for k, n in [
        (0, 10),
        (10, 10),
        (3, 10),
        (5, 10),
        (0, 1),
        (1, 1),
        (1, 2),
        (50, 100),
        (1, 1000),
        (123456, 200000),
        (5, 100_000_000),
        (50_000_000, 100_000_000),
        (99_999_999, 100_000_000),
        (100_000_000, 100_000_000),
        (0, 100_000_000),
    ]:
        ci = st.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        cases.append(
            case(
                f"scipy.stats.binomtest({k}, {n}).proportion_ci(confidence_level=0.95, method='wilson')",
                [k, n],
                [num(ci.low), num(ci.high)],
            )
        )
    # 99 % interval through scipy, passing z explicitly to the TypeScript function.
    z99 = float(st.norm.ppf(0.995))
    for k, n in [(3, 10), (40, 1000)]:
        ci = st.binomtest(k, n).proportion_ci(confidence_level=0.99, method="wilson")
        cases.append(
            case(
                f"scipy.stats.binomtest({k}, {n}).proportion_ci(confidence_level=0.99, method='wilson')"
                f"  # z = scipy.stats.norm.ppf(0.995) = {z99!r}",
                [k, n, z99],
                [num(ci.low), num(ci.high)],
            )
        )
    # Weighted (non-integer) counts: n = share * N_eff. Formula in Python (statsmodels unavailable).
    for n, N in [(12.5, 40.3), (0.7, 3.2), (0.0, 7.5), (7.5, 7.5), (1234.56, 9876.5)]:
        cases.append(
            case(
                f"wilson_formula({n!r}, {N!r}, z=scipy.stats.norm.ppf(0.975))"
                "  # Wilson 1927 written out in tests/oracles/stats_oracle.py",
                [n, N],
                wilson_formula(n, N, z95),
            )
        )
    cases.append(
        case(
            "N = 0: no interval (scipy.stats.binomtest raises ValueError for n = 0)",
            [0, 0],
            None,
        )
    )
    return cases


# --------------------------------------------------------------------------------------------
# Two-sided exact binomial test
# --------------------------------------------------------------------------------------------


def binomial_cases():
    cases = []
    fixed = [
        (123456, 200000, 0.6),  # DESIGN.md: far tail where @stdlib/stats-binomial-test is wrong
        (0, 10, 0.5),
        (10, 10, 0.5),
        (3, 10, 0.5),
        (5, 10, 0.5),
        (7, 20, 0.3),
        (0, 1, 0.5),
        (1, 1, 0.5),
        (1, 1, 0.3),
        (0, 1, 0.3),
        (0, 5, 0.0),
        (2, 5, 0.0),
        (5, 5, 1.0),
        (3, 5, 1.0),
        (0, 5, 1.0),
        (0, 100, 0.01),
        (100, 100, 0.99),
        (1, 1000, 0.01),
        (15, 1000, 0.03),
        (123, 1000, 0.1),
        (682, 1000, 0.7),
        (50, 100, 0.5),
        (51, 100, 0.5),
        (30, 100, 0.25),
        (25, 100, 0.25),
        (2, 3, 0.5),
        (1, 10, 0.1),
        (40, 50, 0.5),
        (0, 200000, 0.0001),
        (50_000_000, 100_000_000, 0.5),
        (49_990_000, 100_000_000, 0.5),
        (49_950_000, 100_000_000, 0.5),
        (50_040_000, 100_000_000, 0.5),
        (1000, 100_000_000, 1e-5),
        (1100, 100_000_000, 1e-5),
        (0, 100_000_000, 1e-7),
        (3, 100_000_000, 1e-7),
        (100_000_000, 100_000_000, 0.9999999),
        (99_999_990, 100_000_000, 0.9999999),
        (12_345_678, 100_000_000, 0.12345),
        (600, 1000, 0.3),
        (100, 1000, 0.3),
        (1, 100000, 0.5),
        (20000, 40000, 0.6),
    ]
    rng = np.random.default_rng(20240607)
    rand = []
    for _ in range(40):
        n = int(rng.choice([1, 2, 5, 17, 60, 250, 1000, 5000, 123457, 10_000_000]))
        p = float(np.round(rng.uniform(0.001, 0.999), 4))
        # around the mean, with the occasional far tail
        sd = math.sqrt(n * p * (1 - p))
        k = int(np.clip(round(n * p + rng.normal(0, 1) * sd * rng.choice([0.5, 2, 6])), 0, n))
        rand.append((k, n, p))
    for k, n, p in fixed + rand:
        pval = float(st.binomtest(k, n, p, alternative="two-sided").pvalue)
        rtol = RTOL if pval > 1e-12 else RTOL_TAIL
        note = None
        if n >= 50_000_000 and rtol < RTOL_HUGE_N:
            # stdlib's betainc (a port of Boost's ibeta without its newer large-a,b refinements)
            # loses about a*eps in its power-term prefix: 3.4e-9 relative at a = 5e7. For
            # binomtest(49990000, 100000000, 0.5) an mpmath 40-digit sum of the pmf gives
            # cdf(49989999) = 0.022744733121460227, scipy 0.022744733121446908 (6e-13),
            # stdlib 0.022744733199236734 (3.4e-9).
            rtol = RTOL_HUGE_N
            note = "n >= 5e7: rtol 1e-8 (stdlib betainc precision, see stats_oracle.py)"
        cases.append(
            case(
                f"scipy.stats.binomtest({k}, {n}, {p!r}, alternative='two-sided').pvalue",
                [k, n, p],
                num(pval),
                rtol=rtol,
                atol=1e-300 if pval < 1e-12 else ATOL,
                note=note,
            )
        )
    cases.append(
        case(
            "n = 0: null (scipy.stats.binomtest(0, 0, 0.5) raises ValueError: n must be >= 1)",
            [0, 0, 0.5],
            None,
        )
    )
    cases.append(case("k > n: null (scipy raises ValueError)", [6, 5, 0.5], None))
    cases.append(case("p outside [0, 1]: null (scipy raises ValueError)", [1, 5, 1.5], None))
    return cases


# --------------------------------------------------------------------------------------------
# Benjamini-Hochberg
# --------------------------------------------------------------------------------------------


def bh(ps):
    idx = [i for i, p in enumerate(ps) if p is not None]
    out = [None] * len(ps)
    if idx:
        adj = st.false_discovery_control([ps[i] for i in idx], method="bh")
        for i, a in zip(idx, adj):
            out[i] = num(a)
    return out


def bh_cases():
    rng = np.random.default_rng(7)
    lists = [
        [0.01, 0.02, 0.03, 0.04, 0.05],
        [0.05, 0.04, 0.03, 0.02, 0.01],
        [0.01, 0.01, 0.03, 0.03],
        [0.2, 0.2, 0.2],
        [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        [0.3],
        [0.0],
        [1.0, 1.0],
        [0.0, 0.5],
        [0.9, 0.01, 0.9, 0.02],
        [0.01, None, 0.04],
        [None, None],
        [],
        [None, 0.5, None, 0.01, 0.01],
        [float(x) for x in rng.uniform(0, 1, 25)],
        [float(x) for x in rng.uniform(0, 0.05, 12)] + [float(x) for x in rng.uniform(0, 1, 12)],
        [1e-300, 1e-200, 2.5e-56, 0.5],
    ]
    cases = []
    for ps in lists:
        nn = [p for p in ps if p is not None]
        cases.append(
            case(
                f"scipy.stats.false_discovery_control({nn!r}, method='bh')"
                + ("  # nulls excluded, then put back in place" if len(nn) != len(ps) else ""),
                [ps],
                bh(ps),
            )
        )
    return cases


# --------------------------------------------------------------------------------------------
# Chi-square goodness of fit
# --------------------------------------------------------------------------------------------

ALMOST_ONE = 1 - 64 * np.finfo(float).eps  # R chisq.test(simulate.p.value = TRUE)


def chi2_stat(obs, exp):
    return float(np.sum((obs - exp) ** 2 / exp))


def exact_multinomial_p(obs, shares):
    """Exact P(X^2_sim >= X^2_obs) under Multinomial(N, shares), by enumeration."""
    obs = np.asarray(obs, dtype=float)
    shares = np.asarray(shares, dtype=float)
    N = int(obs.sum())
    k = len(obs)
    exp = N * shares
    stat_obs = chi2_stat(obs, exp)
    logp = np.log(shares)
    total = 0.0
    for cut in itertools.combinations(range(N + k - 1), k - 1):
        counts = []
        prev = -1
        for c in cut:
            counts.append(c - prev - 1)
            prev = c
        counts.append(N + k - 1 - prev - 1)
        x = np.asarray(counts, dtype=float)
        if chi2_stat(x, exp) >= ALMOST_ONE * stat_obs:
            lp = math.lgamma(N + 1) - sum(math.lgamma(c + 1) for c in counts) + float(np.sum(x * logp))
            total += math.exp(lp)
    return total


def numpy_mc_p(obs, shares, draws, seed):
    obs = np.asarray(obs, dtype=float)
    shares = np.asarray(shares, dtype=float)
    N = int(obs.sum())
    exp = N * shares
    stat_obs = chi2_stat(obs, exp)
    rng = np.random.default_rng(seed)
    sims = rng.multinomial(N, shares, size=draws).astype(float)
    stats = np.sum((sims - exp) ** 2 / exp, axis=1)
    return (1 + int(np.sum(stats >= ALMOST_ONE * stat_obs))) / (draws + 1)


def chi2_cases():
    cases = []

    def reference_mc(obs, sh, draws):
        """Exact multinomial p when the outcomes are few enough to enumerate, else numpy."""
        N, k = int(sum(obs)), len(obs)
        if math.comb(N + k - 1, k - 1) <= 300_000:
            ref = exact_multinomial_p(obs, sh)
            ref_call = f"exact_multinomial_p({obs!r}, {[float(x) for x in sh]!r})  # full enumeration"
            ref_draws = None
        else:
            ref_draws = 2_000_000
            ref = numpy_mc_p(obs, sh, ref_draws, 12345)
            ref_call = (
                f"numpy_mc_p({obs!r}, {[float(x) for x in sh]!r}, draws={ref_draws}, seed=12345)"
                "  # np.random.default_rng(12345).multinomial"
            )
        # tolerance: 4.5 Monte-Carlo standard errors of our estimate (and of the reference when it
        # is itself simulated), plus the 1/(draws + 1) offset of (1 + count)/(draws + 1)
        var = max(ref * (1 - ref), 1e-12)
        se = math.sqrt(var / draws + (var / ref_draws if ref_draws else 0.0))
        tol = 4.5 * se + 1 / (draws + 1)
        return {"referencePValue": ref, "referenceCall": ref_call, "draws": draws, "absTolerance": tol}

    def asymptotic(obs, shares, options=None, note=None):
        options = options or {}
        obs_a = np.asarray(obs, dtype=float)
        sh = np.asarray(shares, dtype=float)
        sh = sh / sh.sum()
        N = float(obs_a.sum())
        keep = ~((sh == 0) & (obs_a == 0))
        unexpected = [i for i in range(len(obs)) if sh[i] == 0 and obs_a[i] > 0]
        o, e = obs_a[keep], N * sh[keep]
        k = int(keep.sum())
        with np.errstate(divide="ignore"):  # an unexpected group: scipy divides by f_exp = 0
            res = st.chisquare(o, f_exp=e)
        call = (
            f"scipy.stats.chisquare({[float(x) for x in o]!r}, f_exp={N!r} * np.array({[float(x) for x in sh[keep]]!r}))"
        )
        if k != len(obs):
            call += "  # groups with share 0 and count 0 dropped"
        expected = {
            "statistic": None if unexpected else num(res.statistic),
            "df": k - 1,
            "pValue": 0.0 if unexpected else num(res.pvalue),
            "unexpectedGroups": unexpected,
        }
        simulate = options.get("simulate", "auto")
        if not unexpected and k > 1 and (simulate == "always" or (simulate == "auto" and np.any(e < 5))):
            expected["monteCarlo"] = reference_mc([int(x) for x in o], sh[keep], options.get("draws", 10000))
        pv = expected["pValue"]
        rtol = RTOL if (pv is None or pv > 1e-12) else RTOL_TAIL
        args = [obs, shares] + ([options] if options else [])
        cases.append(case(call, args, expected, rtol=rtol, atol=1e-300, note=note))

    asymptotic([10, 20, 30], [1 / 6, 1 / 3, 1 / 2])
    asymptotic([50, 30, 20], [0.4, 0.4, 0.2])
    asymptotic([18, 22, 20, 25, 15], [0.2, 0.2, 0.2, 0.2, 0.2])
    asymptotic([0, 10, 5], [0.2, 0.5, 0.3], note="an empty dataset group")
    asymptotic([5, 0, 7], [0.5, 0.0, 0.5], note="group absent from both: dropped from k")
    asymptotic([0, 0, 100], [0.3, 0.3, 0.4], note="all rows in one group")
    asymptotic([0, 0, 1000], [0.3, 0.3, 0.4], note="all rows in one group, far tail")
    asymptotic([5, 3, 7], [0.5, 0.0, 0.5], note="scipy gives statistic inf, p 0: we report null statistic, p 0 and group 1 as unexpected")
    asymptotic(
        [50_010_000, 29_995_000, 19_995_000],
        [0.5, 0.3, 0.2],
        note="huge N (1e8)",
    )
    asymptotic([50_000_000, 30_000_000, 20_000_000], [0.5, 0.3, 0.2], note="huge N, perfect fit")
    asymptotic([120, 80], [0.55, 0.45])
    asymptotic([3, 1, 2], [3, 1, 2], note="shares given as counts: rescaled to sum 1")
    # one group: statistic 0, df 0, scipy p = nan -> null
    o = st.chisquare([10], f_exp=[10])
    cases.append(
        case(
            "scipy.stats.chisquare([10.0], f_exp=[10.0])  # df = 0: scipy p-value is nan -> null",
            [[10], [1.0]],
            {"statistic": num(o.statistic), "df": 0, "pValue": None, "unexpectedGroups": []},
            note="one group",
        )
    )
    cases.append(
        case(
            "N = 0: no test (scipy.stats.chisquare([0, 0], f_exp=[0, 0]) gives nan)",
            [[0, 0], [0.5, 0.5]],
            {"statistic": None, "df": None, "pValue": None, "unexpectedGroups": []},
        )
    )

    # Monte-Carlo cases (the reference p-value is exact where enumeration is feasible).
    asymptotic(
        [1, 2, 60],
        [0.1, 0.1, 0.8],
        {"simulate": "always", "seed": 42},
        note="DESIGN.md: @stdlib/stats-chi2gof with simulate returned p = 1 here",
    )
    asymptotic([1, 2, 60], [0.05, 0.05, 0.9], {"seed": 7}, note="expected counts 3.15 < 5: Monte-Carlo added")
    asymptotic([0, 3, 7], [0.2, 0.3, 0.5], note="N = 10, default seed and draws")
    asymptotic([4, 0, 1, 5], [0.25, 0.25, 0.25, 0.25], {"seed": 3, "draws": 20000})
    asymptotic([1, 0], [0.5, 0.5], note="N = 1")
    asymptotic([0, 1, 0], [0.0, 0.3, 0.7], note="N = 1, one reference group empty and dropped")
    asymptotic([2, 9], [0.5, 0.5], {"seed": 11}, note="expected 5.5: no Monte-Carlo under 'auto'")
    asymptotic([2, 9], [0.5, 0.5], {"seed": 11, "simulate": "always"})
    asymptotic([1, 2, 60], [0.05, 0.05, 0.9], {"simulate": "never"}, note="Monte-Carlo switched off")
    asymptotic(
        [9990, 7, 3],
        [0.9995, 0.0003, 0.0002],
        {"seed": 99},
        note="N = 10000 with two rare groups (expected 3 and 2)",
    )
    asymptotic(
        [49_999_990, 50_000_005, 5],
        [0.5, 0.4999999, 0.0000001],
        {"seed": 5, "draws": 2000, "simulate": "always"},
        note="N = 1e8 with one rare group (expected 10)",
    )
    return cases


# --------------------------------------------------------------------------------------------
# Distances between share vectors
# --------------------------------------------------------------------------------------------

PAIRS = [
    ([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]),
    ([0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]),
    ([1.0, 0.0], [0.0, 1.0]),
    ([1.0], [1.0]),
    ([0.0, 0.5, 0.5], [0.2, 0.4, 0.4]),
    ([0.1, 0.6, 0.3], [0.0, 0.7, 0.3]),
    ([0.7, 0.2, 0.1, 0.0], [0.6, 0.2, 0.1, 0.1]),
    ([10, 30, 60], [0.2, 0.3, 0.5]),
    ([1e-12, 1 - 1e-12], [0.5, 0.5]),
    ([0.999999, 0.000001], [0.000001, 0.999999]),
    ([0.62, 0.13, 0.12, 0.06, 0.05, 0.02], [0.58, 0.14, 0.19, 0.06, 0.02, 0.01]),
    ([0.0, 1.0, 0.0], [0.0, 0.5, 0.5]),
]


def norm(v):
    a = np.asarray(v, dtype=float)
    return a / a.sum()


def distance_cases():
    out = {k: [] for k in ["totalVariationDistance", "linfDistance", "hellingerDistance", "klDivergence", "jensenShannonDivergence", "cohensW"]}
    for p, q in PAIRS:
        pn, qn = norm(p), norm(q)
        P, Q = f"np.array({p!r})", f"np.array({q!r})"
        pN, qN = f"{P}/{P}.sum()", f"{Q}/{Q}.sum()"
        out["totalVariationDistance"].append(
            case(f"scipy.spatial.distance.cityblock({pN}, {qN}) / 2", [p, q], num(cityblock(pn, qn) / 2))
        )
        out["linfDistance"].append(case(f"scipy.spatial.distance.chebyshev({pN}, {qN})", [p, q], num(chebyshev(pn, qn))))
        out["hellingerDistance"].append(
            case(
                f"scipy.spatial.distance.euclidean(np.sqrt({pN}), np.sqrt({qN})) / np.sqrt(2)",
                [p, q],
                num(euclidean(np.sqrt(pn), np.sqrt(qn)) / np.sqrt(2)),
            )
        )
        kl = st.entropy(p, q)
        out["klDivergence"].append(
            case(
                f"scipy.stats.entropy({p!r}, {q!r})",
                [p, q],
                num(kl),
                note="scipy returns inf: p > 0 where q = 0" if math.isinf(kl) else None,
            )
        )
        out["jensenShannonDivergence"].append(
            case(
                f"scipy.spatial.distance.jensenshannon({p!r}, {q!r}, base=2) ** 2",
                [p, q],
                num(jensenshannon(p, q, base=2) ** 2),
            )
        )
        keep = ~((pn == 0) & (qn == 0))
        if np.any((qn == 0) & (pn > 0)):
            out["cohensW"].append(
                case(f"np.sqrt(scipy.stats.chisquare({pN}, f_exp={qN}).statistic)  # inf", [p, q], None, note="q = 0 where p > 0")
            )
        else:
            w = math.sqrt(st.chisquare(pn[keep], f_exp=qn[keep]).statistic)
            out["cohensW"].append(
                case(
                    f"np.sqrt(scipy.stats.chisquare({pN}, f_exp={qN}).statistic)"
                    + ("  # groups with p = q = 0 dropped" if not keep.all() else ""),
                    [p, q],
                    num(w),
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Diversity
# --------------------------------------------------------------------------------------------

SHARES = [
    [0.25, 0.25, 0.25, 0.25],
    [0.5, 0.3, 0.2],
    [1.0],
    [0, 0, 10],
    [0, 5, 5],
    [120, 80, 40, 10, 1],
    [0.62, 0.13, 0.12, 0.06, 0.05, 0.02],
    [1e-9, 1 - 1e-9],
    [3, 3],
    [100_000_000, 1, 7],
]


def diversity_cases():
    out = {k: [] for k in ["shannonEntropy", "evenness", "simpsonIndex", "hillNumber", "imbalanceRatio"]}
    for s in SHARES:
        a = np.asarray(s, dtype=float)
        pn = a / a.sum()
        S = f"np.array({s!r})"
        SN = f"{S}/{S}.sum()"
        H = st.entropy(s)
        out["shannonEntropy"].append(case(f"scipy.stats.entropy({s!r})", [s], num(H)))
        k = len(s)
        out["evenness"].append(
            case(
                f"scipy.stats.entropy({s!r}) / np.log({k})" if k > 1 else "k = 1: evenness undefined (0/0)",
                [s],
                num(H / math.log(k)) if k > 1 else None,
            )
        )
        out["simpsonIndex"].append(case(f"1 - np.sum(({SN})**2)", [s], num(1 - np.sum(pn**2))))
        out["hillNumber"].append(case(f"np.exp(scipy.stats.entropy({s!r}))", [s, 1], num(np.exp(H))))
        out["hillNumber"].append(case(f"1 / np.sum(({SN})**2)", [s, 2], num(1 / np.sum(pn**2))))
        out["hillNumber"].append(case(f"np.count_nonzero({S})", [s, 0], num(np.count_nonzero(a))))
        pos = pn[pn > 0]
        out["hillNumber"].append(case(f"np.sum(({SN})[{SN} > 0]**0.5)**2", [s, 0.5], num(np.sum(pos**0.5) ** 2)))
        out["hillNumber"].append(
            case(f"np.sum(({SN})[{SN} > 0]**3)**(-1/2)", [s, 3], num(np.sum(pos**3) ** (-1 / 2)))
        )
        nz = a[a > 0]
        out["imbalanceRatio"].append(
            case(
                f"{S}[{S} > 0].max() / {S}[{S} > 0].min()" if len(nz) >= 2 else "fewer than 2 non-empty groups: null",
                [s],
                num(nz.max() / nz.min()) if len(nz) >= 2 else None,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Kish effective sample size and design effect
# --------------------------------------------------------------------------------------------


def weight_cases():
    rng = np.random.default_rng(11)
    sets = {
        "np.ones(10)": np.ones(10),
        "np.array([1.0, 2.0, 3.0, 4.0])": np.array([1.0, 2.0, 3.0, 4.0]),
        "np.array([2.5])": np.array([2.5]),
        "np.array([0.1, 10.0])": np.array([0.1, 10.0]),
        "np.random.default_rng(11).lognormal(0, 1, 1000)": rng.lognormal(0, 1, 1000),
    }
    kish, deff = [], []
    for label, w in sets.items():
        s1, s2 = float(w.sum()), float((w**2).sum())
        kish.append(case(f"w = {label}; w.sum()**2 / (w**2).sum()", [s1, s2], num(s1**2 / s2)))
        deff.append(
            case(
                f"w = {label}; np.mean(w**2) / np.mean(w)**2",
                [len(w), s1, s2],
                num(np.mean(w**2) / np.mean(w) ** 2),
            )
        )
    kish.append(case("no weights: sum of squares 0 -> null", [0, 0], None))
    deff.append(case("no rows -> null", [0, 0, 0], None))
    return kish, deff


# --------------------------------------------------------------------------------------------
# Rows needed
# --------------------------------------------------------------------------------------------


def rows_needed_exact(n, N, t):
    """Least integer x >= 0 with (n + x)/(N + x) >= t, in exact rational arithmetic."""
    n, N, t = Fraction(n), Fraction(N), Fraction(t)
    if t >= 1:
        return 0 if (n == N and N > 0) else None
    if N == 0:
        return 1 if t > 0 else 0
    if n / N >= t:
        return 0
    return math.ceil((t * N - n) / (1 - t))


def rows_cases():
    cases = []
    for n, N, t in [
        (10, 100, 0.2),
        (0, 100, 0.5),
        (50, 100, 0.5),
        (60, 100, 0.5),
        (10, 110, 1 / 6),
        (1, 3, 0.5),
        (0, 1, 0.3),
        (1, 1, 0.3),
        (5, 100_000_000, 0.01),
        (12.5, 40.3, 0.5),
        (0, 0, 0.3),
        (0, 0, 0.0),
        (3, 10, 0.0),
        (3, 10, 0.99),
        (123456, 200000, 0.6 * 0.8),
        (40, 1000, 0.13 * 0.8),
    ]:
        x = rows_needed_exact(n, N, t)
        cases.append(case(f"rows_needed_exact({n!r}, {N!r}, {t!r})  # Fraction arithmetic", [n, N, t], x, rtol=0, atol=0))
    cases.append(case("targetShare = 1 and n < N: unreachable -> null", [3, 10, 1.0], None, rtol=0, atol=0))
    cases.append(case("targetShare = 1 and n = N: already met -> 0", [10, 10, 1.0], 0, rtol=0, atol=0))
    cases.append(case("targetShare > 1: unreachable -> null", [3, 10, 1.2], None, rtol=0, atol=0))
    return cases


def main():
    kish, deff = weight_cases()
    data = {
        "generatedBy": "tests/oracles/stats_oracle.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "tolerance": "|actual - expected| <= atol + rtol * |expected|",
        "cases": {
            "wilsonInterval": wilson_cases(),
            "binomialTestTwoSided": binomial_cases(),
            "benjaminiHochberg": bh_cases(),
            "chiSquareGoodnessOfFit": chi2_cases(),
            **distance_cases(),
            **diversity_cases(),
            "kishEffectiveN": kish,
            "designEffect": deff,
            "rowsNeeded": rows_cases(),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    n = sum(len(v) for v in data["cases"].values())
    print(f"wrote {n} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Oracle values for the drift statistics of functions/core (issue #11), computed with scipy.

Run from the repository root:

    python3 tests/oracles/drift_oracle.py

It writes tests/fixtures/oracles/drift.json. That file is committed; the TypeScript test suite
reads it and never needs Python at run time.

Independence: the pooled two-proportion z-test is checked through Pearson's chi-square test of
the 2x2 table without continuity correction (z**2 == chi2, the same p-value), which scipy computes
with its own code (`chi2_contingency`); the sign of z is the sign of x2/n2 - x1/n1. statsmodels
(`proportions_ztest`) is not installed here. BH adjustment uses `scipy.stats.false_discovery_control`,
the TVD between two runs `scipy.spatial.distance.cityblock(p, q) / 2`.
"""

from __future__ import annotations

import json
import math
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st
from scipy.spatial.distance import cityblock

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "oracles" / "drift.json"
RTOL = 1e-9
RTOL_TAIL = 1e-6
ATOL = 1e-15


def case(call, args, expected, rtol=RTOL, atol=ATOL, note=None):
    c = {"call": call, "args": args, "expected": expected, "rtol": rtol, "atol": atol}
    if note:
        c["note"] = note
    return c


def z_test(x1, n1, x2, n2):
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    res = st.chi2_contingency(table, correction=False)
    sign = math.copysign(1.0, x2 / n2 - x1 / n1) if x2 / n2 != x1 / n1 else 0.0
    return {"z": sign * math.sqrt(res.statistic), "pValue": float(res.pvalue)}


def z_cases():
    cases = []
    for x1, n1, x2, n2, note in [
        (120, 1000, 150, 1000, "share grew from 12 % to 15 %"),
        (300, 1500, 240, 1500, "share fell"),
        (51, 100, 49, 100, "small, not significant"),
        (5000, 20000, 5600, 20000, "large N, small change"),
        (10, 500, 60, 520, "far tail"),
        (12.5, 83.2, 20.75, 90.4, "weighted: share * Kish N_eff, non-integer"),
        (0, 200, 9, 210, "a group that appeared"),
        (333, 1000, 333, 1000, "no change: z = 0, p = 1"),
    ]:
        expected = z_test(x1, n1, x2, n2)
        tail = expected["pValue"] < 1e-12
        cases.append(
            case(
                f"chi2_contingency([[{x1}, {n1} - {x1}], [{x2}, {n2} - {x2}]], correction=False)  # z = sign * sqrt(chi2)",
                [x1, n1, x2, n2],
                expected,
                rtol=RTOL_TAIL if tail else RTOL,
                note=note,
            )
        )
    cases.append(case("both shares 0: no variance -> null", [0, 100, 0, 120], None, rtol=0, atol=0))
    cases.append(case("n1 = 0 -> null", [0, 0, 3, 10], None, rtol=0, atol=0))
    return cases


def drift_cases():
    """Whole attributes: shares and N of two runs -> per-group p, BH-adjusted p, and the TVD."""
    cases = []
    for before, after, n1, n2 in [
        ([0.5, 0.3, 0.2], [0.45, 0.3, 0.25], 2000, 2400),
        ([0.1, 0.2, 0.3, 0.4], [0.1, 0.25, 0.25, 0.4], 800, 640),
        ([0.6, 0.4], [0.6, 0.4], 1000, 1000),
    ]:
        ps = [z_test(b * n1, n1, a * n2, n2)["pValue"] for b, a in zip(before, after)]
        adjusted = [float(v) for v in st.false_discovery_control(ps, method="bh")]
        tvd = cityblock(before, after) / 2
        cases.append(
            case(
                f"false_discovery_control([chi2_contingency([[b*{n1}, {n1}-b*{n1}], [a*{n2}, {n2}-a*{n2}]], correction=False).pvalue for b, a in zip({before}, {after})], method='bh'); cityblock({before}, {after}) / 2",
                [before, after, n1, n2],
                {"pValues": ps, "pAdjusted": adjusted, "tvd": tvd},
            )
        )
    return cases


def main():
    data = {
        "generatedBy": "tests/oracles/drift_oracle.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__},
        "tolerance": "|actual - expected| <= atol + rtol * |expected|",
        "cases": {"twoProportionZTest": z_cases(), "runDrift": drift_cases()},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    n = sum(len(v) for v in data["cases"].values())
    print(f"wrote {n} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

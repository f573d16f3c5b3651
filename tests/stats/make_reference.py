#!/usr/bin/python3
"""Regenerates the reference values of lmc's statistics tests.

    /usr/bin/python3 tests/stats/make_reference.py     (from the repository root)

writes tests/stats/reference.json (statistics of 40+ data sets, computed by SciPy) and
tests/stats/special_functions.json (distribution functions at 50 significant digits, computed
by mpmath, and Kendall's exact null distribution from exact integer counts).

Run by hand only: it needs SciPy 1.10 and mpmath (Debian 12: python3-scipy, python3-mpmath).
CI and the C++ tests read the committed JSON files and need neither. The data sets are drawn
from a fixed seed, so a rerun reproduces the same files unless SciPy's results change.
"""

import itertools
import json
import math
import os
from fractions import Fraction

import mpmath
import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
ALTERNATIVES = ["two-sided", "less", "greater"]
rng = np.random.default_rng(20240923)


# ----------------------------------------------------------------------------- data sets


def datasets():
    """(name, x, y) triples: sizes 3..200, ties, constant ranks, negative and near-zero r."""
    out = []

    def add(name, x, y):
        out.append((name, [float(v) for v in x], [float(v) for v in y]))

    # Paper-like: BPC against average benchmark score, strongly negative.
    for n in (5, 8, 12, 20, 30, 31, 48):
        bpc = rng.uniform(0.45, 0.75, n)
        score = 110 - 120 * bpc + rng.normal(0, 2.5, n)
        add(f"paper_like_n{n}", bpc, score)
    # Smallest sizes.
    add("n3_positive", [1.0, 2.5, 3.0], [2.0, 2.9, 4.4])
    add("n3_negative", [0.61, 0.55, 0.70], [40.5, 47.25, 31.0])
    add("n4_mixed", [1, 2, 3, 4], [3.5, 1.25, 4.0, 2.0])
    add("n5_random", rng.normal(size=5), rng.normal(size=5))
    add("n6_random", rng.normal(size=6), rng.normal(size=6))
    add("n7_random", rng.normal(size=7), rng.normal(size=7))
    # Near-zero correlation.
    for n in (10, 50, 100, 200):
        add(f"independent_n{n}", rng.normal(size=n), rng.normal(size=n))
    sym = np.linspace(-3, 3, 21)
    add("parabola_n21", sym, sym**2)  # r = 0 up to rounding
    add("weak_negative_n150", np.arange(150.0), -0.02 * np.arange(150.0) + rng.normal(0, 8, 150))
    # Strong correlation, large n: tiny p-values.
    for n in (60, 120, 200):
        x = rng.normal(size=n)
        add(f"strong_n{n}", x, 3 * x + rng.normal(0, 0.4, n))
    x = rng.normal(size=200)
    add("strong_negative_n200", x, -x + rng.normal(0, 0.2, 200))
    # Ties.
    for n in (8, 15, 25, 40, 100, 200):
        x = rng.integers(0, 5, n)
        add(f"ties_n{n}", x, x + rng.integers(-2, 3, n))
    add("ties_negative_n30", rng.integers(0, 4, 30), -rng.integers(0, 6, 30))
    add("ties_x_only_n20", rng.integers(0, 4, 20), rng.normal(size=20))
    add("ties_y_only_n12", rng.normal(size=12), rng.integers(0, 3, 12))
    add("scores_rounded_n25", np.round(rng.uniform(0.5, 0.7, 25), 2),
        np.round(rng.uniform(20, 60, 25), 0))
    # Constant-rank edge cases: ranks that are (almost) all tied, or perfectly ordered.
    add("all_but_one_tied_x_n6", [1, 1, 1, 1, 1, 2], [0.3, 0.1, 0.5, 0.2, 0.4, 0.9])
    add("two_levels_n10", [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [1, 2, 2, 3, 1, 2, 3, 3, 4, 2])
    add("monotone_n10", np.arange(10.0), np.exp(np.arange(10.0) / 3))
    add("reversed_ranks_n15", np.arange(15.0), -np.sqrt(np.arange(15.0)) + 0.001 * np.arange(15.0) ** 2)
    add("monotone_one_swap_n50", np.arange(50.0),
        np.r_[np.arange(24.0), 25.0, 24.0, np.arange(26.0, 50.0)])
    add("monotone_n40_noisy_y", np.arange(40.0), np.arange(40.0) ** 1.5 + rng.normal(0, 0.01, 40))
    add("kendall_center_n4", [1, 2, 3, 4], [2, 4, 1, 3])  # as many concordant as discordant pairs
    add("kendall_center_n5", [1, 2, 3, 4, 5], [3, 5, 1, 4, 2])
    # Offsets and scales far from 1.
    x = rng.normal(size=30)
    add("large_offset_n30", 1e6 + x, 5e3 - 2 * x + rng.normal(0, 1, 30))
    add("tiny_scale_n20", 1e-8 * rng.normal(size=20), 1e-9 * rng.normal(size=20))
    add("heavy_tails_n80", rng.standard_t(2, 80), rng.standard_t(2, 80))
    # Inputs every statistic must refuse: constant x or y.
    add("constant_x_n5", [2, 2, 2, 2, 2], [1, 2, 3, 4, 5])
    add("constant_y_n6", [1, 2, 3, 4, 5, 6], [7, 7, 7, 7, 7, 7])
    return out


def is_constant(values):
    return all(v == values[0] for v in values)


def kendall_method(x, y):
    """The method SciPy's method='auto' picks (its rule, restated for the record)."""
    n = len(x)
    ties = len(set(x)) < n or len(set(y)) < n
    pairs = n * (n - 1) // 2
    discordant = sum(1 for i in range(n) for j in range(i + 1, n)
                     if (x[i] - x[j]) * (y[i] - y[j]) < 0)
    return "exact" if not ties and (n <= 33 or min(discordant, pairs - discordant) <= 1) \
        else "asymptotic"


def exact_permutation_pvalues(x, y):
    """Every arrangement of y against x; |r*| >= |r| etc. with a 1e-12 relative tolerance."""
    x = np.asarray(x)
    y = np.asarray(y)

    def r_of(yy):
        xm = x - x.mean()
        ym = yy - yy.mean()
        return float(np.dot(xm / np.linalg.norm(xm), ym / np.linalg.norm(ym)))

    observed = r_of(y)
    tolerance = 1e-12 * abs(observed)
    counts = {"two-sided": 0, "less": 0, "greater": 0}
    total = 0
    for order in itertools.permutations(range(len(y))):
        r = r_of(y[list(order)])
        total += 1
        counts["two-sided"] += abs(r) >= abs(observed) - tolerance
        counts["less"] += r <= observed + tolerance
        counts["greater"] += r >= observed - tolerance
    return {k: v / total for k, v in counts.items()}


def reference_for(name, x, y):
    entry = {"name": name, "x": x, "y": y}
    if is_constant(x) or is_constant(y):
        entry["expect_error"] = True
        return entry
    n = len(x)
    xa, ya = np.asarray(x), np.asarray(y)
    entry["ranks_x"] = [float(v) for v in stats.rankdata(xa)]
    entry["ranks_y"] = [float(v) for v in stats.rankdata(ya)]

    entry["pearson"] = {}
    entry["spearman"] = {}
    entry["kendall"] = {"method": kendall_method(x, y)}
    for alternative in ALTERNATIVES:
        p = stats.pearsonr(xa, ya, alternative=alternative)
        ci95 = p.confidence_interval(0.95)
        ci90 = p.confidence_interval(0.90)
        entry["pearson"][alternative] = {
            "r": float(p.statistic), "p": float(p.pvalue),
            "ci95": [float(ci95.low), float(ci95.high)],
            "ci90": [float(ci90.low), float(ci90.high)]}
        s = stats.spearmanr(xa, ya, alternative=alternative)
        entry["spearman"][alternative] = {"rho": float(s.statistic), "p": float(s.pvalue)}
        k = stats.kendalltau(xa, ya, alternative=alternative)
        entry["kendall"][alternative] = {"tau": float(k.statistic), "p": float(k.pvalue)}

    fit = stats.linregress(xa, ya)
    residuals = ya - (fit.intercept + fit.slope * xa)
    sse = float(np.sum(residuals**2))
    x_new = float(xa.mean() + 1.5 * xa.std())
    s = math.sqrt(sse / (n - 2))
    sxx = float(np.sum((xa - xa.mean()) ** 2))
    leverage = 1 / n + (x_new - xa.mean()) ** 2 / sxx
    # SciPy 1.10's t.ppf (Cephes stdtrit) is off by up to ~1e-9 relative, more than the
    # tolerance: the quantile comes from mpmath instead.
    t = float(t_quantile(0.975, n - 2))
    y_new = fit.intercept + fit.slope * x_new
    entry["linregress"] = {
        "slope": float(fit.slope), "intercept": float(fit.intercept), "r": float(fit.rvalue),
        "p": float(fit.pvalue), "slope_stderr": float(fit.stderr),
        "intercept_stderr": float(fit.intercept_stderr),
        "rmse": math.sqrt(sse / n), "residual_stderr": s,
        "residuals": [float(v) for v in residuals],
        "prediction": {"x": x_new, "y": float(y_new),
                       "prediction_low": float(y_new - t * s * math.sqrt(1 + leverage)),
                       "prediction_high": float(y_new + t * s * math.sqrt(1 + leverage)),
                       "mean_low": float(y_new - t * s * math.sqrt(leverage)),
                       "mean_high": float(y_new + t * s * math.sqrt(leverage))}}

    if n >= 4:
        predicted = []
        for i in range(n):
            keep = np.arange(n) != i
            if is_constant(list(xa[keep])):
                predicted = None
                break
            slope, intercept = np.polyfit(xa[keep], ya[keep], 1)
            predicted.append(float(intercept + slope * xa[i]))
        if predicted is not None:
            errors = np.asarray(predicted) - ya
            entry["leave_one_out"] = {"predicted": predicted,
                                      "mae": float(np.mean(np.abs(errors))),
                                      "rmse": float(math.sqrt(np.mean(errors**2)))}
        else:
            entry["leave_one_out"] = {"expect_error": True}
    if n <= 7:
        entry["exact_permutation"] = exact_permutation_pvalues(x, y)
    return entry


# ----------------------------------------------------------------------------- special functions

mpmath.mp.dps = 60  # working precision; values are written with 30 digits


def mp_string(value):
    return mpmath.nstr(value, 30, min_fixed=-1, max_fixed=1)


def t_cdf(t, df):
    t = mpmath.mpf(t)
    df = mpmath.mpf(df)
    tail = mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2
    return tail if t < 0 else 1 - tail


def t_quantile(p, df):
    if p == 0.5:
        return mpmath.mpf(0)
    mp_p = mpmath.mpf(p)
    guess = float(stats.t.ppf(p, df))
    # Solve on the tail that is small, in relative terms, so that tiny p keep their digits.
    if p < 0.5:
        return mpmath.findroot(lambda q: t_cdf(q, df) / mp_p - 1, guess)
    return mpmath.findroot(lambda q: (1 - t_cdf(q, df)) / (1 - mp_p) - 1, guess)


def normal_quantile(p):
    mp_p = mpmath.mpf(p)
    guess = mpmath.sqrt(2) * mpmath.erfinv(2 * mp_p - 1) if p > 1e-15 else \
        -mpmath.sqrt(-2 * mpmath.log(mp_p))
    if p < 0.5:
        return mpmath.findroot(lambda q: mpmath.log(mpmath.ncdf(q)) - mpmath.log(mp_p), guess)
    return mpmath.findroot(lambda q: mpmath.ncdf(-q) / (1 - mp_p) - 1, guess)


def special_functions():
    out = {"incomplete_beta": [], "normal_cdf": [], "normal_quantile": [], "student_t_cdf": [],
           "student_t_quantile": [], "kendall_exact": []}
    for a in (0.5, 1.0, 2.5, 10.0, 49.0, 99.0):
        for b in (0.5, 1.0, 3.0, 49.0):
            for x in (1e-10, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9):
                # Each tail computed directly (I_x(a, b) and I_{1-x}(b, a)), never as a
                # difference, so that tiny values keep their digits; 1 - x is exact in mpmath.
                value = mpmath.betainc(a, b, 0, x, regularized=True)
                complement = mpmath.betainc(b, a, 0, 1 - mpmath.mpf(x), regularized=True)
                out["incomplete_beta"].append(
                    {"a": a, "b": b, "x": x, "value": mp_string(value),
                     "complement": mp_string(complement)})
    for z in (-38.0, -20.0, -8.5, -3.0, -1.0, -1e-3, 0.0, 0.5, 1.96, 4.0, 9.0, 20.0, 37.5):
        out["normal_cdf"].append({"z": z, "cdf": mp_string(mpmath.ncdf(z)),
                                  "sf": mp_string(mpmath.ncdf(-z))})
    for p in (1e-300, 1e-100, 1e-20, 1e-10, 1e-4, 0.025, 0.2, 0.5, 0.75, 0.95, 0.975, 0.999,
              1 - 1e-10):
        out["normal_quantile"].append({"p": p, "z": mp_string(normal_quantile(p))})
    for df in (1.0, 2.0, 3.0, 5.0, 10.0, 28.0, 98.0, 198.0):
        for t in (-60.0, -12.0, -4.0, -1.5, -0.2, 0.0, 0.3, 2.0, 7.0, 45.0):
            out["student_t_cdf"].append({"t": t, "df": df, "cdf": mp_string(t_cdf(t, df))})
        for p in (1e-12, 1e-5, 0.025, 0.05, 0.3, 0.5, 0.9, 0.975, 0.995):
            out["student_t_quantile"].append({"p": p, "df": df, "t": mp_string(t_quantile(p, df))})
    # Kendall's exact null distribution from exact integer counts of permutations by their
    # number of inversions, P-values as exact fractions.
    for n in (3, 4, 5, 6, 9, 12, 20, 33):
        pairs = n * (n - 1) // 2
        counts = [1]
        for j in range(2, n + 1):
            new = [0] * (len(counts) + j - 1)
            for k, c in enumerate(counts):
                for extra in range(j):
                    new[k + extra] += c
            counts = new
        total = math.factorial(n)
        for concordant in sorted({0, 1, 2, pairs // 4, pairs // 3, pairs // 2, pairs - 1, pairs}):
            # Concordant pairs have the same distribution as inversions.
            cdf = Fraction(sum(counts[: concordant + 1]), total)   # P(C <= c)
            sf = Fraction(sum(counts[concordant:]), total)         # P(C >= c)
            two_sided = min(Fraction(1), 2 * min(cdf, sf))
            out["kendall_exact"].append({"n": n, "concordant": concordant,
                                         "less": float(cdf), "greater": float(sf),
                                         "two-sided": float(two_sided)})
    return out


def main():
    entries = [reference_for(name, x, y) for name, x, y in datasets()]
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump({"generator": "tests/stats/make_reference.py",
                   "scipy": scipy.__version__, "numpy": np.__version__,
                   "datasets": entries}, f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "special_functions.json"), "w") as f:
        json.dump({"generator": "tests/stats/make_reference.py", "mpmath": mpmath.__version__,
                   "digits": 30, **special_functions()}, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} data sets")


if __name__ == "__main__":
    main()

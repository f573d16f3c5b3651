"""lmc.stats against lmc-correlate --json (the C++ statistics) and closed forms."""

import json
import math
import os

import numpy as np
import pytest

import lmc
import lmc.stats as stats


@pytest.fixture(scope="module")
def paper_dir(source_dir):
    return os.path.join(source_dir, "examples", "data", "huang2024")


SELECTIONS = [
    ("knowledge_table4.csv", ["--x", "BPC_CC", "--y", "Average"],
     dict(x="BPC_CC", y="Average")),
    ("models.csv", ["--x-mean", "BPC_cc,BPC_python,BPC_arxiv_math", "--y-mean",
                    "knowledge_avg,coding_avg,math_avg", "--exclude", "Falcon-7b"],
     dict(x_mean=["BPC_cc", "BPC_python", "BPC_arxiv_math"],
          y=["knowledge_avg", "coding_avg", "math_avg"], exclude=["Falcon-7b"])),
]


@pytest.mark.parametrize("csv,args,selection", SELECTIONS)
def test_analysis_equals_lmc_correlate(paper_dir, run_program, csv, args, selection):
    path = os.path.join(paper_dir, csv)
    cpp_text = run_program("lmc-correlate", "--csv", path, *args, "--json").decode().strip()
    cpp = json.loads(cpp_text)
    data = stats.StudyTable.read_csv(path).select(**selection)
    # lmc-correlate's resampling: 9999 resamples, seed 1.
    analysis = stats.analyze(data.x, data.y, resamples=9999, seed=1)
    assert analysis.to_json(data) == cpp_text
    assert data.labels == cpp["labels"] and data.x_name == cpp["x"]
    assert list(data.x) == cpp["x_values"] and list(data.y) == cpp["y_values"]

    # The single functions give the figures of the analysis, from lists or arrays alike.
    x, y = list(data.x), tuple(data.y)
    p = stats.pearson(x, y)
    assert (p.r, p.pvalue, p.ci_low, p.ci_high) == (cpp["pearson"]["r"], cpp["pearson"]["p"],
                                                    cpp["pearson"]["ci_low"],
                                                    cpp["pearson"]["ci_high"])
    s = stats.spearman(np.asarray(x), np.asarray(y, dtype=np.float32).astype(np.float64))
    assert (s.rho, s.pvalue) == (cpp["spearman"]["rho"], cpp["spearman"]["p"])
    k = stats.kendall(x, y)
    assert (k.tau, k.pvalue, k.method) == (cpp["kendall"]["tau"], cpp["kendall"]["p"],
                                           cpp["kendall"]["method"])
    fit = stats.linear_fit(x, y)
    for ours, theirs in [("slope", "slope"), ("intercept", "intercept"), ("r2", "r2"),
                         ("rmse", "rmse"), ("residual_stderr", "rmse_n2"),
                         ("slope_stderr", "slope_stderr"),
                         ("intercept_stderr", "intercept_stderr"), ("pvalue", "p")]:
        assert getattr(fit, ours) == cpp["fit"][theirs], ours
    assert stats.leave_one_out(x, y).mae == cpp["loo_mae"]
    perm = stats.permutation_test(x, y, resamples=9999, seed=1)
    assert (perm.pvalue, perm.exact, perm.permutations) == (
        cpp["permutation"]["p"], cpp["permutation"]["exact"], cpp["permutation"]["permutations"])
    boot = stats.bootstrap(x, y, resamples=9999, seed=1)
    assert (boot.r_low, boot.r_high, boot.slope_low, boot.slope_high) == (
        cpp["bootstrap"]["r_low"], cpp["bootstrap"]["r_high"], cpp["bootstrap"]["slope_low"],
        cpp["bootstrap"]["slope_high"])


def test_closed_forms():
    # y = 2x + 1 exactly: r = 1, slope 2, intercept 1, no residuals.
    x = np.arange(6, dtype=np.float64)
    fit = stats.linear_fit(x, 2 * x + 1)
    assert fit.slope == pytest.approx(2) and fit.intercept == pytest.approx(1)
    assert fit.r == pytest.approx(1) and fit.rmse == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(fit.residuals, 0, atol=1e-12)
    # Pearson of (1,2,3,4) and (2,1,4,3): r = 0.6; t = r sqrt(2/(1-r^2)) = 1.0607, p = 0.4
    # with 2 degrees of freedom (two-sided p of t with 2 dof is 1 - t/sqrt(t^2+2)).
    p = stats.pearson([1, 2, 3, 4], [2, 1, 4, 3])
    assert p.r == pytest.approx(0.6)
    t = 0.6 * math.sqrt(2 / (1 - 0.36))
    assert p.pvalue == pytest.approx(1 - t / math.sqrt(t * t + 2))
    # Kendall of a reversed order is -1 with the exact p = 2/n! for n = 5.
    k = stats.kendall([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    assert k.tau == pytest.approx(-1) and k.pvalue == pytest.approx(2 / 120)
    np.testing.assert_array_equal(stats.average_ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
    prediction = stats.predict(fit, 10.0)
    assert prediction.y == pytest.approx(21)
    # All 4! = 24 permutations enumerated: exact.
    perm = stats.permutation_test([1, 2, 3, 4], [1, 2, 3, 4], resamples=100)
    assert perm.exact and perm.permutations == 24 and perm.pvalue == pytest.approx(2 / 24)


def test_study_table_from_text_and_plot():
    table = stats.StudyTable.parse_csv("model,bpc,score\na,0.8,60\nb,0.9,40\nc,1.0,50\nd,,55\n",
                                       "scores.csv")
    assert table.column_names == ["model", "bpc", "score"] and len(table) == 4
    assert table.cell(1, 0) == "b"
    data = table.select("bpc", "score")
    assert data.labels == ["a", "b", "c"] and len(data.skipped) == 1
    svg = stats.scatter_plot_svg(data, title="demo")
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "demo" in svg


def test_bad_input():
    with pytest.raises(lmc.InvalidArgumentError):
        stats.pearson([1, 2, 3], [1, 2])
    with pytest.raises(lmc.InvalidArgumentError):
        stats.pearson([1, 1, 1], [1, 2, 3])
    with pytest.raises(lmc.InvalidArgumentError):
        stats.pearson([1, 2, 3], [1, 2, 3], alternative="sideways")
    with pytest.raises(TypeError):
        stats.pearson(["a", "b", "c"], [1, 2, 3])
    with pytest.raises(lmc.FormatError, match="bad.csv"):
        stats.StudyTable.parse_csv("a,b\n1,2,3\n", "bad.csv")
    with pytest.raises(lmc.InvalidArgumentError, match="nope"):
        stats.StudyTable.parse_csv("m,a,b\nx,1,2\n", "t.csv").select("nope", "b")

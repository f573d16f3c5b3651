"""Does compression predict ability? Correlation (Pearson, Spearman, Kendall), the
least-squares fit with its intervals, leave-one-out validation, permutation tests, bootstrap
intervals and study tables, over any paired numbers: sequences or NumPy arrays. The figures are
those of lmc::stats (and of lmc-correlate --json), shaped like SciPy's where SciPy has them.
Alternatives are spelt as SciPy spells them: "two-sided", "less", "greater"."""

from ._lmc.stats import (  # noqa: F401
    Analysis,
    BootstrapResult,
    KendallResult,
    LeaveOneOut,
    LinearFit,
    PearsonResult,
    PermutationResult,
    Prediction,
    SpearmanResult,
    StudyData,
    StudyTable,
    analyze,
    average_ranks,
    bootstrap,
    kendall,
    leave_one_out,
    linear_fit,
    pearson,
    permutation_test,
    predict,
    scatter_plot_svg,
    spearman,
)

__all__ = [
    "Analysis",
    "BootstrapResult",
    "KendallResult",
    "LeaveOneOut",
    "LinearFit",
    "PearsonResult",
    "PermutationResult",
    "Prediction",
    "SpearmanResult",
    "StudyData",
    "StudyTable",
    "analyze",
    "average_ranks",
    "bootstrap",
    "kendall",
    "leave_one_out",
    "linear_fit",
    "pearson",
    "permutation_test",
    "predict",
    "scatter_plot_svg",
    "spearman",
]

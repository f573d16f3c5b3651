# Type stubs of lmc.stats. Alternatives: "two-sided", "less", "greater" (SciPy's spelling).
from typing import Any, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

_Values = Union[Sequence[float], npt.NDArray[Any]]

class PearsonResult:
    r: float
    pvalue: float
    ci_low: float
    ci_high: float
    confidence_level: float
    alternative: str
    n: int
    def to_dict(self) -> dict[str, Any]: ...

class SpearmanResult:
    rho: float
    pvalue: float
    alternative: str
    n: int
    def to_dict(self) -> dict[str, Any]: ...

class KendallResult:
    tau: float
    pvalue: float
    method: str
    alternative: str
    n: int
    def to_dict(self) -> dict[str, Any]: ...

class LinearFit:
    slope: float
    intercept: float
    slope_stderr: float
    intercept_stderr: float
    r: float
    r2: float
    pvalue: float
    rmse: float
    residual_stderr: float
    n: int
    x_mean: float
    x_sum_of_squares: float
    residuals: npt.NDArray[np.float64]
    def to_dict(self) -> dict[str, Any]: ...

class Prediction:
    x: float
    y: float
    prediction_low: float
    prediction_high: float
    mean_low: float
    mean_high: float
    confidence_level: float
    def to_dict(self) -> dict[str, Any]: ...

class LeaveOneOut:
    predicted: npt.NDArray[np.float64]
    errors: npt.NDArray[np.float64]
    mae: float
    rmse: float
    def to_dict(self) -> dict[str, Any]: ...

class PermutationResult:
    r: float
    pvalue: float
    exact: bool
    permutations: int
    alternative: str
    def to_dict(self) -> dict[str, Any]: ...

class BootstrapResult:
    r_low: float
    r_high: float
    slope_low: float
    slope_high: float
    confidence_level: float
    resamples: int
    degenerate: int
    def to_dict(self) -> dict[str, Any]: ...

class StudyData:
    x_name: str
    y_name: str
    labels: list[str]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    skipped: list[str]
    def to_dict(self) -> dict[str, Any]: ...

class Analysis:
    n: int
    pearson: PearsonResult
    spearman: SpearmanResult
    kendall: KendallResult
    fit: LinearFit
    leave_one_out: LeaveOneOut
    permutation: Optional[PermutationResult]
    bootstrap: Optional[BootstrapResult]
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, data: Optional[StudyData] = None) -> str: ...

class StudyTable:
    @staticmethod
    def read_csv(path: Any) -> StudyTable: ...
    @staticmethod
    def parse_csv(text: str, source: str = "<csv>") -> StudyTable: ...
    @property
    def column_names(self) -> list[str]: ...
    @property
    def row_count(self) -> int: ...
    def __len__(self) -> int: ...
    def cell(self, row: int, column: int) -> str: ...
    def select(self, x: Optional[str] = None, y: Union[str, Sequence[str], None] = None, *,
               label: str = "", rows: Sequence[str] = (), exclude: Sequence[str] = (),
               x_mean: Sequence[str] = ()) -> StudyData: ...

def pearson(x: _Values, y: _Values, alternative: str = "two-sided",
            confidence_level: float = 0.95) -> PearsonResult: ...
def spearman(x: _Values, y: _Values, alternative: str = "two-sided") -> SpearmanResult: ...
def kendall(x: _Values, y: _Values, alternative: str = "two-sided",
            method: str = "auto") -> KendallResult: ...
def average_ranks(values: _Values) -> npt.NDArray[np.float64]: ...
def linear_fit(x: _Values, y: _Values) -> LinearFit: ...
def predict(fit: LinearFit, x: float, confidence_level: float = 0.95) -> Prediction: ...
def leave_one_out(x: _Values, y: _Values) -> LeaveOneOut: ...
def permutation_test(x: _Values, y: _Values, alternative: str = "two-sided",
                     resamples: int = 9999, seed: int = 1) -> PermutationResult: ...
def bootstrap(x: _Values, y: _Values, resamples: int = 9999, seed: int = 1,
              confidence_level: float = 0.95) -> BootstrapResult: ...
def analyze(x: _Values, y: _Values, alternative: str = "two-sided",
            confidence_level: float = 0.95, resamples: int = 0, seed: int = 1) -> Analysis: ...
def scatter_plot_svg(data: StudyData, *, title: str = "", x_label: str = "", y_label: str = "",
                     width: int = 900, height: int = 700, confidence_level: float = 0.95,
                     point_labels: bool = True) -> str: ...

#include <lmc/stats/study.hpp>

#include <limits>

LMC_BEGIN_NAMESPACE
namespace stats {

Analysis analyze(std::span<const double> x, std::span<const double> y,
                 const AnalysisOptions& options) {
  Analysis analysis;
  analysis.pearson = pearson(x, y, options.alternative, options.confidence_level);
  analysis.n = analysis.pearson.n;
  analysis.spearman = spearman(x, y, options.alternative);
  analysis.kendall = kendall(x, y, options.alternative);
  analysis.fit = linear_fit(x, y);
  if (analysis.n >= 4) {
    analysis.leave_one_out = leave_one_out(x, y);
  } else {
    analysis.leave_one_out.mae = std::numeric_limits<double>::quiet_NaN();
    analysis.leave_one_out.rmse = std::numeric_limits<double>::quiet_NaN();
  }
  if (options.resampling.resamples > 0) {
    analysis.permutation = permutation_test(x, y, options.alternative, options.resampling);
    analysis.bootstrap = bootstrap(x, y, options.resampling);
  }
  return analysis;
}

}  // namespace stats
LMC_END_NAMESPACE

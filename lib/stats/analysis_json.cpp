#include <lmc/stats/study.hpp>

#include <lmc/json.hpp>

#include <cmath>
#include <string_view>

LMC_BEGIN_NAMESPACE
namespace stats {

namespace {

using Writer = JsonWriter;

void key(Writer& writer, std::string_view name) { writer.key(name); }

void number(Writer& writer, std::string_view name, double value) {
  key(writer, name);
  writer.value(value);  // JSON has no NaN or infinity: an undefined figure is null
}

void text(Writer& writer, std::string_view value) { writer.value(value); }

std::string_view method_name(KendallMethod method) {
  switch (method) {
    case KendallMethod::exact: return "exact";
    case KendallMethod::asymptotic: return "asymptotic";
    case KendallMethod::automatic: return "automatic";
  }
  return "?";
}

std::string_view alternative_name(Alternative alternative) {
  switch (alternative) {
    case Alternative::two_sided: return "two-sided";
    case Alternative::less: return "less";
    case Alternative::greater: return "greater";
  }
  return "?";
}

void numbers(Writer& writer, std::string_view name, const std::vector<double>& values) {
  key(writer, name);
  writer.begin_array();
  for (double v : values) writer.value(v);
  writer.end_array();
}

void strings(Writer& writer, std::string_view name, const std::vector<std::string>& values) {
  key(writer, name);
  writer.begin_array();
  for (const std::string& v : values) text(writer, v);
  writer.end_array();
}

}  // namespace

std::string to_json(const Analysis& analysis, const StudyData* data) {
  Writer writer(JsonWriter::Style::compact);
  writer.begin_object();
  key(writer, "n");
  writer.value(static_cast<std::uint64_t>(analysis.n));
  key(writer, "alternative");
  text(writer, alternative_name(analysis.pearson.alternative));

  key(writer, "pearson");
  writer.begin_object();
  number(writer, "r", analysis.pearson.r);
  number(writer, "p", analysis.pearson.pvalue);
  number(writer, "ci_low", analysis.pearson.ci_low);
  number(writer, "ci_high", analysis.pearson.ci_high);
  number(writer, "confidence_level", analysis.pearson.confidence_level);
  writer.end_object();

  key(writer, "spearman");
  writer.begin_object();
  number(writer, "rho", analysis.spearman.rho);
  number(writer, "p", analysis.spearman.pvalue);
  writer.end_object();

  key(writer, "kendall");
  writer.begin_object();
  number(writer, "tau", analysis.kendall.tau);
  number(writer, "p", analysis.kendall.pvalue);
  key(writer, "method");
  text(writer, method_name(analysis.kendall.method));
  writer.end_object();

  key(writer, "fit");
  writer.begin_object();
  number(writer, "slope", analysis.fit.slope);
  number(writer, "intercept", analysis.fit.intercept);
  number(writer, "r2", analysis.fit.r2);
  number(writer, "rmse", analysis.fit.rmse);
  number(writer, "rmse_n2", analysis.fit.residual_stderr);
  number(writer, "slope_stderr", analysis.fit.slope_stderr);
  number(writer, "intercept_stderr", analysis.fit.intercept_stderr);
  number(writer, "p", analysis.fit.pvalue);
  writer.end_object();

  number(writer, "loo_mae", analysis.leave_one_out.mae);

  if (analysis.permutation) {
    key(writer, "permutation");
    writer.begin_object();
    number(writer, "p", analysis.permutation->pvalue);
    key(writer, "exact");
    writer.value(static_cast<bool>(analysis.permutation->exact));
    key(writer, "permutations");
    writer.value(static_cast<std::uint64_t>(analysis.permutation->permutations));
    writer.end_object();
  }
  if (analysis.bootstrap) {
    key(writer, "bootstrap");
    writer.begin_object();
    number(writer, "r_low", analysis.bootstrap->r_low);
    number(writer, "r_high", analysis.bootstrap->r_high);
    number(writer, "slope_low", analysis.bootstrap->slope_low);
    number(writer, "slope_high", analysis.bootstrap->slope_high);
    number(writer, "confidence_level", analysis.bootstrap->confidence_level);
    key(writer, "resamples");
    writer.value(static_cast<std::uint64_t>(analysis.bootstrap->resamples));
    writer.end_object();
  }
  if (data != nullptr) {
    key(writer, "x");
    text(writer, data->x_name);
    key(writer, "y");
    text(writer, data->y_name);
    strings(writer, "labels", data->labels);
    numbers(writer, "x_values", data->x);
    numbers(writer, "y_values", data->y);
    strings(writer, "skipped", data->skipped);
  }
  writer.end_object();
  return writer.str();
}

}  // namespace stats
LMC_END_NAMESPACE

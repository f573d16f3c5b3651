// lmc::stats: does compression predict ability? Correlation, regression, resampling, study
// tables and plots. Independent of models: it works on any paired numbers.
#pragma once

#include <lmc/error.hpp>
#include <lmc/stats/correlation.hpp>
#include <lmc/stats/plot.hpp>
#include <lmc/stats/regression.hpp>
#include <lmc/stats/resampling.hpp>
#include <lmc/stats/study.hpp>

// evaluate_bpc with an lmc::Model: what it refuses. The real model's figures are checked
// against window-by-window token_logprobs through the lmc-bpc program, in
// lmc_bpc_model_test.cpp.
#include <lmc/eval.hpp>
#include <lmc/model.hpp>

#include "support/testdata.hpp"

#include <gtest/gtest.h>

namespace {

TEST(ModelBpc, RefusesAModelHoldingFewerPositionsThanTheContext) {
  LMC_REQUIRE_TESTDATA();
  lmc::ModelOptions model_options;
  model_options.threads = 1;
  model_options.context = 128;
  const lmc::Model model =
      lmc::Model::load(lmc_test::testdata("models/stories260K.gguf"), model_options);
  lmc::Corpus corpus = lmc::Corpus::open(lmc_test::testdata("corpora/sets/cc_like.jsonl"));
  lmc::BpcOptions options;
  options.context = 256;
  options.stride = 64;
  EXPECT_THROW(lmc::evaluate_bpc(model, corpus, options), lmc::Error);
}

}  // namespace

// The whole public API of lmc in one include.
#pragma once

#include <lmc/atomic_file.hpp>
#include <lmc/coding_model.hpp>
#include <lmc/compressor.hpp>
#include <lmc/corpus.hpp>
#include <lmc/dtype.hpp>
#include <lmc/error.hpp>
#include <lmc/eval.hpp>
#include <lmc/gguf.hpp>
#include <lmc/hf_config.hpp>
#include <lmc/json.hpp>
#include <lmc/model.hpp>
#include <lmc/safetensors.hpp>
#include <lmc/stats.hpp>
#include <lmc/tensor.hpp>
#include <lmc/token.hpp>
#include <lmc/tokenizer.hpp>
#include <lmc/utf8.hpp>
#include <lmc/version.hpp>

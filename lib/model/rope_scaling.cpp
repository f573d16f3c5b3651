#include "model/rope_scaling.hpp"

#include "base/fail.hpp"

#include <cmath>
#include <numbers>
#include <set>
#include <tuple>

LMC_BEGIN_NAMESPACE
namespace model {

namespace {

// One rope dictionary of config.json, read field by field; every field must be read by the
// end (an unread one is a setting lmc would silently ignore).
class RopeDictionary {
 public:
  RopeDictionary(const HfConfig& config, std::string prefix)
      : config_(config), prefix_(std::move(prefix)) {
    for (auto it = config.values.lower_bound(prefix_);
         it != config.values.end() && it->first.starts_with(prefix_); ++it) {
      const std::string field = it->first.substr(prefix_.size());
      fields_.insert(field.substr(0, field.find('.')));
    }
  }

  bool empty() const { return fields_.empty(); }
  std::string key(std::string_view field) const { return prefix_ + std::string(field); }
  std::string where(std::string_view field) const {
    return fmt::format("{}: key '{}'", config_.path.string(), key(field));
  }

  bool has(std::string_view field) const {
    const auto it = config_.values.find(key(field));
    const bool scalar =
        it != config_.values.end() && !std::holds_alternative<std::nullptr_t>(it->second);
    return scalar || config_.contains(key(field) + ".0");
  }

  std::optional<std::string> string(std::string_view field) {
    read_.insert(std::string(field));
    if (!has(field)) return std::nullopt;
    if (auto s = config_.string(key(field))) return s;
    base::fail(ErrorCode::format, "{} must be a string", where(field));
  }
  std::optional<double> number(std::string_view field) {
    read_.insert(std::string(field));
    if (!has(field)) return std::nullopt;
    const auto v = config_.number(key(field));
    if (!v || !std::isfinite(*v))
      base::fail(ErrorCode::format, "{} must be a number", where(field));
    return v;
  }
  double positive(std::string_view field) {
    const auto v = number(field);
    if (!v) base::fail(ErrorCode::format, "{} is required by this rope_type", where(field));
    if (!(*v > 0)) base::fail(ErrorCode::format, "{} = {} must be > 0", where(field), *v);
    return *v;
  }
  std::optional<bool> boolean(std::string_view field) {
    read_.insert(std::string(field));
    if (!has(field)) return std::nullopt;
    if (auto b = config_.boolean(key(field))) return b;
    base::fail(ErrorCode::format, "{} must be true or false", where(field));
  }
  std::vector<float> numbers(std::string_view field, std::size_t expected) {
    read_.insert(std::string(field));
    std::vector<float> out;
    for (std::size_t i = 0;; ++i) {
      const std::string element = key(field) + "." + std::to_string(i);
      if (!config_.contains(element)) break;
      const auto v = config_.number(element);
      if (!v || !(*v > 0) || !std::isfinite(*v))
        base::fail(ErrorCode::format, "{}: key '{}' must be a positive number",
                   config_.path.string(), element);
      out.push_back(static_cast<float>(*v));
    }
    if (out.size() != expected) {
      base::fail(ErrorCode::format, "{} has {} values, expected {} (rotated dimensions / 2)",
                 where(field), out.size(), expected);
    }
    return out;
  }
  // Marks fields that Hugging Face reads but that do not change the computation.
  void harmless(std::string_view field) { read_.insert(std::string(field)); }

  void refuse_unread(std::string_view type) const {
    for (const std::string& field : fields_) {
      if (!read_.contains(field)) {
        base::fail(ErrorCode::unsupported, "{}: key '{}' is not supported with rope_type '{}'",
                   config_.path.string(), key(field), type);
      }
    }
  }

 private:
  const HfConfig& config_;
  std::string prefix_;
  std::set<std::string> fields_, read_;
};

// The context the scaling was trained from: the dictionary's original_max_position_embeddings,
// else config.json's top-level one (Phi-3 keeps it there), else max_position_embeddings.
double original_context(RopeDictionary& rope, const HfConfig& config, const HyperParameters& h,
                        bool required) {
  if (auto v = rope.number("original_max_position_embeddings")) {
    if (!(*v >= 1))
      base::fail(ErrorCode::format, "{} must be ≥ 1",
                 rope.where("original_max_position_embeddings"));
    return *v;
  }
  if (auto v = config.number("original_max_position_embeddings"); v && *v >= 1) return *v;
  if (required || h.context_length == 0) {
    base::fail(ErrorCode::format, "{}: {} is missing (nor is there max_position_embeddings)",
               config.path.string(), rope.key("original_max_position_embeddings"));
  }
  return static_cast<double>(h.context_length);
}

}  // namespace

double yarn_mscale(double factor, double mscale) {
  return factor <= 1.0 ? 1.0 : 0.1 * mscale * std::log(factor) + 1.0;
}

std::vector<float> llama3_rope_factors(std::size_t rope_dims, double base, double factor,
                                       double low_freq_factor, double high_freq_factor,
                                       double original_context) {
  const float dims = static_cast<float>(rope_dims);
  const float low_wavelength = static_cast<float>(original_context / low_freq_factor);
  const float high_wavelength = static_cast<float>(original_context / high_freq_factor);
  std::vector<float> factors(rope_dims / 2);
  for (std::size_t i = 0; i < factors.size(); ++i) {
    const float exponent = static_cast<float>(2 * i) / dims;
    const float frequency = 1.0f / std::pow(static_cast<float>(base), exponent);
    // torch divides the Python float 2π by the float32 tensor in double, rounding once.
    const float wavelength =
        static_cast<float>(2.0 * std::numbers::pi / static_cast<double>(frequency));
    if (wavelength < high_wavelength) {
      factors[i] = 1.0f;
    } else if (wavelength > low_wavelength) {
      factors[i] = static_cast<float>(factor);
    } else {
      const float smooth = (static_cast<float>(original_context) / wavelength -
                            static_cast<float>(low_freq_factor)) /
                           static_cast<float>(high_freq_factor - low_freq_factor);
      factors[i] = 1.0f / ((1.0f - smooth) / static_cast<float>(factor) + smooth);
    }
  }
  return factors;
}

void read_hf_rope_scaling(const HfConfig& config, std::size_t head_dim, HyperParameters& h,
                          std::string_view dictionary) {
  // Any key inside rope_parameters makes it the dictionary, so that one lmc does not read (a
  // per-layer-type one for a family without layer types) is refused rather than ignored.
  const auto first = config.values.lower_bound("rope_parameters.");
  const bool parameters =
      first != config.values.end() && first->first.starts_with("rope_parameters.");
  RopeDictionary rope(config, !dictionary.empty() ? std::string(dictionary)
                              : parameters        ? "rope_parameters."
                                                  : "rope_scaling.");
  if (rope.empty()) return;

  // transformers 5 keeps θ and the rotated fraction in the dictionary.
  if (auto theta = rope.number("rope_theta")) {
    if (!(*theta > 0)) base::fail(ErrorCode::format, "{} must be > 0", rope.where("rope_theta"));
    h.rope_base = *theta;
  }
  if (auto fraction = rope.number("partial_rotary_factor")) {
    if (!(*fraction > 0 && *fraction <= 1))
      base::fail(ErrorCode::format, "{} must be in (0, 1]", rope.where("partial_rotary_factor"));
    h.rope_dims = static_cast<std::size_t>(static_cast<double>(head_dim) * *fraction);
    h.key_rope_dims = rope.key("partial_rotary_factor");
  }

  std::string type = rope.string("rope_type").value_or("");
  if (auto old = rope.string("type"); old && type.empty()) type = *old;
  if (type.empty() || type == "default") {
    rope.refuse_unread(type.empty() ? "default" : type);
    return;
  }
  const std::size_t pairs = h.rope_dims / 2;
  if (type == "linear") {
    h.rope_freq_scale = 1.0 / rope.positive("factor");
  } else if (type == "dynamic") {
    h.rope_dynamic_factor = rope.positive("factor");
    // transformers does not read it for dynamic scaling (it scales from max_position_embeddings).
    rope.harmless("original_max_position_embeddings");
    if (h.context_length == 0) {
      base::fail(ErrorCode::format, "{}: dynamic RoPE scaling needs max_position_embeddings",
                 config.path.string());
    }
  } else if (type == "yarn") {
    const double original = original_context(rope, config, h, false);
    double factor = 0;
    if (rope.has("factor")) {
      factor = rope.positive("factor");
    } else {
      factor = static_cast<double>(h.context_length) / original;
    }
    std::optional<double> attention = rope.number("attention_factor");
    const std::optional<double> mscale = rope.number("mscale");
    const std::optional<double> mscale_all_dim = rope.number("mscale_all_dim");
    if (!attention) {
      attention = (mscale && *mscale != 0 && mscale_all_dim && *mscale_all_dim != 0)
                      ? yarn_mscale(factor, *mscale) / yarn_mscale(factor, *mscale_all_dim)
                      : yarn_mscale(factor);
    }
    // `or 32` / `or 1` in transformers: a 0 or null falls back to the default too.
    double beta_fast = rope.number("beta_fast").value_or(0.0);
    double beta_slow = rope.number("beta_slow").value_or(0.0);
    if (beta_fast == 0) beta_fast = 32.0;
    if (beta_slow == 0) beta_slow = 1.0;
    if (!(beta_fast > 0 && beta_slow > 0))
      base::fail(ErrorCode::format, "{}: YaRN's beta_fast and beta_slow must be > 0",
                 rope.where("beta_fast"));
    const bool truncate = rope.boolean("truncate").value_or(true);
    rope.harmless("finetuned");  // an old flag of the YaRN repository; transformers ignores it
    h.rope_freq_scale = 1.0 / factor;
    h.rope_yarn_ext_factor = 1.0;
    std::tie(h.rope_yarn_low, h.rope_yarn_high) = nn::yarn_correction_range(
        h.rope_dims, h.rope_base, original, beta_fast, beta_slow, truncate);
    h.rope_attention_factor = *attention;
  } else if (type == "llama3") {
    const double factor = rope.positive("factor");
    const double low = rope.positive("low_freq_factor");
    const double high = rope.positive("high_freq_factor");
    const double original = rope.positive("original_max_position_embeddings");
    if (!(high > low)) {
      base::fail(ErrorCode::format, "{} must exceed low_freq_factor",
                 rope.where("high_freq_factor"));
    }
    h.rope_freq_factors =
        llama3_rope_factors(h.rope_dims, h.rope_base, factor, low, high, original);
  } else if (type == "longrope" || type == "su") {
    h.rope_long_factors = rope.numbers("long_factor", pairs);
    h.rope_short_factors = rope.numbers("short_factor", pairs);
    const double original = original_context(rope, config, h, false);
    double factor = static_cast<double>(h.context_length) / original;
    if (rope.has("factor")) factor = rope.positive("factor");
    std::optional<double> attention = rope.number("attention_factor");
    if (!attention) {
      attention = factor <= 1.0 ? 1.0 : std::sqrt(1.0 + std::log(factor) / std::log(original));
    }
    h.rope_original_context = static_cast<std::size_t>(original);
    h.rope_attention_factor = *attention;
  } else {
    base::fail(
        ErrorCode::unsupported,
        "{}: key '{}' = '{}' is not supported (lmc implements default, linear, dynamic, yarn, "
        "llama3, longrope)",
        config.path.string(), rope.key(rope.has("rope_type") ? "rope_type" : "type"), type);
  }
  rope.refuse_unread(type);
}

bool read_hf_layer_type_rope(const HfConfig& config, std::size_t head_dim, HyperParameters& h) {
  RopeDictionary full(config, "rope_parameters.full_attention.");
  RopeDictionary sliding(config, "rope_parameters.sliding_attention.");
  if (full.empty() && sliding.empty()) return false;
  read_hf_rope_scaling(config, head_dim, h, "rope_parameters.full_attention.");
  const std::string type =
      sliding.string("rope_type").value_or(sliding.string("type").value_or("default"));
  if (type != "default") {
    base::fail(ErrorCode::unsupported,
               "{} = '{}' is not supported (lmc computes local layers with default RoPE)",
               sliding.where(sliding.has("rope_type") ? "rope_type" : "type"), type);
  }
  if (auto theta = sliding.number("rope_theta")) {
    if (!(*theta > 0)) base::fail(ErrorCode::format, "{} must be > 0", sliding.where("rope_theta"));
    h.rope_local_base = *theta;
  }
  sliding.refuse_unread(type);
  // Any other layer type's dictionary is a kind of layer lmc does not know.
  for (auto it = config.values.lower_bound("rope_parameters.");
       it != config.values.end() && it->first.starts_with("rope_parameters."); ++it) {
    const std::string_view rest = std::string_view(it->first).substr(16);
    const std::string_view layer_type = rest.substr(0, rest.find('.'));
    if (layer_type != "full_attention" && layer_type != "sliding_attention") {
      base::fail(ErrorCode::unsupported, "{}: key 'rope_parameters.{}' is not supported",
                 config.path.string(), layer_type);
    }
  }
  return true;
}

void apply_rope_context(const HyperParameters& h, std::size_t context, nn::RopeConfig& rope) {
  if (!h.rope_long_factors.empty()) {
    rope.freq_factors =
        context > h.rope_original_context ? h.rope_long_factors : h.rope_short_factors;
  }
  if (h.rope_dynamic_factor > 0) {
    const double m = static_cast<double>(h.context_length);
    const double l = std::max(static_cast<double>(context), m);
    const double d = static_cast<double>(h.rope_dims);
    const double f = h.rope_dynamic_factor;
    rope.base = h.rope_base * std::pow(f * l / m - (f - 1.0), d / (d - 2.0));
  }
}

}  // namespace model
LMC_END_NAMESPACE

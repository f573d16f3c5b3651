#include <lmc/version.hpp>

LMC_BEGIN_NAMESPACE

std::string_view version() noexcept { return LMC_VERSION_STRING; }

LMC_END_NAMESPACE

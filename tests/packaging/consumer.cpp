// A program that uses lmc the way an outside project does: only installed headers and the
// installed shared library.
#include <lmc/lmc.hpp>

#include <cstdio>
#include <string_view>

int main() {
  if (lmc::version() != LMC_VERSION_STRING) {
    std::fprintf(stderr, "header version %s, library version %.*s\n", LMC_VERSION_STRING,
                 static_cast<int>(lmc::version().size()), lmc::version().data());
    return 1;
  }
  try {
    throw lmc::Error(lmc::ErrorCode::format, "thrown across the library boundary");
  } catch (const lmc::Error& error) {
    if (error.code() != lmc::ErrorCode::format || lmc::to_string(error.code()) != "format") {
      return 1;
    }
  }
  std::printf("lmc %s\n", LMC_VERSION_STRING);
  return 0;
}

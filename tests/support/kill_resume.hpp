// Killing a resumable program (lmc-bpc --checkpoint, lmc-study) with SIGKILL at random moments
// several times, then letting it finish: the checkpoint tests' common machinery.
#pragma once

#include "support/run_program.hpp"

#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

namespace lmc_test {

/// What a kill sequence does: `start` starts the program (start_program) and returns its pid,
/// `has_state` says whether it left state to resume from (a checkpoint, finished parts), and
/// `reset` removes that state so that a sequence starts from nothing.
struct Resumable {
  std::function<pid_t()> start;
  std::function<bool()> has_state;
  std::function<void()> reset;
};

/// Starts `run`, kills it with SIGKILL at a random moment within `seconds` (the time an
/// uninterrupted run took) `kills` times, each time restarted to resume, then lets it finish.
/// The machine may be less busy than it was when `seconds` was measured: when a run ends
/// before it is killed, the sequence starts over (reset) with moments half as late, at most six
/// times. Returns true once a run was killed `kills` times and then finished from a state left
/// behind; false when no sequence got there. Throws std::runtime_error when a run ends with an
/// exit status other than 0.
inline bool kill_at_random_points(const Resumable& run, double seconds, int kills = 4,
                                  unsigned seed = 12345) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> fraction(0.1, 0.8);
  double scale = seconds;
  for (int sequence = 0; sequence < 6; ++sequence, scale *= 0.5) {
    run.reset();
    int killed_mid_run = 0;
    while (true) {
      const bool had_state = run.has_state();
      const pid_t pid = run.start();
      if (killed_mid_run < kills) {
        std::this_thread::sleep_for(std::chrono::duration<double>(fraction(random) * scale));
        ::kill(pid, SIGKILL);
      }
      const int status = wait_for(pid);
      if (status == -SIGKILL) {
        ++killed_mid_run;
        continue;
      }
      if (status != 0) {
        throw std::runtime_error("the resumed run ended with status " + std::to_string(status));
      }
      // Finished: after its kills, from a state left behind (done), or too early.
      if (killed_mid_run == kills && had_state) return true;
      break;
    }
  }
  return false;
}

/// How two lmc-bpc result objects (--json) differ in anything but their timings: "" when every
/// other member is equal, else the first member that differs (or why the text is no object).
inline std::string result_difference(const std::string& a, const std::string& b) {
  rapidjson::Document x;
  rapidjson::Document y;
  x.Parse(a.c_str(), a.size());
  y.Parse(b.c_str(), b.size());
  if (x.HasParseError() || y.HasParseError() || !x.IsObject() || !y.IsObject()) {
    return "not two JSON objects";
  }
  auto timing = [](const std::string& key) {
    return key == "seconds" || key == "tokens_per_second" || key == "forward_tokens_per_second";
  };
  for (auto it = x.MemberBegin(); it != x.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (timing(key)) continue;
    if (!y.HasMember(key.c_str())) return key + " (missing)";
    if (!(y[key.c_str()] == it->value)) return key;
  }
  if (x.MemberCount() != y.MemberCount()) return "the number of members";
  return "";
}

}  // namespace lmc_test

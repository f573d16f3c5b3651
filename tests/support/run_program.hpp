// Running one of the example programs from a test: through the shell, with its standard output
// and standard error captured together; or started in the background (to be killed mid-run).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace lmc_test {

/// What a program did: its exit status (-1 when it did not exit normally, e.g. a crash) and
/// everything it wrote to stdout and stderr, interleaved as written.
struct ProgramRun {
  int status = -1;
  std::string output;
};

/// `text` as one shell word (single-quoted), so that paths with spaces or quotes pass intact.
inline std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

/// Runs `program arguments` with /bin/sh; `arguments` is shell text (quote paths with
/// shell_quote). Returns once the program has exited. With `echo`, what the program writes is
/// also copied to this process's stdout as it comes (progress of long runs).
inline ProgramRun run_program(const std::string& program, const std::string& arguments,
                              bool echo = false) {
  const std::string command = shell_quote(program) + " " + arguments + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {-1, "popen failed: " + command};
  std::string output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
    output.append(buffer.data(), n);
    if (echo) {
      std::fwrite(buffer.data(), 1, n, stdout);
      std::fflush(stdout);
    }
  }
  const int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

/// Starts `args[0]` (a path) with `args` as its argv, without a shell, its output discarded, and
/// returns at once with its process id (for kill and wait_for). With `directory`, the program
/// runs there (a relative args[0] is then relative to it).
inline pid_t start_program(const std::vector<std::string>& args,
                           const std::string& directory = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!directory.empty() && ::chdir(directory.c_str()) != 0) std::_Exit(127);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  return pid;
}

/// Waits for a program of start_program: its exit status, or -signal when a signal ended it.
inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/// Waits until `ready()` holds or the program of start_program `pid` ends, checking every
/// millisecond. Returns its exit status (as wait_for gives it; the program is then reaped, so
/// do not wait_for it again) when it ended first, std::nullopt while it still runs: `ready()`
/// held, or `limit` passed. The program's own progress decides how long this takes, not a count
/// of checks that a busy machine stretches or cuts short; `limit` only guards against a hang.
inline std::optional<int> wait_until(pid_t pid, const std::function<bool()>& ready,
                                     std::chrono::seconds limit = std::chrono::minutes(20)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > give_up) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::nullopt;
}

}  // namespace lmc_test

// Runs a piece of code in a child process under an address-space limit (setrlimit RLIMIT_AS)
// and a time limit (SIGALRM), and reports how it ended: the message of the lmc::Error it threw,
// or that it threw something else, crashed, or ran out of time. The hostile-input tests use it
// to show that a reader refuses a file that lies about its sizes instead of allocating what the
// file asks for, hanging, or crashing.
//
// Under AddressSanitizer or ThreadSanitizer the address-space limit cannot be used (their
// shadow memory reserves terabytes of address space); there the child only gets the time limit,
// and AddressSanitizer's own cap on one allocation (see kSanitizerMaxAllocationMb) stands in.
#pragma once

#include <lmc/error.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <new>
#include <string>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LMC_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define LMC_TEST_SANITIZED 1
#endif
#endif
#ifndef LMC_TEST_SANITIZED
#define LMC_TEST_SANITIZED 0
#endif

namespace lmc_test {

/// How a limited run ended.
struct LimitedRun {
  enum class End {
    error,          ///< threw lmc::Error (message holds its what())
    returned,       ///< returned without throwing
    other_throw,    ///< threw something else (message holds what() when it was std::exception)
    out_of_memory,  ///< threw std::bad_alloc: it tried to allocate past the limit
    killed,         ///< died of a signal (crash, or SIGALRM: out of time)
  } end = End::killed;
  std::string message;
  int signal = 0;
};

inline const char* to_string(LimitedRun::End end) {
  switch (end) {
    case LimitedRun::End::error: return "lmc::Error";
    case LimitedRun::End::returned: return "returned";
    case LimitedRun::End::other_throw: return "another exception";
    case LimitedRun::End::out_of_memory: return "std::bad_alloc";
    case LimitedRun::End::killed: return "killed by a signal";
  }
  return "?";
}

/// Bytes of address space this process has mapped now (from /proc/self/statm).
inline std::uint64_t mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// Runs `body` in a forked child allowed `extra_bytes` of address space beyond what the process
/// maps now, and `seconds` of wall time. The parent waits and returns how the child ended.
inline LimitedRun run_limited(const std::function<void()>& body, std::uint64_t extra_bytes,
                              unsigned seconds) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {LimitedRun::End::killed, "pipe failed", 0};
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return {LimitedRun::End::killed, "fork failed", 0};
  if (pid == 0) {
    ::close(pipe_fds[0]);
    if (!LMC_TEST_SANITIZED) {
      const rlim_t limit = static_cast<rlim_t>(mapped_bytes() + extra_bytes);
      const rlimit as{limit, limit};
      ::setrlimit(RLIMIT_AS, &as);
    }
    ::alarm(seconds);  // the default action of SIGALRM ends the child
    char code = 'r';
    std::string message;
    try {
      body();
    } catch (const lmc::Error& e) {
      code = 'e';
      message = e.what();
    } catch (const std::bad_alloc& e) {
      code = 'm';
      message = e.what();
    } catch (const std::exception& e) {
      code = 'o';
      message = e.what();
    } catch (...) {
      code = 'o';
    }
    const std::string report = code + message;
    std::size_t written = 0;
    while (written < report.size()) {
      const ssize_t n = ::write(pipe_fds[1], report.data() + written, report.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    report.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  LimitedRun run;
  if (WIFSIGNALED(status) || report.empty()) {
    run.end = LimitedRun::End::killed;
    run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    run.message = run.signal == SIGALRM ? "out of time" : "no report";
    return run;
  }
  switch (report[0]) {
    case 'e': run.end = LimitedRun::End::error; break;
    case 'm': run.end = LimitedRun::End::out_of_memory; break;
    case 'o': run.end = LimitedRun::End::other_throw; break;
    default: run.end = LimitedRun::End::returned; break;
  }
  run.message = report.substr(1);
  return run;
}

}  // namespace lmc_test

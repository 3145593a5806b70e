// SPDX-License-Identifier: BSL-1.0
// Runs a fuzz target without libFuzzer: every file named on the command line, and every file of
// every directory named (recursively, in name order), goes once through LLVMFuzzerTestOneInput.
// This is how ctest replays the corpora and fuzz/regressions/ in ordinary builds (g++ too), and
// how a crash found by the fuzzer is reproduced under a debugger without libFuzzer.
//
//   fuzz_replay_<target> [-v] PATH...      exit 0 when every input ran; a failing input aborts
//
// A missing path, or a directory without a single file, is an error (exit 2) unless
// --allow-missing comes before it (a target without regressions has no directory): a replay over
// an emptied or misplaced corpus must fail, not pass having run nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

// Reads a whole file into a heap block of exactly its size (AddressSanitizer then catches a read
// one past the input, as under libFuzzer, which also hands over an exact copy).
bool run_file(const fs::path& path, bool verbose) {
  std::FILE* f = std::fopen(path.string().c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "replay: cannot open %s\n", path.string().c_str());
    return false;
  }
  std::vector<unsigned char> bytes;
  unsigned char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) != 0) bytes.insert(bytes.end(), buf, buf + n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.string().c_str());
    return false;
  }
  std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[bytes.empty() ? 1 : bytes.size()]);
  if (!bytes.empty()) std::memcpy(exact.get(), bytes.data(), bytes.size());
  if (verbose)
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.string().c_str(), bytes.size());
  // Name the input before running it, so that a crash report says which file it was.
  std::fflush(stderr);
  (void)LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  bool allow_missing = false;
  std::vector<fs::path> files;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-v") {
      verbose = true;
      continue;
    }
    if (arg == "--allow-missing") {
      allow_missing = true;
      continue;
    }
    std::error_code ec;
    const fs::path path(arg);
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) found.push_back(it->path());
      }
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
        status = 2;
      }
      if (found.empty() && !allow_missing) {
        std::fprintf(stderr, "replay: no file in %s\n", arg.c_str());
        status = 2;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (!(allow_missing && !fs::exists(path, ec))) {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", arg.c_str());
      status = 2;
    }
  }
  std::size_t ran = 0;
  for (const fs::path& f : files) {
    if (run_file(f, verbose)) {
      ++ran;
    } else {
      status = 2;
    }
  }
  std::printf("replay: %zu inputs ran\n", ran);
  return status;
}

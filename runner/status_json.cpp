#include "status_json.hpp"

#include "promise/process.hpp"
#include "promise/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace promise::runner {
namespace {

namespace fs = std::filesystem;

// Python's float repr for a duration in seconds, to the millisecond: 0.003, 1.25, 20.0.
std::string python_float(double seconds) {
  const double rounded = std::round(seconds * 1000) / 1000;
  char buffer[32];
  const auto end =
      std::to_chars(buffer, buffer + sizeof buffer, rounded, std::chars_format::fixed).ptr;
  std::string text(buffer, end);
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

std::string utc_date(std::time_t time) {
  std::tm parts{};
  ::gmtime_r(&time, &parts);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S+0000", &parts);
  return buffer;
}

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

}  // namespace

std::string status_json(const PromiseResult& result) {
  std::string out = "{\"title\": ";
  append_json_string(out, result.file.title, true);
  out += ", \"name\": ";
  append_json_string(out, result.file.name, true);
  out += ", \"path\": ";
  append_json_string(out, result.file.path, true);
  out += ", \"execution-time\": " + python_float(result.seconds);
  out += ", \"result\": {\"type\": \"Test Result\", \"failed\": ";
  out += result.verdict == Verdict::ok ? "false" : "true";
  out += ", \"date\": \"" + utc_date(result.date) + "\", \"message\": ";
  append_json_string(out, result.message, true);
  return out + "}}";
}

std::string write_status_file(const std::string& partition, const PromiseResult& result) {
  const fs::path directory = fs::path(partition) / ".slapgrid" / "promise" / "result";
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    throw std::runtime_error("cannot create " + directory.string() + ": " + error.message());
  }
  const std::string target = (directory / (result.file.title + ".status.json")).string();
  // Not *.status.json until renamed: the monitor never reads half a file. Shorter than the
  // target, so that any title whose result file can exist has a temporary name too.
  constexpr std::size_t kMaxTitle = NAME_MAX - std::string_view(".XXXXXX.").size();
  std::string temp_name = ".";  // appended, not "." + ...: GCC 12 -O3 warns (-Wrestrict)
  temp_name.append(result.file.title, 0, kMaxTitle).append(".XXXXXX");
  std::string temp = (directory / temp_name).string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create a file in " + directory.string(), errno);
  const std::string content = status_json(result);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int write_error = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      fail("cannot write " + temp, write_error);
    }
    written += static_cast<std::size_t>(n);
  }
  const mode_t umask_bits = ::umask(0);  // the mode Python's open(path, "w") gives
  ::umask(umask_bits);
  ::fchmod(fd, 0666 & ~umask_bits);
  if (::close(fd) != 0 || ::rename(temp.c_str(), target.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temp.c_str());
    fail("cannot write " + target, rename_error);
  }
  return target;
}

}  // namespace promise::runner

#include "promise/file_tail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace promise {
namespace {

constexpr std::size_t kBlockBytes = 4096;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

ssize_t pread_fully(int fd, char* buffer, std::size_t count, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < count) {
    const ssize_t n = ::pread(fd, buffer + done, count - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;  // the file shrank
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

FileTail read_tail(const std::string& path, std::size_t max_lines, std::size_t max_bytes) {
  FileTail tail;
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat info {};
  if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0) {
    tail.error = errno;
    return tail;
  }
  if (!S_ISREG(info.st_mode)) {
    tail.error = S_ISDIR(info.st_mode) ? EISDIR : ESPIPE;
    return tail;
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  tail.file_size = size;
  if (size == 0 || max_lines == 0 || max_bytes == 0) {
    tail.bytes_before = size;
    return tail;
  }

  // Blocks read backwards, newest first; [start, end) of the file is what they hold.
  std::vector<std::string> blocks;
  std::uint64_t start = size;
  std::uint64_t end = size;
  std::size_t newlines = 0;
  while (start > 0 && size - start < max_bytes && newlines < max_lines) {
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::uint64_t>({kBlockBytes, start, max_bytes - (size - start)}));
    std::string block(want, '\0');
    const ssize_t got = pread_fully(fd.get(), block.data(), want, start - want);
    if (got < 0) {
      tail.error = errno;
      return tail;
    }
    if (static_cast<std::size_t>(got) < want) {  // the file shrank: keep what is contiguous
      if (blocks.empty()) {
        block.resize(static_cast<std::size_t>(got));
        start -= want;
        end = start + block.size();
        blocks.push_back(std::move(block));
      }
      break;
    }
    start -= want;
    // The '\n' that ends the file does not end a line of its own.
    std::string_view counted(block);
    if (start + want == size && counted.back() == '\n') counted.remove_suffix(1);
    newlines += static_cast<std::size_t>(std::count(counted.begin(), counted.end(), '\n'));
    blocks.push_back(std::move(block));
  }
  std::string window;
  window.reserve(static_cast<std::size_t>(end - start));
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) window += *it;
  if (window.empty()) {  // the file shrank to nothing meanwhile
    tail.bytes_before = start;
    return tail;
  }
  if (window.back() == '\n') window.pop_back();

  // Does the window start at a line start? Known at offset 0 or after a '\n'.
  bool starts_a_line = start == 0;
  if (!starts_a_line) {
    char before = 0;
    starts_a_line = pread_fully(fd.get(), &before, 1, start - 1) == 1 && before == '\n';
  }

  std::vector<std::string_view> pieces;
  std::string_view rest(window);
  for (;;) {
    const auto newline = rest.find('\n');
    pieces.push_back(rest.substr(0, newline));
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  std::uint64_t before = start;
  std::size_t first = 0;
  if (pieces.size() > max_lines) first = pieces.size() - max_lines;
  for (std::size_t i = 0; i < first; ++i) before += pieces[i].size() + 1;
  tail.first_line_cut = first == 0 && !starts_a_line;
  tail.bytes_before = before;
  for (std::size_t i = first; i < pieces.size(); ++i) tail.lines.emplace_back(pieces[i]);
  return tail;
}

}  // namespace promise

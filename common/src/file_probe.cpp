#include "promise/file_probe.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace promise {
namespace {

FileProbe failure(int error_number) {
  FileProbe probe;
  probe.kind = FileProbe::Kind::error;
  probe.error = std::strerror(error_number);
  return probe;
}

FileProbe::Kind kind_of(mode_t mode) {
  if (S_ISREG(mode)) return FileProbe::Kind::regular;
  if (S_ISDIR(mode)) return FileProbe::Kind::directory;
  return FileProbe::Kind::other;
}

}  // namespace

std::string file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    default:
      return "not a regular file";
  }
}

FileProbe probe_file(const std::string& path, bool read_content) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENOTDIR || error_number == ELOOP) {
      FileProbe probe;
      probe.kind = FileProbe::Kind::absent;
      return probe;
    }
    return failure(error_number);
  }
  FileProbe probe;
  probe.kind = kind_of(info.st_mode);
  probe.size = static_cast<std::uint64_t>(info.st_size);
  probe.mode = info.st_mode;
  if (!read_content || probe.kind != FileProbe::Kind::regular) return probe;

  // Opened even when the size answers: a file the promise cannot read is reported, as the
  // plugin reports it. O_NONBLOCK: the path may have been swapped for a FIFO since stat().
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return failure(errno);
  struct stat opened {};
  if (::fstat(fd, &opened) != 0) {
    const int error_number = errno;
    ::close(fd);
    return failure(error_number);
  }
  probe.kind = kind_of(opened.st_mode);
  probe.size = static_cast<std::uint64_t>(opened.st_size);
  probe.mode = opened.st_mode;
  if (probe.kind == FileProbe::Kind::regular) {
    if (opened.st_size > 0) {
      probe.empty = false;
    } else {
      char byte = 0;
      ssize_t n = 0;
      do {
        n = ::read(fd, &byte, 1);
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        const int error_number = errno;
        ::close(fd);
        return failure(error_number);
      }
      probe.empty = n == 0;
    }
  }
  ::close(fd);
  return probe;
}

}  // namespace promise

#pragma once
// What is at a path, for promises that check that a file exists, or is empty, without reading
// it: stat(2) follows symbolic links (a dangling link is absent, as Python's os.path.exists
// says); open(2) is non-blocking, so a FIFO without a writer cannot stall the check; at most one
// byte is read, only when the size says nothing (files under /proc report 0).

#include <cstdint>
#include <string>

namespace promise {

struct FileProbe {
  enum class Kind {
    absent,     // nothing there: ENOENT, ENOTDIR, or a symbolic link loop (ELOOP)
    regular,    // a regular file; see empty and size
    directory,  // a directory
    other,      // a FIFO, socket or device: no content to speak of
    error,      // cannot tell, or cannot read it: see error
  };
  Kind kind = Kind::error;
  bool empty = false;      // regular, when the content was asked for
  std::uint64_t size = 0;  // st_size
  unsigned mode = 0;       // st_mode (file_type_name() names an other kind)
  std::string error;       // for Kind::error: "Permission denied"
};

// A name for other kinds in messages: "a FIFO", "a socket", "a character device" ...
std::string file_type_name(unsigned mode);

// Looks at path. With read_content, a regular file is also opened and its emptiness decided
// by its size, or by reading one byte when its size is 0; failing to open or read it makes
// the result Kind::error. Without read_content, only stat(2).
FileProbe probe_file(const std::string& path, bool read_content);

}  // namespace promise

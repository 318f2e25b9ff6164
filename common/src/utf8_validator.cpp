// Output must decode as UTF-8 for slapgrid (Python's strict decoder, SLAPOS.md 2.4): the same
// verdict, and the same words, over a stream that is never kept whole.
#include "promise/process.hpp"

#include <cstdio>

namespace promise {

void Utf8Validator::feed(std::string_view bytes) {
  if (error_) {
    offset_ += bytes.size();
    return;
  }
  for (std::size_t i = 0; i < bytes.size(); ++i, ++offset_) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (needed_ > 0) {
      if (c < low_ || c > high_) {
        error_ = Utf8Error{sequence_start_, sequence_start_ + 1 + static_cast<unsigned>(seen_),
                           lead_, "invalid continuation byte"};
        offset_ += bytes.size() - i;
        return;
      }
      ++seen_;
      --needed_;
      low_ = 0x80;
      high_ = 0xBF;
      continue;
    }
    if (c < 0x80) continue;
    sequence_start_ = offset_;
    lead_ = c;
    seen_ = 0;
    low_ = 0x80;
    high_ = 0xBF;
    // The second byte's range excludes overlong forms, surrogates and code points > U+10FFFF.
    if (c >= 0xC2 && c <= 0xDF) {
      needed_ = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      needed_ = 2;
      if (c == 0xE0) low_ = 0xA0;
      if (c == 0xED) high_ = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      needed_ = 3;
      if (c == 0xF0) low_ = 0x90;
      if (c == 0xF4) high_ = 0x8F;
    } else {
      error_ = Utf8Error{offset_, offset_ + 1, c, "invalid start byte"};
      offset_ += bytes.size() - i;
      return;
    }
  }
}

std::optional<Utf8Error> Utf8Validator::finish() const {
  if (error_ || needed_ == 0) return error_;
  return Utf8Error{sequence_start_, offset_, lead_, "unexpected end of data"};
}

std::string python_message(const Utf8Error& error) {
  char buffer[160];
  if (error.end - error.start <= 1) {
    std::snprintf(buffer, sizeof buffer,
                  "'utf-8' codec can't decode byte 0x%02x in position %llu: %s", error.byte,
                  static_cast<unsigned long long>(error.start), error.reason);
  } else {
    std::snprintf(buffer, sizeof buffer,
                  "'utf-8' codec can't decode bytes in position %llu-%llu: %s",
                  static_cast<unsigned long long>(error.start),
                  static_cast<unsigned long long>(error.end - 1), error.reason);
  }
  return buffer;
}

}  // namespace promise

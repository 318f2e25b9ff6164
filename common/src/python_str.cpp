// Python's reading of ASCII text: see promise/python_str.hpp.
#include "promise/python_str.hpp"

#include <cctype>
#include <cmath>

#include "promise/fields.hpp"

namespace promise {

bool is_python_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string_view python_strip(std::string_view text) {
  while (!text.empty() && is_python_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_python_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> python_split(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_python_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_python_space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<long long> python_int(std::string_view text) {
  text = python_strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  long long value = 0;
  char previous = 0;
  for (char c : text) {
    if (c == '_') {
      if (previous == '_') return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (value > 1'000'000'000) return std::nullopt;
    } else {
      return std::nullopt;
    }
    previous = c;
  }
  return negative ? -value : value;
}

std::optional<double> python_float(std::string_view text) {
  text = python_strip(text);
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '_') {
      plain += text[i];
    } else if (i == 0 || i + 1 == text.size() ||
               !std::isdigit(static_cast<unsigned char>(text[i - 1])) ||
               !std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      return std::nullopt;
    }
  }
  std::string_view body = plain;
  bool negative = false;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  const std::string word = ascii_lower(body);
  if (word == "inf" || word == "infinity") return negative ? -INFINITY : INFINITY;
  if (word == "nan") return NAN;
  double value = 0;
  if (body.empty() || body.front() == '+' || body.front() == '-' || !parse_whole(body, value) ||
      word.find_first_of("in") != std::string::npos) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

}  // namespace promise

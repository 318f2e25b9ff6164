// surykatka's JSON report: see promise/surykatka_report.hpp.
#include "promise/surykatka_report.hpp"
#include "promise/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

namespace promise::surykatka {
namespace {

namespace dom = simdjson::dom;

constexpr int kMaxDumpDepth = 64;

const char* type_name(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "a list";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "true or false";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

// Why the text is not a report, in words (simdjson's own are long and generic).
std::string json_error(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      return "no JSON value in it";
    case simdjson::UTF8_ERROR:
      return "it is not UTF-8";
    case simdjson::DEPTH_ERROR:
      return "it nests deeper than 1024 levels";
    case simdjson::NUMBER_ERROR:
      return "a number is not valid JSON or does not fit 64 bits (integers) or a double";
    case simdjson::STRING_ERROR:
    case simdjson::UNESCAPED_CHARS:
    case simdjson::UNCLOSED_STRING:
      return "a string is not valid JSON";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "a true, false or null is misspelt";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "it is not valid JSON (a comma, colon, key, brace or bracket is missing or extra)";
    case simdjson::MEMALLOC:
      return "out of memory";
    case simdjson::CAPACITY:
      return "it is too large";
    default:
      return "it is not valid JSON (" + std::string(simdjson::error_message(code)) + ")";
  }
}

void set_string(Field<std::string>& field, dom::element value) {
  std::string_view text;
  if (value.type() == dom::element_type::STRING && !value.get_string().get(text)) {
    field.kind = Field<std::string>::Kind::value;
    field.value.assign(text);
  } else if (value.is_null()) {
    field.kind = Field<std::string>::Kind::null;
  } else {
    field.kind = Field<std::string>::Kind::wrong_type;
    field.found = type_name(value.type());
  }
}

void set_number(Field<double>& field, dom::element value) {
  double number = 0;
  if (value.is_number() && !value.get_double().get(number)) {
    field.kind = Field<double>::Kind::value;
    field.value = number;
  } else if (value.is_null()) {
    field.kind = Field<double>::Kind::null;
  } else {
    field.kind = Field<double>::Kind::wrong_type;
    field.found = type_name(value.type());
  }
}

// str() of a status code: an integer's digits, or a string as it is.
void set_status_code(Field<std::string>& field, dom::element value) {
  switch (value.type()) {
    case dom::element_type::INT64:
      field.kind = Field<std::string>::Kind::value;
      field.value = std::to_string(int64_t(value));
      return;
    case dom::element_type::UINT64:
      field.kind = Field<std::string>::Kind::value;
      field.value = std::to_string(uint64_t(value));
      return;
    case dom::element_type::DOUBLE:
      field.kind = Field<std::string>::Kind::wrong_type;
      field.found = "a number that is not an integer";
      return;
    default:
      set_string(field, value);
  }
}

bool dump(std::string& out, dom::element value, int depth, std::string* error) {
  const bool container =
      value.type() == dom::element_type::OBJECT || value.type() == dom::element_type::ARRAY;
  if (container && depth >= kMaxDumpDepth) {  // depth counts the containers around this one
    if (error) *error = "it nests deeper than 64 levels";
    return false;
  }
  switch (value.type()) {
    case dom::element_type::OBJECT: {
      // Sorted by key, and the last of duplicate keys wins, as in a Python dict.
      std::map<std::string_view, dom::element> sorted;
      for (auto [key, member] : dom::object(value)) sorted.insert_or_assign(key, member);
      out += '{';
      bool first = true;
      for (const auto& [key, member] : sorted) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, key, true);
        out += ": ";
        if (!dump(out, member, depth + 1, error)) return false;
      }
      out += '}';
      return true;
    }
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (dom::element item : dom::array(value)) {
        if (!first) out += ", ";
        first = false;
        if (!dump(out, item, depth + 1, error)) return false;
      }
      out += ']';
      return true;
    }
    case dom::element_type::STRING:
      append_json_string(out, std::string_view(value), true);
      return true;
    case dom::element_type::INT64:
      out += std::to_string(int64_t(value));
      return true;
    case dom::element_type::UINT64:
      out += std::to_string(uint64_t(value));
      return true;
    case dom::element_type::DOUBLE: {
      const double number = double(value);
      // json.dumps writes the float's repr, and Infinity/NaN by those names.
      out += std::isinf(number)   ? (number < 0 ? "-Infinity" : "Infinity")
             : std::isnan(number) ? "NaN"
                                  : python_float_repr(number);
      return true;
    }
    case dom::element_type::BOOL:
      out += bool(value) ? "true" : "false";
      return true;
    case dom::element_type::NULL_VALUE:
      out += "null";
      return true;
  }
  return false;
}

// An entry's string fields, by key.
template <class Entry>
using StringKeys = std::initializer_list<std::pair<std::string_view, Field<std::string> Entry::*>>;

// Fields other than strings: none.
struct NoOtherFields {
  template <class Entry>
  void operator()(Entry&, std::string_view, dom::element) const {}
};

template <class Entry, class Other = NoOtherFields>
bool read_section(Section<Entry>& section, std::string_view key, dom::element value,
                  std::string& error, StringKeys<Entry> strings, Other&& set_other = {}) {
  dom::array list;
  if (value.get_array().get(list)) {
    error = "'" + std::string(key) + "' is " + type_name(value.type()) + ", not a list";
    return false;
  }
  section.emplace();
  section->reserve(list.size());
  std::size_t index = 0;
  for (dom::element item : list) {
    dom::object object;
    if (item.get_object().get(object)) {
      error = std::string(key) + "[" + std::to_string(index) + "] is " + type_name(item.type()) +
              ", not an object";
      return false;
    }
    Entry& entry = section->emplace_back();
    for (auto [name, field] : object) {
      const auto known =
          std::find_if(strings.begin(), strings.end(),
                       [name = name](const auto& string) { return string.first == name; });
      if (known != strings.end()) {
        set_string(entry.*(known->second), field);
      } else {
        set_other(entry, name, field);
      }
    }
    ++index;
  }
  return true;
}

void set_header_dict(Field<std::string>& field, dom::element value) {
  std::string dumped;
  if (dump(dumped, value, 0, nullptr)) {
    field.kind = Field<std::string>::Kind::value;
    field.value = std::move(dumped);
  } else {
    field.kind = Field<std::string>::Kind::wrong_type;
    field.found = "a value nested deeper than 64 levels";
  }
}

bool read_sections(dom::object root, Report& report, std::string& error) {
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "bot_status") {
      ok = read_section(report.bot_status, key, value, error,
                        {{"text", &BotStatus::text}, {"date", &BotStatus::date}});
    } else if (key == "http_query") {
      ok = read_section(report.http_query, key, value, error,
                        {{"url", &HttpQuery::url}, {"ip", &HttpQuery::ip}},
                        [](HttpQuery& entry, std::string_view name, dom::element field) {
                          if (name == "status_code") set_status_code(entry.status_code, field);
                          if (name == "total_seconds") set_number(entry.total_seconds, field);
                          if (name == "http_header_dict")
                            set_header_dict(entry.http_header_dict, field);
                        });
    } else if (key == "dns_query") {
      ok = read_section(report.dns_query, key, value, error,
                        {{"domain", &DnsQuery::domain},
                         {"rdtype", &DnsQuery::rdtype},
                         {"resolver_ip", &DnsQuery::resolver_ip},
                         {"response", &DnsQuery::response}});
    } else if (key == "tcp_server") {
      ok = read_section(
          report.tcp_server, key, value, error,
          {{"domain", &TcpServer::domain}, {"ip", &TcpServer::ip}, {"state", &TcpServer::state}},
          [](TcpServer& entry, std::string_view name, dom::element field) {
            if (name == "port") set_number(entry.port, field);
          });
    } else if (key == "ssl_certificate") {
      ok = read_section(report.ssl_certificate, key, value, error,
                        {{"hostname", &SslCertificate::hostname},
                         {"ip", &SslCertificate::ip},
                         {"not_after", &SslCertificate::not_after}});
    } else if (key == "whois") {
      ok = read_section(report.whois, key, value, error,
                        {{"domain", &Whois::domain}, {"expiration_date", &Whois::expiration_date}});
    }
    if (!ok) return false;
  }
  return true;
}

// Parses len bytes at data, followed by at least SIMDJSON_PADDING readable bytes.
ReadResult parse_padded(const char* data, std::size_t len) {
  ReadResult result;
  result.status = ReadResult::Status::invalid;
  dom::parser parser;
  dom::element root;
  if (const auto code = parser.parse(data, len, false).get(root)) {
    result.error = json_error(code);
    return result;
  }
  dom::object object;
  if (root.get_object().get(object)) {
    result.error = std::string("the report is ") + type_name(root.type()) + ", not an object";
    return result;
  }
  if (!read_sections(object, result.report, result.error)) return result;
  result.status = ReadResult::Status::ok;
  return result;
}

struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

ReadResult parse_report(std::string_view json) {
  std::vector<char> padded(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  std::memcpy(padded.data(), json.data(), json.size());
  return parse_padded(padded.data(), json.size());
}

ReadResult read_report(const std::string& path) {
  ReadResult result;
  const auto fail = [&](ReadResult::Status status, std::string error) {
    result.status = status;
    result.error = std::move(error);
    return result;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    const bool absent = error == ENOENT || error == ENOTDIR || error == ELOOP;
    return fail(absent ? ReadResult::Status::absent : ReadResult::Status::unreadable,
                std::strerror(error));
  }
  const FileCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return fail(ReadResult::Status::unreadable, std::strerror(errno));
  if (S_ISDIR(info.st_mode)) return fail(ReadResult::Status::unreadable, "it is a directory");
  if (!S_ISREG(info.st_mode)) {
    return fail(ReadResult::Status::unreadable, "it is not a regular file");
  }
  const auto too_big = [&] {
    return fail(ReadResult::Status::unreadable,
                "it is larger than " + std::to_string(kMaxReportBytes >> 20) + " MiB");
  };
  if (static_cast<std::uint64_t>(info.st_size) > kMaxReportBytes) return too_big();
  // Read to the end whatever the size said (the file may grow while read), one byte past the
  // limit at most.
  std::vector<char> buffer(static_cast<std::size_t>(info.st_size) + 4096 +
                           simdjson::SIMDJSON_PADDING);
  std::size_t length = 0;
  for (;;) {
    if (buffer.size() - length < simdjson::SIMDJSON_PADDING + 4096) {
      buffer.resize(std::min(buffer.size() * 2, kMaxReportBytes + 1 + simdjson::SIMDJSON_PADDING));
    }
    const std::size_t room = buffer.size() - simdjson::SIMDJSON_PADDING - length;
    if (room == 0) return too_big();
    const ssize_t got = ::read(fd, buffer.data() + length, room);
    if (got < 0) {
      if (errno == EINTR) continue;
      return fail(ReadResult::Status::unreadable, std::strerror(errno));
    }
    if (got == 0) break;
    length += static_cast<std::size_t>(got);
    if (length > kMaxReportBytes) return too_big();
  }
  std::memset(buffer.data() + length, 0, simdjson::SIMDJSON_PADDING);
  return parse_padded(buffer.data(), length);
}

std::optional<std::string> python_json_dumps(std::string_view text, std::string* error) {
  std::vector<char> padded(text.size() + simdjson::SIMDJSON_PADDING, '\0');
  std::memcpy(padded.data(), text.data(), text.size());
  dom::parser parser;
  dom::element root;
  if (const auto code = parser.parse(padded.data(), text.size(), false).get(root)) {
    if (error) *error = json_error(code);
    return std::nullopt;
  }
  std::string out;
  if (!dump(out, root, 0, error)) return std::nullopt;
  return out;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // The shortest digits that round-trip, placed as Python's float_repr_style 'short' does:
  // positional when -4 <= exponent < 16, else d.ddde+XX.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exponent_text = sci.substr(e + 1);
  if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
      out +=
          digits + std::string(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
             digits.substr(static_cast<std::size_t>(exponent) + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exponent_buffer[16];
  std::snprintf(exponent_buffer, sizeof exponent_buffer, "e%c%02d", exponent < 0 ? '-' : '+',
                exponent < 0 ? -exponent : exponent);
  return out + exponent_buffer;
}

}  // namespace promise::surykatka

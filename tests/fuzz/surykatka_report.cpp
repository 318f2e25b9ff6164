// promise_json (check_surykatka_json's report reader): whatever file surykatka, a bug or an
// attacker leaves, the reader answers without crashing, and agrees with the strict JSON parser
// of fuzz.hpp (written apart): what it accepts is JSON, the sections and fields it reports are
// the ones in the text (the last of duplicate keys), and what it refuses that the reference
// accepts is one of its documented limits (numbers beyond 64 bits or a double, lone surrogates).
// Also the Python-style dump of a header dict, and RFC 2822 dates.
//
// Input: 1 byte chooses the parser (report, JSON dump, date), then the text.
#include "promise/surykatka_report.hpp"
#include "fuzz.hpp"
#include "promise/email_date.hpp"

namespace {

namespace sk = promise::surykatka;
using promise::fuzz::Json;
using promise::fuzz::JsonParser;

// How deeply arrays and objects nest in a text, strings skipped: the reference stops at 64.
int nesting(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// The member the text ends up with for a key: the last one, as in a Python dict.
const Json* last(const Json& object, std::string_view key) {
  const Json* found = nullptr;
  for (std::size_t i = 0; i < object.member_names.size(); ++i) {
    if (object.member_names[i] == key) found = &object.items[i];
  }
  return found;
}

void same_string_field(const Json& entry, std::string_view key,
                       const sk::Field<std::string>& field) {
  using Kind = sk::Field<std::string>::Kind;
  const Json* value = last(entry, key);
  if (!value) {
    FUZZ_CHECK(field.kind == Kind::absent, key);
  } else if (value->type == Json::Type::string) {
    FUZZ_CHECK(field.kind == Kind::value && field.value == value->text, key);
  } else if (value->type == Json::Type::null) {
    FUZZ_CHECK(field.kind == Kind::null, key);
  } else {
    FUZZ_CHECK(field.kind == Kind::wrong_type && !field.found.empty(), key);
  }
}

// An entry kind's string fields, by key.
template <class Entry>
using StringKeys =
    std::initializer_list<std::pair<std::string_view, sk::Field<std::string> Entry::*>>;

// The section holds an entry per object of the list, with the string fields of the object.
template <class Entry>
void same_section(const Json& root, std::string_view key, const sk::Section<Entry>& section,
                  StringKeys<Entry> strings) {
  const Json* list = last(root, key);
  FUZZ_CHECK(section.has_value() == (list != nullptr), key);
  if (!list) return;
  FUZZ_CHECK(list->type == Json::Type::array && list->items.size() == section->size(), key);
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    FUZZ_CHECK(list->items[i].type == Json::Type::object, key);
    for (const auto& [name, field] : strings) {
      same_string_field(list->items[i], name, (*section)[i].*field);
    }
  }
}

void report(std::string_view text) {
  const sk::ReadResult result = sk::parse_report(text);
  FUZZ_CHECK(result.status == sk::ReadResult::Status::ok ||
             result.status == sk::ReadResult::Status::invalid);
  FUZZ_CHECK(promise::fuzz::printable_utf8(result.error), result.error);
  const auto reference = JsonParser::parse(text);
  if (result.status != sk::ReadResult::Status::ok) {
    FUZZ_CHECK(!result.error.empty());
    if (reference && reference->type == Json::Type::object) {
      // Valid JSON refused: only for a documented limit, or a shape the reader refuses.
      const std::string& why = result.error;
      FUZZ_CHECK(why.find("number") != std::string::npos ||
                     why.find("string") != std::string::npos ||
                     why.find("not a list") != std::string::npos ||
                     why.find("not an object") != std::string::npos,
                 why);
    }
    return;
  }
  if (!reference) {
    FUZZ_CHECK(nesting(text) > 64, text);  // the reference's own depth limit
    return;
  }
  FUZZ_CHECK(reference->type == Json::Type::object);
  const Json& root = *reference;
  const sk::Report& parsed = result.report;
  same_section(root, "bot_status", parsed.bot_status,
               {{"text", &sk::BotStatus::text}, {"date", &sk::BotStatus::date}});
  same_section(root, "http_query", parsed.http_query,
               {{"url", &sk::HttpQuery::url}, {"ip", &sk::HttpQuery::ip}});
  if (parsed.http_query) {
    for (const sk::HttpQuery& query : *parsed.http_query) {
      if (query.http_header_dict.has_value()) {
        const auto dumped = JsonParser::parse(query.http_header_dict.value);
        FUZZ_CHECK(dumped.has_value(), query.http_header_dict.value);
      }
    }
  }
  same_section(root, "dns_query", parsed.dns_query,
               {{"domain", &sk::DnsQuery::domain},
                {"rdtype", &sk::DnsQuery::rdtype},
                {"resolver_ip", &sk::DnsQuery::resolver_ip},
                {"response", &sk::DnsQuery::response}});
  same_section(root, "tcp_server", parsed.tcp_server,
               {{"domain", &sk::TcpServer::domain},
                {"ip", &sk::TcpServer::ip},
                {"state", &sk::TcpServer::state}});
  same_section(root, "ssl_certificate", parsed.ssl_certificate,
               {{"hostname", &sk::SslCertificate::hostname},
                {"ip", &sk::SslCertificate::ip},
                {"not_after", &sk::SslCertificate::not_after}});
  same_section(root, "whois", parsed.whois,
               {{"domain", &sk::Whois::domain}, {"expiration_date", &sk::Whois::expiration_date}});
}

void dumps(std::string_view text) {
  std::string error;
  const auto dumped = sk::python_json_dumps(text, &error);
  if (!dumped) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  // ASCII only (ensure_ascii), valid JSON, and dumping it again changes nothing.
  for (const char c : *dumped) FUZZ_CHECK(c >= 0x20 && c < 0x7f, *dumped);
  FUZZ_CHECK(JsonParser::parse(*dumped).has_value(), *dumped);
  FUZZ_CHECK(sk::python_json_dumps(*dumped) == dumped, *dumped);
}

void date(std::string_view text) {
  const auto parsed = promise::parse_email_date(text);
  if (!parsed) return;
  FUZZ_CHECK(parsed->year >= 1 && parsed->year <= 9999);
  FUZZ_CHECK(parsed->month >= 1 && parsed->month <= 12);
  FUZZ_CHECK(parsed->day >= 1 && parsed->day <= 31);
  FUZZ_CHECK(parsed->hour >= 0 && parsed->hour <= 23 && parsed->minute >= 0 &&
             parsed->minute <= 59 && parsed->second >= 0 && parsed->second <= 61);
  const std::int64_t when = promise::email_date_to_unix(*parsed);
  FUZZ_CHECK(when > -62200000000 && when < 253410000000);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  promise::fuzz::Input input(promise::fuzz::as_text(data, size));
  const std::uint8_t which = input.byte();
  const std::string_view text = input.rest();
  switch (which % 3) {
    case 0:
      report(text);
      break;
    case 1:
      dumps(text);
      break;
    default:
      date(text);
      break;
  }
  return 0;
}

#pragma once
// Python's reading of ASCII text, as the SlapOS plugins apply it to option values and to the
// pieces of a report: str.isspace(), str.strip(), str.split(), str.lower(), int() and float().
// Only ASCII counts as white space or letters (the values these read are ASCII; other bytes
// are kept as they are). Library promise_json (surykatka's report and its RFC 2822 dates).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

// str.isspace() of one ASCII character: ' ', \t \n \v \f \r and the separators \x1c..\x1f.
bool is_python_space(char c);

// str.strip() and str.split() (no argument): around and between runs of that white space.
std::string_view python_strip(std::string_view text);
std::vector<std::string_view> python_split(std::string_view text);

// str.lower() of the ASCII letters.
std::string ascii_lower(std::string_view text);

// int(): white space around, an optional sign, decimal digits with single '_' between them.
// Values beyond +-10^9 are refused (timedelta(days=) stops below, no date needs more).
std::optional<long long> python_int(std::string_view text);

// float(): white space around, an optional sign, a decimal number ('_' between digits) or
// "inf", "infinity", "nan" in any case.
std::optional<double> python_float(std::string_view text);

}  // namespace promise

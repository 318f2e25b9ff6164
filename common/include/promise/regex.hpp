#pragma once
// Regular expressions over untrusted text (a page body of up to --max-body bytes), on RE2: time
// linear in the text, memory bounded, and no recursion on the text (a backtracking engine such
// as std::regex recurses per character and overflows the stack on a long line, or takes
// exponential time on a pattern like (x+x+)+y). Only check_page_content links it.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace promise {

// --regex: a pattern RE2 accepts (RE2 syntax: Perl's without backreferences or lookaround).
// A pattern beyond the engine's limits is refused in words that say so. The compiled pattern is
// kept for regex_search.
const CLI::Validator& regular_expression();

// Whether text contains a match of pattern (one regular_expression() accepted).
bool regex_search(const std::string& pattern, std::string_view text);

}  // namespace promise

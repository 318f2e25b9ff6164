#pragma once
// Python str and bytes literals, as SlapOS profiles write values with dumps(): kvm passes
// config-content-to-receive = b'RFB 003.008\n'. Only what repr() and dumps() write and what a
// person types by hand: one pair of ' or " quotes, an optional b/r prefix (any case, any
// order), the escapes of the Python reference (\\ \' \" \a \b \f \n \r \t \v, \ooo, \xhh, in a
// str also \uXXXX and \UXXXXXXXX; an unknown escape keeps its backslash, as Python does).
// No triple quotes, no \N{...}, no implicit concatenation.
#include <optional>
#include <string>
#include <string_view>

namespace promise {

struct PythonLiteral {
  std::string value;  // the bytes; a str as UTF-8
  bool is_bytes = false;
};

// Whether text is meant as a literal: at most two b/r prefix letters, then a quote, and the
// same quote at the end. Plain text ("RFB 003.008") is not.
bool looks_like_python_literal(std::string_view text);

// The value of the literal; nullopt with *error set ("invalid \x escape at byte 4") when it
// is not one. A bytes literal holds ASCII only; a str may hold UTF-8 (invalid UTF-8 refused).
std::optional<PythonLiteral> parse_python_literal(std::string_view text, std::string* error);

// repr() of bytes: b'...' (b"..." when it holds ' and no "), \\ \t \n \r escaped, other
// bytes outside printable ASCII as \xNN.
std::string python_bytes_repr(std::string_view bytes);

}  // namespace promise

#pragma once
// XML-RPC (http://xmlrpc.com/spec.md) as far as supervisord's answers need it: a call with
// string parameters, and an answer that is either one struct of scalar members or a fault.
// The answer comes from a peer: parsed by expat with no DTD allowed (no entity expansion),
// at most kMaxDepth elements deep and kMaxElements elements in all; anything else in it is a
// clear error, never a crash.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace promise::xmlrpc {

inline constexpr std::size_t kMaxDepth = 32;
inline constexpr std::size_t kMaxElements = 10000;

// <?xml ...?><methodCall><methodName>method</methodName><params>... each a <string>.
std::string method_call(std::string_view method, const std::vector<std::string>& strings);

struct Scalar {
  std::string type;  // "string", "int" (i4, i8 too), "boolean", "double", "dateTime.iso8601",
                     // "base64", "nil"; "struct" or "array" for a member that is not a scalar
  std::string text;  // the value as written (empty for struct and array)
};

struct Answer {
  enum class Kind { value_struct, fault, invalid };
  Kind kind = Kind::invalid;
  std::map<std::string, Scalar> members;  // value_struct: the struct's members
  long fault_code = 0;                    // fault
  std::string fault_string;               // fault
  std::string error;                      // invalid: why ("not well-formed XML at line 1: ...")
};

// The answer to a call whose result should be a struct.
Answer parse_struct_answer(std::string_view xml);

}  // namespace promise::xmlrpc

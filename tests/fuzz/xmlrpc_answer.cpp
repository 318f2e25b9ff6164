// The XML-RPC answer parser (common/src/xmlrpc.cpp): whatever supervisord's socket answers, it
// returns one of its three kinds, consistently, without crashing, looping or blowing up.
//
// Input: the whole answer, as it came from the socket.
#include "fuzz.hpp"
#include "promise/xmlrpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using promise::xmlrpc::Answer;
  const std::string_view xml = promise::fuzz::as_text(data, size);
  const Answer answer = promise::xmlrpc::parse_struct_answer(xml);
  switch (answer.kind) {
    case Answer::Kind::invalid:
      FUZZ_CHECK(!answer.error.empty());
      break;
    case Answer::Kind::fault:
      FUZZ_CHECK(answer.error.empty() && answer.members.empty(), answer.error);
      break;
    case Answer::Kind::value_struct:
      FUZZ_CHECK(answer.error.empty(), answer.error);
      for (const auto& [name, value] : answer.members) {
        FUZZ_CHECK(!value.type.empty(), name);
        FUZZ_CHECK(value.text.size() <= xml.size(), name);  // no entity expansion
      }
      break;
  }
  return 0;
}

// XML-RPC answers on expat: the document becomes a small tree (bounded in depth and size),
// then the tree is read as methodResponse/params/param/value/struct or methodResponse/fault.
#include "promise/xmlrpc.hpp"

#include <expat.h>

#include <charconv>
#include <memory>
#include <optional>

namespace promise::xmlrpc {
namespace {

struct Node {
  std::string name;
  std::string text;  // character data directly inside, concatenated
  std::vector<std::unique_ptr<Node>> children;
};

struct Builder {
  XML_Parser parser = nullptr;
  Node root;  // holds the document element
  std::vector<Node*> open{&root};
  std::size_t elements = 0;
  std::string error;

  void stop(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

// Once stopped, expat may still call back: every handler then does nothing.
void on_start(void* user, const XML_Char* name, const XML_Char**) {
  auto& b = *static_cast<Builder*>(user);
  if (!b.error.empty()) return;
  if (b.open.size() > kMaxDepth) return b.stop("nested deeper than " + std::to_string(kMaxDepth));
  if (++b.elements > kMaxElements) {
    return b.stop("more than " + std::to_string(kMaxElements) + " elements");
  }
  auto node = std::make_unique<Node>();
  node->name = name;
  Node* raw = node.get();
  b.open.back()->children.push_back(std::move(node));
  b.open.push_back(raw);
}

void on_end(void* user, const XML_Char*) {
  auto& b = *static_cast<Builder*>(user);
  if (b.error.empty() && b.open.size() > 1) b.open.pop_back();
}

void on_text(void* user, const XML_Char* text, int length) {
  auto& b = *static_cast<Builder*>(user);
  if (b.error.empty()) b.open.back()->text.append(text, static_cast<std::size_t>(length));
}

void on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<Builder*>(user)->stop("a document type declaration (DTD), refused");
}

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The only child element of node named name, or why not.
const Node* only_child(const Node& node, std::string_view name, std::string& error) {
  if (node.children.size() != 1 || node.children[0]->name != name || !is_blank(node.text)) {
    error = "<" + node.name + "> does not hold exactly one <" + std::string(name) + ">";
    return nullptr;
  }
  return node.children[0].get();
}

// A <value>: a typed element, or bare text (a string).
std::optional<Scalar> value_of(const Node& value, std::string& error) {
  if (value.children.empty()) return Scalar{"string", value.text};
  if (value.children.size() != 1 || !is_blank(value.text)) {
    error = "a <value> holds more than one value";
    return std::nullopt;
  }
  const Node& typed = *value.children[0];
  std::string type = typed.name;
  if (type == "i4" || type == "i8") type = "int";
  static constexpr std::string_view kScalars[] = {"string",           "int",    "boolean", "double",
                                                  "dateTime.iso8601", "base64", "nil"};
  for (const auto known : kScalars) {
    if (type == known) {
      if (!typed.children.empty()) {
        error = "<" + type + "> holds elements";
        return std::nullopt;
      }
      return Scalar{type, typed.text};
    }
  }
  if (type == "struct" || type == "array") return Scalar{type, {}};
  error = "unknown value type <" + typed.name + ">";
  return std::nullopt;
}

bool read_struct(const Node& value, Answer& answer) {
  const Node* structure = only_child(value, "struct", answer.error);
  if (structure == nullptr) return false;
  if (!is_blank(structure->text)) {
    answer.error = "text directly inside <struct>";
    return false;
  }
  for (const auto& member : structure->children) {
    if (member->name != "member" || member->children.size() != 2 ||
        member->children[0]->name != "name" || member->children[1]->name != "value" ||
        !member->children[0]->children.empty()) {
      answer.error = "a struct member is not <name> then <value>";
      return false;
    }
    const auto scalar = value_of(*member->children[1], answer.error);
    if (!scalar) return false;
    answer.members[member->children[0]->text] = *scalar;  // the last one wins, as in Python
  }
  return true;
}

}  // namespace

std::string method_call(std::string_view method, const std::vector<std::string>& strings) {
  auto escape = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        default:
          out += c;
      }
    }
    return out;
  };
  std::string xml = "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + escape(method) +
                    "</methodName>\n<params>\n";
  for (const auto& text : strings) {
    xml += "<param>\n<value><string>" + escape(text) + "</string></value>\n</param>\n";
  }
  return xml + "</params>\n</methodCall>\n";
}

Answer parse_struct_answer(std::string_view xml) {
  Answer answer;
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (!parser) {
    answer.error = "cannot create an XML parser";
    return answer;
  }
  Builder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  if (xml.size() > static_cast<std::size_t>(INT32_MAX)) {
    answer.error = "answer too large";
    return answer;
  }
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) !=
      XML_STATUS_OK) {
    answer.error = !builder.error.empty()
                       ? builder.error
                       : std::string("not well-formed XML at line ") +
                             std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                             XML_ErrorString(XML_GetErrorCode(parser.get()));
    return answer;
  }
  const Node* response = only_child(builder.root, "methodResponse", answer.error);
  if (response == nullptr) {
    answer.error = "not an XML-RPC answer: the document is not a <methodResponse>";
    return answer;
  }
  if (response->children.size() != 1 || !is_blank(response->text)) {
    answer.error = "<methodResponse> does not hold exactly one <params> or <fault>";
    return answer;
  }
  const Node& body = *response->children[0];
  if (body.name == "fault") {
    const Node* value = only_child(body, "value", answer.error);
    Answer fault;
    if (value == nullptr || !read_struct(*value, fault)) {
      answer.error = "a fault that is not a struct: " + (value ? fault.error : answer.error);
      return answer;
    }
    const auto code = fault.members.find("faultCode");
    const auto text = fault.members.find("faultString");
    if (code == fault.members.end() || code->second.type != "int" || text == fault.members.end() ||
        text->second.type != "string") {
      answer.error = "a fault without an int faultCode and a string faultString";
      return answer;
    }
    const auto& digits = code->second.text;
    const auto first = digits.find_first_not_of(" \t\r\n");
    const auto last = digits.find_last_not_of(" \t\r\n");
    const char* begin = digits.data() + (first == std::string::npos ? digits.size() : first);
    const char* end = digits.data() + (last == std::string::npos ? digits.size() : last + 1);
    if (*begin == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, answer.fault_code);
    if (begin == end || ec != std::errc() || ptr != end) {
      answer.error = "a fault whose faultCode is not an integer";
      return answer;
    }
    answer.kind = Answer::Kind::fault;
    answer.fault_string = text->second.text;
    return answer;
  }
  if (body.name != "params") {
    answer.error = "<methodResponse> holds <" + body.name + ">, not <params> or <fault>";
    return answer;
  }
  const Node* param = only_child(body, "param", answer.error);
  const Node* value = param ? only_child(*param, "value", answer.error) : nullptr;
  if (value == nullptr) return answer;
  if (value->children.size() == 1 && value->children[0]->name != "struct") {
    answer.error = "the result is a <" + value->children[0]->name + ">, not a <struct>";
    return answer;
  }
  if (!read_struct(*value, answer)) return answer;
  answer.kind = Answer::Kind::value_struct;
  return answer;
}

}  // namespace promise::xmlrpc

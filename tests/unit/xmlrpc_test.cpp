// XML-RPC answers as supervisord writes them (Python's xmlrpc.client.dumps), and hostile ones:
// faults of every shape, wrong types, entity bombs, deep nesting, huge and truncated documents.
#include "promise/xmlrpc.hpp"

#include <gtest/gtest.h>

namespace promise::xmlrpc {
namespace {

std::string response(const std::string& value) {
  return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>" + value +
         "</value>\n</param>\n</params>\n</methodResponse>\n";
}

std::string member(const std::string& name, const std::string& value) {
  return "<member>\n<name>" + name + "</name>\n<value>" + value + "</value>\n</member>\n";
}

std::string fault(const std::string& members) {
  return "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n" + members +
         "</struct></value>\n</fault>\n</methodResponse>\n";
}

Answer invalid(const std::string& xml, const std::string& mentions) {
  const Answer answer = parse_struct_answer(xml);
  EXPECT_EQ(answer.kind, Answer::Kind::invalid) << xml;
  EXPECT_NE(answer.error.find(mentions), std::string::npos) << answer.error;
  return answer;
}

TEST(XmlRpcCall, AsPythonWritesIt) {
  EXPECT_EQ(method_call("supervisor.getProcessInfo", {"a<b&c"}),
            "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getProcessInfo"
            "</methodName>\n<params>\n<param>\n<value><string>a&lt;b&amp;c</string></value>\n"
            "</param>\n</params>\n</methodCall>\n");
}

TEST(XmlRpcAnswer, SupervisordProcessInfo) {
  const Answer answer = parse_struct_answer(
      response("<struct>\n" + member("name", "<string>sleeper</string>") +
               member("statename", "<string>RUNNING</string>") + member("state", "<int>20</int>") +
               member("spawnerr", "<string></string>") + member("bare", "text") +
               member("list", "<array><data/></array>") + "</struct>"));
  ASSERT_EQ(answer.kind, Answer::Kind::value_struct) << answer.error;
  EXPECT_EQ(answer.members.at("statename").type, "string");
  EXPECT_EQ(answer.members.at("statename").text, "RUNNING");
  EXPECT_EQ(answer.members.at("state").type, "int");
  EXPECT_EQ(answer.members.at("spawnerr").text, "");
  EXPECT_EQ(answer.members.at("bare").type, "string");  // a value without a type is a string
  EXPECT_EQ(answer.members.at("list").type, "array");
}

TEST(XmlRpcAnswer, EntitiesAndCdataAreDecoded) {
  const Answer answer = parse_struct_answer(
      response("<struct>" + member("statename", "<string>A&amp;B&#x41;<![CDATA[<x>]]></string>") +
               "</struct>"));
  ASSERT_EQ(answer.kind, Answer::Kind::value_struct) << answer.error;
  EXPECT_EQ(answer.members.at("statename").text, "A&BA<x>");
}

TEST(XmlRpcAnswer, Faults) {
  const Answer answer =
      parse_struct_answer(fault(member("faultCode", "<int>10</int>") +
                                member("faultString", "<string>BAD_NAME: x</string>")));
  ASSERT_EQ(answer.kind, Answer::Kind::fault) << answer.error;
  EXPECT_EQ(answer.fault_code, 10);
  EXPECT_EQ(answer.fault_string, "BAD_NAME: x");
  EXPECT_EQ(parse_struct_answer(fault(member("faultCode", "<i4> -1 </i4>") +
                                      member("faultString", "<string></string>")))
                .fault_code,
            -1);
  invalid(fault(member("faultCode", "<string>10</string>") +
                member("faultString", "<string>x</string>")),
          "int faultCode");
  invalid(
      fault(member("faultCode", "<int>ten</int>") + member("faultString", "<string>x</string>")),
      "not an integer");
  invalid(fault(member("faultCode", "<int>99999999999999999999999</int>") +
                member("faultString", "<string>x</string>")),
          "not an integer");
  invalid(fault(member("faultCode", "<int>1</int>")), "faultString");
  invalid("<methodResponse><fault><value><string>x</string></value></fault></methodResponse>",
          "not a struct");
}

TEST(XmlRpcAnswer, WrongShapesAndTypes) {
  invalid(response("<array><data/></array>"), "not a <struct>");
  invalid(response("<int>1</int>"), "not a <struct>");
  invalid(response("<struct><member><name>a</name></member></struct>"), "<name> then <value>");
  invalid(response("<struct>" + member("a", "<float>1</float>") + "</struct>"),
          "unknown value type");
  invalid(response("<struct>" + member("a", "<string><b/></string>") + "</struct>"),
          "holds elements");
  invalid(response("<struct>" + member("a", "<int>1</int><int>2</int>") + "</struct>"),
          "more than one value");
  invalid("<methodCall/>", "not an XML-RPC answer");
  invalid("<methodResponse/>", "exactly one");
  invalid("<methodResponse><params/><params/></methodResponse>", "exactly one");
  invalid("<methodResponse><other/></methodResponse>", "<other>");
  invalid("<methodResponse><params><param/></params></methodResponse>", "<value>");
}

TEST(XmlRpcAnswer, NotXml) {
  invalid("", "not well-formed");
  invalid("HTTP/1.0 200 OK", "not well-formed");
  invalid(response("<struct>").substr(0, 60), "not well-formed");  // truncated
  invalid(std::string("<methodResponse>\0</methodResponse>", 34), "not well-formed");
  invalid("<methodResponse>\xff</methodResponse>", "not well-formed");  // not UTF-8
}

TEST(XmlRpcAnswer, NoDocumentTypeSoNoEntityBomb) {
  std::string bomb = "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string("<!ENTITY ") + c + " '" + std::string(10, '&') + "'>";
  }
  bomb += "]><methodResponse>&j;</methodResponse>";
  invalid(bomb, "document type declaration");
  invalid("<!DOCTYPE methodResponse SYSTEM 'file:///etc/passwd'><methodResponse/>",
          "document type declaration");
  invalid("<methodResponse>&undefined;</methodResponse>", "not well-formed");
}

TEST(XmlRpcAnswer, DeepAndWideDocumentsStopAtTheLimits) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  invalid(deep, "nested deeper than");
  std::string wide = "<methodResponse>";
  for (std::size_t i = 0; i <= kMaxElements; ++i) wide += "<a/>";
  invalid(wide + "</methodResponse>", "more than");
}

TEST(XmlRpcAnswer, HugeStringsAreParsed) {
  const std::string big(4 << 20, 'x');
  const Answer answer =
      parse_struct_answer(response("<struct>" + member("statename", big) + "</struct>"));
  ASSERT_EQ(answer.kind, Answer::Kind::value_struct) << answer.error;
  EXPECT_EQ(answer.members.at("statename").text.size(), big.size());
}

}  // namespace
}  // namespace promise::xmlrpc

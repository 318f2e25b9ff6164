#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "internal.hpp"
#include "process.hpp"
#include "promise/options.hpp"

namespace promise {
namespace {

using detail::PromiseConfigFormat;

struct Values {
  std::string url;
  std::vector<int> codes;
  std::string password;
  bool flag = false;
};

// An app shaped like a promise's: a few options, our config format, strict extras.
std::unique_ptr<CLI::App> make_app(Values& values) {
  auto app = std::make_unique<CLI::App>("test", "test");
  app->config_formatter(std::make_shared<PromiseConfigFormat>());
  app->allow_config_extras(false);
  app->set_config("--config");
  app->add_option("--url", values.url);
  app->add_option("--http-code", values.codes);
  secret(app->add_option("--password", values.password));
  app->add_flag("--flag", values.flag);
  return app;
}

void parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  app.parse(args);
}

const std::string kTricky = "p@ss \"w#rd\", with spaces\\ and\nnewline \xc3\xa9\t\x01";

TEST(Config, RoundTripsEveryByte) {
  Values original;
  auto app = make_app(original);
  parse(*app, {"--url", "http://h/#frag,x y", "--http-code", "200", "--http-code", "204",
               "--password", kTricky, "--flag"});
  const std::string text = detail::render_config(*app, false);
  EXPECT_EQ(text.find('\x01'), std::string::npos);  // control bytes are escaped in the file

  promise::test::TempDir dir;
  std::ofstream(dir / "promise") << "#!/bin/x --config\n# comment\n" << text;
  Values read_back;
  auto reader = make_app(read_back);
  parse(*reader, {"--config", dir / "promise"});
  EXPECT_EQ(read_back.url, original.url);
  EXPECT_EQ(read_back.codes, (std::vector<int>{200, 204}));
  EXPECT_EQ(read_back.password, kTricky);
  EXPECT_TRUE(read_back.flag);
}

TEST(Config, CommandLineWins) {
  promise::test::TempDir dir;
  std::ofstream(dir / "promise") << "url = \"http://baked/\"\nhttp-code = \"200\"\n";
  Values values;
  auto app = make_app(values);
  parse(*app, {"--config", dir / "promise", "--url", "http://given/"});
  EXPECT_EQ(values.url, "http://given/");
  EXPECT_EQ(values.codes, std::vector<int>{200});
}

TEST(Config, SecretsAreMaskedWhenShown) {
  Values values;
  auto app = make_app(values);
  parse(*app, {"--url", "http://h/", "--password", "hunter2"});
  const std::string shown = detail::render_config(*app, true);
  EXPECT_EQ(shown, "url = \"http://h/\"\npassword = \"***\"\n");
}

// Credentials inside ordinary values: URL user-info and credential headers.
TEST(Config, CredentialsInsideValuesAreMaskedWhenShown) {
  Values values;
  auto app = make_app(values);
  std::vector<std::string> headers;
  app->add_option("--header", headers);
  parse(*app, {"--url", "http://u:s3cret@h/", "--header", "Authorization: Bearer T0k", "--header",
               "X-Plain: 1"});
  EXPECT_EQ(detail::render_config(*app, true),
            "url = \"http://u:***@h/\"\nheader = \"Authorization: ***\"\n"
            "header = \"X-Plain: 1\"\n");
  // Written for --install: in clear.
  EXPECT_NE(detail::render_config(*app, false).find("s3cret"), std::string::npos);
}

TEST(Config, BadLinesAreRefusedWithTheLineNumber) {
  PromiseConfigFormat format;
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"url\n", "line 1: expected name"},
           {"# ok\nurl = \"unterminated\n", "line 2: unterminated"},
           {"url = two words\n", "must be quoted"},
           {"u rl = \"x\"\n", "bad option name"},
           {"url = \"x\" trailing\n", "unexpected text"},
           {"url = \"\\xZZ\"\n", "bad \\x escape"}}) {
    std::istringstream input(text);
    try {
      format.from_config(input);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const CLI::ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(why), std::string::npos) << error.what();
    }
  }
}

TEST(Config, UnknownKeysAreErrors) {
  promise::test::TempDir dir;
  std::ofstream(dir / "promise") << "colour = \"blue\"\n";
  Values values;
  auto app = make_app(values);
  EXPECT_THROW(parse(*app, {"--config", dir / "promise"}), CLI::ConfigError);
}

TEST(EmbeddedConfig, TrailerRoundTrip) {
  const std::string executable = std::string(
                                     "\x7f"
                                     "ELF",
                                     4) +
                                 std::string(1000, '\0');
  const std::string config = "url = \"http://h/\"\n";
  const std::string copy = detail::embed_config(executable, config);
  EXPECT_EQ(detail::executable_size(copy), executable.size());
  EXPECT_EQ(detail::executable_size(executable), executable.size());
  // Re-embedding into a copy replaces the old configuration instead of stacking.
  const std::string again = detail::embed_config(
      std::string_view(copy).substr(0, detail::executable_size(copy)), "x = 1\n");
  EXPECT_EQ(again.size(), executable.size() + 6 + 16);

  promise::test::TempDir dir;
  std::ofstream(dir / "copy", std::ios::binary) << copy;
  EXPECT_EQ(detail::read_embedded_config(dir / "copy"), config);
  std::ofstream(dir / "plain", std::ios::binary) << executable;
  EXPECT_FALSE(detail::read_embedded_config(dir / "plain").has_value());

  // Read through CLI11's config path, as a --mode copy promise does with /proc/self/exe.
  Values values;
  auto app = make_app(values);
  parse(*app, {"--config", dir / "copy"});
  EXPECT_EQ(values.url, "http://h/");
}

// Sized by the file rather than max_bytes: a file larger than the first guess, or one that says
// it is empty (/proc), is still read whole, and never beyond max_bytes.
TEST(ReadRegularFile, ReadsWholeFilesOfAnySizeUpToTheLimit) {
  promise::test::TempDir dir;
  const std::string big(100000, 'x');
  std::ofstream(dir / "big", std::ios::binary) << big;
  std::string why;
  EXPECT_EQ(detail::read_regular_file(dir / "big", 1 << 20, why), big);
  EXPECT_EQ(detail::read_regular_file(dir / "big", 70000, why), big.substr(0, 70000));
  std::ofstream(dir / "empty", std::ios::binary) << "";
  EXPECT_EQ(detail::read_regular_file(dir / "empty", 1 << 20, why), "");
  const auto status = detail::read_regular_file("/proc/self/status", 1 << 20, why);
  ASSERT_TRUE(status.has_value()) << why;
  EXPECT_NE(status->find("Name:"), std::string::npos);
  EXPECT_NE(status->find("VmRSS"), std::string::npos);
}

TEST(ConfigNames, ListsTheNamesOrNothingForBadText) {
  EXPECT_EQ(detail::config_names("#!/bin/x --config\nurl = \"a\"\ntimeout = \"3\"\n"),
            (std::vector<std::string>{"url", "timeout"}));
  EXPECT_FALSE(detail::config_names("url \"a\"\n").has_value());
}

TEST(EmbeddedConfig, CorruptTrailerIsIgnored) {
  std::string copy = detail::embed_config(std::string("\x7f"
                                                      "ELF",
                                                      4),
                                          "url = \"x\"\n");
  copy[copy.size() - 16] = '\x7f';  // length now larger than the file
  EXPECT_EQ(detail::executable_size(copy), copy.size());
}

}  // namespace
}  // namespace promise

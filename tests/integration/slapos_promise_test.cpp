// slapos-promise: run a promise directory the way slapgrid does (SLAPOS.md 2.4-2.7), in
// parallel, and report; list the installed binaries; show what a promise checks.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "listeners.hpp"
#include "process.hpp"
#include "promise/process.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kRunner = binary("slapos-promise");
const std::string kSocket = binary("check_socket_listening");

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ---- a JSON reader, just enough to check what slapos-promise writes ----------------------

struct Json {
  enum class Type { object, string, number, boolean, null } type = Type::null;
  std::vector<std::pair<std::string, Json>> members;  // an object's, in order
  std::string text;  // a string's value; a number's or boolean's source text

  const Json& operator[](const std::string& key) const {
    for (const auto& [name, value] : members) {
      if (name == key) return value;
    }
    throw std::runtime_error("no key " + key);
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& member : members) out.push_back(member.first);
    return out;
  }
};

class JsonReader {
 public:
  // Throws std::runtime_error unless text is exactly one JSON value.
  static Json parse(std::string_view text) {
    JsonReader reader(text);
    Json value = reader.value();
    reader.skip_space();
    if (reader.at_ != text.size()) reader.fail("trailing text");
    return value;
  }

 private:
  explicit JsonReader(std::string_view text) : text_(text) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(what + " at " + std::to_string(at_));
  }
  void skip_space() {
    while (at_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[at_]) != std::string_view::npos)
      ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  void expect(char c) {
    if (!take(c)) fail(std::string("expected ") + c);
  }

  Json value() {
    skip_space();
    Json json;
    if (take('{')) {
      json.type = Json::Type::object;
      if (take('}')) return json;
      do {
        skip_space();
        std::string key = string();
        expect(':');
        json.members.emplace_back(std::move(key), value());
      } while (take(','));
      expect('}');
    } else if (at_ < text_.size() && text_[at_] == '"') {
      json.type = Json::Type::string;
      json.text = string();
    } else if (text_.substr(at_, 4) == "true" || text_.substr(at_, 5) == "false") {
      json.type = Json::Type::boolean;
      json.text = text_[at_] == 't' ? "true" : "false";
      at_ += json.text.size();
    } else {
      static const std::regex number(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
      std::match_results<std::string_view::const_iterator> match;
      if (!std::regex_search(text_.begin() + static_cast<long>(at_), text_.end(), match, number)) {
        fail("expected a value");
      }
      json.type = Json::Type::number;
      json.text = match.str();
      at_ += json.text.size();
    }
    return json;
  }

  std::string string() {
    if (at_ >= text_.size() || text_[at_] != '"') fail("expected a string");
    std::string out;
    for (++at_; at_ < text_.size() && text_[at_] != '"'; ++at_) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c < 0x20) fail("raw control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      const char escape = ++at_ < text_.size() ? text_[at_] : '\0';
      const std::string_view simple = "\"\\/bfnrt", meaning = "\"\\/\b\f\n\r\t";
      if (simple.find(escape) != std::string_view::npos) {
        out += meaning[simple.find(escape)];
      } else if (escape == 'u' && at_ + 4 < text_.size()) {
        const unsigned long unit = std::stoul(std::string(text_.substr(at_ + 1, 4)), nullptr, 16);
        at_ += 4;
        if (unit >= 0x80) fail("non-ASCII \\u escape (not needed here)");
        out += static_cast<char>(unit);
      } else {
        fail("bad escape");
      }
    }
    if (at_ >= text_.size()) fail("unterminated string");
    ++at_;
    return out;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

// ---- a partition with every kind of promise ----------------------------------------------

// <partition>/etc/promise holding shell promises of every kind and a real promise. Scripts
// write the PIDs of what they start into the partition (their cwd), relative paths.
struct Partition {
  TempDir dir;
  std::string promise_dir = dir / "etc/promise";
  Listener listener = Listener::tcp("127.0.0.1");

  Partition() { fs::create_directories(promise_dir); }

  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }

  void script(const std::string& name, const std::string& body, bool executable = true) const {
    std::ofstream(promise(name)) << "#!/bin/sh\n" << body << "\n";
    if (executable) fs::permissions(promise(name), fs::perms::owner_all);
  }

  void fill() const {
    script("holding.sh", "echo fine; exit 0");
    script("failing", "echo broken >&2; exit 1");
    script("context", "echo \"args=$# cwd=$PWD\"; read line && echo \"stdin had data\"; exit 0");
    // Ignores SIGTERM, and so do its children: one in the group, one in a session of its own
    // (setsid) while its parent lives.
    script("hanging",
           "trap '' TERM\n"
           "sh -c 'trap \"\" TERM; echo $$ > hanging-child.pid; sleep 1000' &\n"
           "setsid sh -c 'echo $$ > hanging-setsid.pid; exec sleep 1000' &\n"
           "sleep 1000 & echo $! > hanging-sleep.pid\n"
           "echo $$ > hanging.pid\n"
           "wait");
    // Exits at once, but daemons that escaped its group keep its output pipe open (slapgrid's
    // communicate() waits for them, so it times out too): one direct, one double-forked.
    script("escaping",
           "setsid sh -c 'echo $$ > escaping-setsid.pid; exec sleep 1000' &\n"
           "(setsid sh -c 'echo $$ > escaping-daemon.pid; exec sleep 1000' &)\n"
           "echo started");
    script("huge-output", "yes | head -c 50000000");
    script("non-utf8", "printf 'ok\\377'");
    script("notes.txt", "echo never run", false);
    std::ofstream(promise("garbage")) << "no interpreter line\n";
    fs::permissions(promise("garbage"), fs::perms::owner_all);
    install_web();
  }

  void install_web() const {
    const auto installed = run({kSocket, "--install", promise("web"), "--host", "127.0.0.1",
                                "--port", std::to_string(listener.port())});
    ASSERT_EQ(installed.exit_code, 0) << installed.output;
  }

  std::vector<std::string> pid_files() const {
    return {"hanging.pid",       "hanging-child.pid",   "hanging-setsid.pid",
            "hanging-sleep.pid", "escaping-setsid.pid", "escaping-daemon.pid"};
  }

  // Every process the scripts started is gone: not running, not even a zombie.
  void expect_no_survivor() const {
    for (const auto& name : pid_files()) {
      const std::string text = read_file(dir / name);
      ASSERT_FALSE(text.empty()) << name << " was not written: the script did not run";
      const pid_t pid = std::stoi(text);
      EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << name << ": " << pid << " survived";
    }
  }
};

ProcessResult slapos_promise(std::vector<std::string> args, const std::string& cwd = "") {
  ProcessSpec spec;
  spec.argv = {kRunner};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = cwd;
  spec.time_limit = 30;
  return run_process(spec);
}

struct Row {
  std::string state, time, message;
};

// The table's rows by promise name; every row's columns start where the header's do.
std::map<std::string, Row> table_rows(const std::vector<std::string>& lines) {
  const std::string& header = lines.at(0);
  const auto state_at = header.find("STATE"), message_at = header.find("MESSAGE");
  EXPECT_EQ(header.rfind("PROMISE", 0), 0u) << header;
  std::map<std::string, Row> rows;
  std::vector<std::string> order;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string name = line.substr(0, line.find(' '));
    const std::string state_and_time = line.substr(state_at, message_at - state_at);
    const auto state_end = state_and_time.find(' ');
    std::string time = state_and_time.substr(state_and_time.find_first_not_of(' ', state_end));
    time.erase(time.find_last_not_of(' ') + 1);  // right-aligned: "0.012 s", "-"
    rows[name] = Row{state_and_time.substr(0, state_end), time, line.substr(message_at)};
    order.push_back(name);
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  return rows;
}

double seconds_of(const Row& row) {
  return std::stod(row.time);  // "3.012 s"
}

TEST(SlaposPromiseRun, ReportsEachPromiseAsSlapgridWouldAndLeavesNothingBehind) {
  Partition partition;
  partition.fill();
  auto result = slapos_promise({"run", "-j2", "--timeout", "2", partition.promise_dir});
  EXPECT_EQ(result.exit_code, 2) << result.output;  // slapgrid's "promise failed"
  // The two hanging promises are killed at the limit plus the grace (their rows, below), side
  // by side: one after the other, they alone would take 2 * (2 + 1) s.
  EXPECT_GE(result.seconds, 3.0);
  EXPECT_LT(result.seconds, 2 * (2 + 1)) << result.output;
  EXPECT_TRUE(is_utf8(result.output));

  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 1 + 10 + 1u) << result.output;
  auto rows = table_rows(lines);
  auto expect_row = [&](const std::string& name, const std::string& state,
                        const std::string& message) {
    EXPECT_EQ(rows[name].state, state) << name << "\n" << result.output;
    EXPECT_EQ(rows[name].message, message) << name << "\n" << result.output;
  };
  expect_row("holding.sh", "OK", "fine");
  expect_row("failing", "FAILED", "broken");
  expect_row("context", "OK", "args=0 cwd=" + partition.dir.path());
  expect_row("hanging", "TIMEOUT", "Error: Promise timed out after 2 seconds");
  expect_row("escaping", "TIMEOUT", "Error: Promise timed out after 2 seconds");
  expect_row("non-utf8", "FAILED",
             "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte");
  expect_row("garbage", "FAILED",
             "[Errno 8] Exec format error: '" + partition.promise("garbage") + "'");
  expect_row("notes.txt", "SKIPPED", "Bad promise file (not executable): slapgrid skips it");
  EXPECT_EQ(rows["web"].state, "OK");
  EXPECT_EQ(rows["web"].message.rfind("OK: 127.0.0.1:" + std::to_string(partition.listener.port()) +
                                          " is listening (connected in ",
                                      0),
            0u)
      << rows["web"].message;
  EXPECT_EQ(rows["huge-output"].state, "OK");
  EXPECT_EQ(rows["huge-output"].message.rfind("... | y | y | y", 0), 0u)
      << rows["huge-output"].message;
  EXPECT_LE(rows["huge-output"].message.size(), 1100u);  // one line, cut for the table
  for (const std::string name : {"hanging", "escaping"}) {
    EXPECT_GE(seconds_of(rows[name]), 2.9) << name;  // SIGTERM ignored: killed after the grace
    EXPECT_LT(seconds_of(rows[name]), 3.8) << name;
  }
  EXPECT_LT(seconds_of(rows["holding.sh"]), 1.0);
  EXPECT_TRUE(std::regex_match(
      lines.back(), std::regex(R"(9 promises: 4 OK, 5 failed \(2 timed out\) in [345]\.\d\d s; )"
                               R"(1 bad promise file skipped)")))
      << lines.back();
  partition.expect_no_survivor();
}

TEST(SlaposPromiseRun, JsonIsOneStatusObjectALineAndWriteResultsWritesThem) {
  Partition partition;
  partition.fill();
  auto result = slapos_promise({"run", "--timeout", "2", "--format", "json", "--write-results",
                                partition.dir.path(), partition.promise_dir});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_LT(result.seconds, 2 * (2 + 1));
  // stderr is merged here: the bad promise file is named there, not as a result.
  std::map<std::string, Json> by_title;
  std::map<std::string, std::string> line_by_title;
  bool bad_file_named = false;
  for (const auto& line : lines_of(result.output)) {
    if (line ==
        "Bad promise file at '" + partition.promise("notes.txt") + "' (not executable): skipped") {
      bad_file_named = true;
      continue;
    }
    Json status;
    ASSERT_NO_THROW(status = JsonReader::parse(line)) << line;
    EXPECT_EQ(status.keys(),
              (std::vector<std::string>{"title", "name", "path", "execution-time", "result"}));
    EXPECT_EQ(status["result"].keys(),
              (std::vector<std::string>{"type", "failed", "date", "message"}));
    EXPECT_EQ(status["result"]["type"].text, "Test Result");
    EXPECT_TRUE(std::regex_match(status["result"]["date"].text,
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000)")));
    EXPECT_EQ(status["path"].text, partition.promise(status["name"].text));
    EXPECT_EQ(status["execution-time"].type, Json::Type::number);
    line_by_title[status["title"].text] = line;
    by_title[status["title"].text] = status;
  }
  EXPECT_TRUE(bad_file_named) << result.output;
  ASSERT_EQ(by_title.size(), 9u) << result.output;
  EXPECT_EQ(by_title["holding"]["name"].text, "holding.sh");  // title: without the extension
  EXPECT_EQ(by_title["holding"]["result"]["failed"].text, "false");
  EXPECT_EQ(by_title["holding"]["result"]["message"].text, "fine");
  EXPECT_EQ(by_title["failing"]["result"]["failed"].text, "true");
  EXPECT_EQ(by_title["hanging"]["result"]["failed"].text, "true");
  EXPECT_EQ(by_title["hanging"]["result"]["message"].text,
            "Error: Promise timed out after 2 seconds");
  EXPECT_EQ(by_title["non-utf8"]["result"]["failed"].text, "true");  // although it exited 0
  EXPECT_EQ(by_title["web"]["result"]["failed"].text, "false");
  // slapgrid keeps '...' and the last 5000 characters; the output ends "y\n", stripped.
  const std::string& huge = by_title["huge-output"]["result"]["message"].text;
  EXPECT_EQ(huge.size(), 5003u);
  EXPECT_EQ(huge.substr(0, 6), "...\ny\n");
  EXPECT_EQ(huge.back(), 'y');

  // --write-results: exactly those objects, one file per title, nothing else in the folder.
  const std::string results = partition.dir / ".slapgrid/promise/result";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(results)) {
    ++files;
    const std::string name = entry.path().filename().string();
    ASSERT_TRUE(name.size() > 12 && name.ends_with(".status.json")) << name;
    const std::string title = name.substr(0, name.size() - 12);
    EXPECT_EQ(read_file(entry.path()), line_by_title[title]) << name;
  }
  EXPECT_EQ(files, 9u);
  EXPECT_FALSE(fs::exists(results + "/notes.status.json"));
  partition.expect_no_survivor();
}

// "2024-05-01T12:00:00+0000" as seconds since the epoch (-1 if malformed).
std::time_t parse_status_date(const std::string& text) {
  std::tm parts{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S+0000", &parts);
  return end != nullptr && *end == '\0' ? ::timegm(&parts) : -1;
}

// slapgrid dates a promise that could not start (bad interpreter, no #! line) when it was tried.
TEST(SlaposPromiseRun, PromiseThatCannotStartIsDatedWhenItWasTried) {
  Partition partition;
  std::ofstream(partition.promise("bad-interpreter")) << "#!/nonexistent/interpreter\necho\n";
  std::ofstream(partition.promise("no-shebang")) << "echo no interpreter line\n";
  for (const std::string name : {"bad-interpreter", "no-shebang"}) {
    fs::permissions(partition.promise(name), fs::perms::owner_all);
  }
  const std::time_t before = std::time(nullptr);
  auto result = slapos_promise(
      {"run", "--format", "json", "--write-results", partition.dir.path(), partition.promise_dir});
  const std::time_t after = std::time(nullptr);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 2u) << result.output;
  for (const auto& line : lines) {
    const Json status = JsonReader::parse(line);
    EXPECT_EQ(status["result"]["failed"].text, "true") << line;
    const std::time_t date = parse_status_date(status["result"]["date"].text);
    EXPECT_GE(date, before) << line;
    EXPECT_LE(date, after) << line;
    const std::string file =
        partition.dir / (".slapgrid/promise/result/" + status["title"].text + ".status.json");
    EXPECT_EQ(read_file(file), line);
  }
}

// The longest title whose result file name fits (243 bytes + ".status.json" = 255): its
// temporary used to be 8 bytes longer, and --write-results failed with "File name too long".
TEST(SlaposPromiseRun, WriteResultsHandlesTheLongestTitle) {
  Partition partition;
  const std::string name(243, 'r');
  partition.script(name, "echo fine");
  auto result = slapos_promise(
      {"run", "--format", "json", "--write-results", partition.dir.path(), partition.promise_dir});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::string results = partition.dir / ".slapgrid/promise/result";
  EXPECT_EQ(read_file(results + "/" + name + ".status.json") + "\n", result.output);
  EXPECT_EQ(std::distance(fs::directory_iterator(results), fs::directory_iterator{}), 1);
}

TEST(SlaposPromiseRun, AllHoldingExitsZeroAndDefaultsToEtcPromise) {
  Partition partition;
  partition.script("holding.sh", "echo fine");
  partition.install_web();
  auto result = slapos_promise({"run"}, partition.dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 4u) << result.output;
  EXPECT_TRUE(
      std::regex_match(lines.back(), std::regex(R"(2 promises: 2 OK, 0 failed in 0\.\d\d s)")))
      << lines.back();
}

// -j beyond the descriptors slapos-promise may open: every promise runs and holds (it used to
// fail promises with "[Errno 24] Too many open files").
TEST(SlaposPromiseRun, ParallelismBeyondTheDescriptorLimitFailsNoPromise) {
  Partition partition;
  constexpr int kPromises = 120;
  for (int i = 0; i < kPromises; ++i)
    partition.script(std::string("p").append(std::to_string(i)), "echo fine");
  ProcessSpec spec;
  spec.argv = {kRunner, "run", "-j", "1024", "--format", "json", partition.promise_dir};
  spec.before_exec = [] {
    const rlimit limit{32, 32};
    ::setrlimit(RLIMIT_NOFILE, &limit);
  };
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const auto lines = lines_of(result.output);
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(kPromises));
  for (const auto& line : lines) {
    const Json status = JsonReader::parse(line);
    EXPECT_EQ(status["result"]["message"].text, "fine") << line;
  }
}

// Under a tight descriptor limit, -j is capped so that descriptors remain for the tree kill
// (it reads /proc): a daemon that escaped a timed-out promise is still found and killed.
TEST(SlaposPromiseRun, DescriptorLimitLeavesRoomForTheTreeKill) {
  Partition partition;
  partition.script("a-escaping",
                   "(setsid sh -c 'echo $$ > daemon.pid; exec sleep 1000' &)\necho started");
  for (int i = 0; i < 16; ++i) {
    partition.script(std::string("b-").append(std::to_string(i)), "trap '' TERM\nsleep 5");
  }
  ProcessSpec spec;
  spec.argv = {kRunner, "run", "-j", "1024", "--timeout", "0.5", partition.promise_dir};
  spec.before_exec = [] {
    const rlimit limit{32, 32};
    ::setrlimit(RLIMIT_NOFILE, &limit);
  };
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  const std::string pid_text = read_file(partition.dir / "daemon.pid");
  ASSERT_FALSE(pid_text.empty()) << result.output;
  const pid_t daemon = std::stoi(pid_text);
  const bool survived = ::kill(daemon, 0) == 0;
  if (survived) ::kill(daemon, SIGKILL);
  EXPECT_FALSE(survived) << "the escaped daemon " << daemon << " survived";
}

TEST(SlaposPromiseRun, StopSignalEndsEveryPromiseAtOnce) {
  Partition partition;
  partition.fill();
  ProcessSpec spec;
  spec.argv = {kRunner, "run", "-j8", partition.promise_dir};  // default limit: 20 s
  spec.sigterm_after = 0.5;  // SIGTERM to slapos-promise only: the promises have their groups
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_EQ(result.output,
            "UNKNOWN: interrupted: the running promises were stopped, no result was written\n");
  EXPECT_LT(result.seconds, 0.5 + 1 + 1);  // SIGTERM, and SIGKILL a grace later
  partition.expect_no_survivor();
  EXPECT_FALSE(fs::exists(partition.dir / ".slapgrid"));
}

TEST(SlaposPromiseShow, DescribesOurPromisesAndNeverRunsOthers) {
  Partition partition;
  partition.install_web();
  ASSERT_EQ(run({kSocket, "--install", partition.promise("copy"), "--mode", "copy", "--pathname",
                 "/run/app.sock"})
                .exit_code,
            0);
  auto script = slapos_promise({"show", partition.promise("web")});
  EXPECT_EQ(script.exit_code, 0) << script.output;
  const std::string description =
      "checks:  Check that a server accepts connections on a TCP port or a UNIX socket\n";
  EXPECT_NE(script.output.find("mode:    script"), std::string::npos) << script.output;
  EXPECT_NE(script.output.find("binary:  " + fs::canonical(kSocket).string() + "\n"),
            std::string::npos)
      << script.output;
  EXPECT_NE(script.output.find(description), std::string::npos) << script.output;
  EXPECT_NE(script.output.find("host = \"127.0.0.1\"\nport = \"" +
                               std::to_string(partition.listener.port()) + "\"\n"),
            std::string::npos)
      << script.output;

  auto copy = slapos_promise({"show", partition.promise("copy")});
  EXPECT_EQ(copy.exit_code, 0) << copy.output;
  EXPECT_NE(copy.output.find("mode:    copy"), std::string::npos) << copy.output;
  EXPECT_NE(copy.output.find(description), std::string::npos) << copy.output;
  EXPECT_NE(copy.output.find("pathname = \"/run/app.sock\"\n"), std::string::npos) << copy.output;

  partition.script("other", "touch ran; echo ran");
  auto other = slapos_promise({"show", partition.promise("other")}, partition.dir.path());
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_NE(
      other.output.find("not a slapos-native-promises promise (not run)\nfirst line: #!/bin/sh\n"),
      std::string::npos)
      << other.output;
  EXPECT_FALSE(fs::exists(partition.dir / "ran"));
}

// A promise binary that shows a URL's password (one older than the masking, say): show masks
// it anyway.
TEST(SlaposPromiseShow, MasksUrlPasswordsWhateverTheBinaryPrints) {
  Partition partition;
  const std::string fake = partition.dir / "fake_check";
  std::ofstream(fake) << "#!/bin/sh\necho 'url = \"http://u:s3cret-shown@h/\"'\n";
  fs::permissions(fake, fs::perms::owner_all);
  std::ofstream(partition.promise("fake"))
      << "#!" << fake << " --config\n# fake_check promise, written by `fake_check --install`.\n";
  fs::permissions(partition.promise("fake"), fs::perms::owner_all);
  auto shown = slapos_promise({"show", partition.promise("fake")});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("url = \"http://u:***@h/\""), std::string::npos) << shown.output;
  EXPECT_EQ(shown.output.find("s3cret-shown"), std::string::npos) << shown.output;
}

TEST(SlaposPromiseList, NamesTheInstalledPromisesWithTheirDescriptions) {
  auto result = slapos_promise({"list"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(std::regex_search(result.output,
                                std::regex("(^|\n)check_socket_listening +Check that a server "
                                           "accepts connections on a TCP port or a UNIX socket\n")))
      << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex("(^|\n)check_port_listening +Check")))
      << result.output;
  // The suite's promises only: not slapos-promise, not the tests that share bin/.
  const std::set<std::string> suite = {"check_certificate",
                                       "check_command_execute",
                                       "check_error_on_http_log",
                                       "check_error_on_zope_longrequest_log",
                                       "check_file_state",
                                       "check_free_disk_space",
                                       "check_interface_up",
                                       "check_network_errors_packets",
                                       "check_network_transit",
                                       "check_page_content",
                                       "check_parameter",
                                       "check_partition_deployment_state",
                                       "check_port_listening",
                                       "check_ram_usage",
                                       "check_server_cpu_load",
                                       "check_service_state",
                                       "check_socket_listening",
                                       "check_surykatka_json",
                                       "check_url_available",
                                       "check_websocket_available",
                                       "is-local-tcp-port-opened",
                                       "monitor_bootstrap_status",
                                       "validate_frontend_configuration"};
  std::set<std::string> listed;
  for (const auto& line : lines_of(result.output)) {
    EXPECT_EQ(suite.count(line.substr(0, line.find(' '))), 1u) << line;
    listed.insert(line.substr(0, line.find(' ')));
  }
  EXPECT_EQ(listed, suite);  // every promise of the suite, none forgotten
}

TEST(SlaposPromiseExec, RunsAPromiseByNameWithItsOutputAndExitCode) {
  const auto listener = Listener::tcp("127.0.0.1");
  const std::string port = std::to_string(listener.port());
  auto held = slapos_promise({"exec", "check_port_listening", "--hostname", "127.0.0.1", "--port",
                              port, "--format", "nagios"});
  EXPECT_EQ(held.exit_code, 0) << held.output;
  EXPECT_EQ(held.output.rfind("OK - 127.0.0.1:" + port + " is listening", 0), 0u) << held.output;
  auto failed = slapos_promise({"exec", "check_port_listening", "--hostname", "127.0.0.1", "--port",
                                std::to_string(unused_port())});
  EXPECT_EQ(failed.exit_code, 2) << failed.output;
  EXPECT_EQ(failed.output.rfind("CRITICAL: ", 0), 0u) << failed.output;
}

TEST(SlaposPromiseExec, RunsOnlyThePromisesOfTheSuite) {
  for (const std::string name :
       {"slapos-promise", "unit_tests", "../bin/check_port_listening", "/bin/true", ""}) {
    auto result = slapos_promise({"exec", name});
    EXPECT_EQ(result.exit_code, 3) << name << ": " << result.output;
    EXPECT_EQ(result.output.rfind("UNKNOWN: exec: '" + name + "' is not a promise", 0), 0u)
        << result.output;
  }
  auto nameless = slapos_promise({"exec"});
  EXPECT_EQ(nameless.exit_code, 3) << nameless.output;
  EXPECT_EQ(nameless.output.rfind("UNKNOWN: exec: which promise?", 0), 0u) << nameless.output;
}

// The install layout: slapos-promise in bin/, the promises in libexec/slapos-native-promises/,
// found relative to the tool, so that a moved tree still works; a check_* in bin/ (another
// suite's, say) is not ours.
TEST(SlaposPromiseLayout, FindsThePromisesInLibexecRelativeToItself) {
  TempDir tree;
  const fs::path prefix = tree / "prefix";
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "libexec/slapos-native-promises");
  fs::copy_file(kRunner, prefix / "bin/slapos-promise");
  fs::copy_file(binary("check_port_listening"),
                prefix / "libexec/slapos-native-promises/check_port_listening");
  std::ofstream(prefix / "bin/check_socket_listening") << "#!/bin/sh\necho foreign\n";
  fs::permissions(prefix / "bin/check_socket_listening", fs::perms::owner_all);
  const auto listener = Listener::tcp("127.0.0.1");
  for (const fs::path& root : std::vector<fs::path>{prefix, fs::path(tree / "moved")}) {
    if (root != prefix) fs::rename(prefix, root);
    ProcessSpec list;
    list.argv = {(root / "bin/slapos-promise").string(), "list"};
    const auto listed = run_process(list);
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_TRUE(std::regex_match(listed.output, std::regex("check_port_listening +Check[^\n]*\n")))
        << listed.output;
    ProcessSpec exec;
    exec.argv = {(root / "bin/slapos-promise").string(),
                 "exec",
                 "check_port_listening",
                 "--hostname",
                 "127.0.0.1",
                 "--port",
                 std::to_string(listener.port())};
    const auto run = run_process(exec);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.rfind("OK: 127.0.0.1:", 0), 0u) << run.output;
    ProcessSpec missing = exec;
    missing.argv.at(2) = "check_socket_listening";  // in bin/ only: not found in libexec
    const auto refused = run_process(missing);
    EXPECT_EQ(refused.exit_code, 3) << refused.output;
    EXPECT_NE(refused.output.find("cannot run"), std::string::npos) << refused.output;
  }
}

// Non-UTF-8 output fails a promise with Python's own words (checked against Python 3.11), and
// the position counts from the start of the whole output, fed in any pieces.
TEST(Utf8LikePython, NamesTheFirstUndecodableBytesAsPythonDoes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ok\xff", "byte 0xff in position 2: invalid start byte"},
      {"\xc0\xaf", "byte 0xc0 in position 0: invalid start byte"},
      {"\xe0\x80", "byte 0xe0 in position 0: invalid continuation byte"},
      {"\xed\xa0\x80", "byte 0xed in position 0: invalid continuation byte"},
      {"\xf4\x90", "byte 0xf4 in position 0: invalid continuation byte"},
      {"\xf0\x90\x80"
       "A",
       "bytes in position 0-2: invalid continuation byte"},
      {"\xe0", "byte 0xe0 in position 0: unexpected end of data"},
      {"ab\xe0\xa0", "bytes in position 2-3: unexpected end of data"},
      {"\xc2\x85ok \xf0\x9f\x98\x80", ""}};
  for (const auto& [bytes, expected] : cases) {
    Utf8Validator whole, piecewise;
    whole.feed(bytes);
    for (char c : bytes) piecewise.feed(std::string_view(&c, 1));
    const auto error = whole.finish();
    EXPECT_EQ(error ? python_message(*error) : "",
              expected.empty() ? "" : "'utf-8' codec can't decode " + expected);
    const auto piece_error = piecewise.finish();
    EXPECT_EQ(piece_error ? python_message(*piece_error) : "", error ? python_message(*error) : "");
  }
}

// The engine dates every result, also of a program that never started, and does not wait
// (it used to poll nothing for a second).
TEST(ProcessEngine, AProgramThatCannotStartIsDatedWhenItWasTried) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/program"};
  const auto before = std::chrono::system_clock::now();
  const ChildResult result = run_child(spec);
  const auto after = std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::duration<double>(after - before).count(), 0.5);
  EXPECT_EQ(result.start_errno, ENOENT);
  EXPECT_GE(result.ended_at.time_since_epoch().count(), before.time_since_epoch().count());
  EXPECT_LE(result.ended_at.time_since_epoch().count(), after.time_since_epoch().count());
}

// Descriptors taken by someone else while children run (here: the limit lowered under the
// engine's feet) make a start fail with EMFILE: the engine waits for a running child to end
// and starts it then, instead of failing it.
struct Squeeze {
  long baseline = 0;
  rlimit original{};
  std::atomic<bool> done{false}, lowered{false};

  static long open_descriptors() {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
  }
  // Once the first children hold their descriptors, leave no room for one more: the limit
  // below what is open (the count includes the directory being read).
  static void* run(void* self) {
    auto& squeeze = *static_cast<Squeeze*>(self);
    while (!squeeze.done && open_descriptors() < squeeze.baseline + 16) ::sched_yield();
    rlimit tight = squeeze.original;
    tight.rlim_cur = static_cast<rlim_t>(open_descriptors() - 3);
    squeeze.lowered = ::setrlimit(RLIMIT_NOFILE, &tight) == 0;
    return nullptr;
  }
};

TEST(ProcessEngine, ADescriptorShortageMidRunDelaysStartsAndFailsNone) {
  Squeeze squeeze;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &squeeze.original), 0);
  squeeze.baseline = Squeeze::open_descriptors();
  std::vector<ChildSpec> specs(40);
  for (auto& spec : specs) spec.argv = {"/bin/sh", "-c", "sleep 0.2"};
  pthread_t thread;  // a plain thread: UBSan's vptr check trips on std::thread's state here
  ASSERT_EQ(::pthread_create(&thread, nullptr, &Squeeze::run, &squeeze), 0);
  const auto results = run_children(specs, 10);
  squeeze.done = true;
  ::pthread_join(thread, nullptr);
  ::setrlimit(RLIMIT_NOFILE, &squeeze.original);
  EXPECT_TRUE(squeeze.lowered);
  for (const auto& result : results) {
    EXPECT_TRUE(result.started) << result.start_step << ": " << std::strerror(result.start_errno);
    EXPECT_EQ(result.exit_code, 0);
  }
}

class SlaposPromiseBadInput : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(SlaposPromiseBadInput, IsUnknownInOneLine) {
  auto result = slapos_promise(GetParam());
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_EQ(result.output.rfind("UNKNOWN: ", 0), 0u) << result.output;
  EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Arguments, SlaposPromiseBadInput,
    ::testing::Values(std::vector<std::string>{}, std::vector<std::string>{"frobnicate"},
                      std::vector<std::string>{"run", "/nonexistent/etc/promise"},
                      std::vector<std::string>{"run", "-j", "0", "/tmp"},
                      std::vector<std::string>{"run", "-j", "many", "/tmp"},
                      std::vector<std::string>{"run", "--timeout", "-1", "/tmp"},
                      std::vector<std::string>{"run", "--format", "xml", "/tmp"},
                      std::vector<std::string>{"run", "--write-results", "/nonexistent", "/tmp"},
                      std::vector<std::string>{"show"},
                      std::vector<std::string>{"show", "/nonexistent/promise"}));

}  // namespace
}  // namespace promise::test

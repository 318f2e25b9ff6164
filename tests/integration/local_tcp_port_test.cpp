// is-local-tcp-port-opened against real sockets: listeners on 127.0.0.1 and ::1, a connection
// that outlives its listener, a socket bound but not listening, wildcard listeners (in a
// private network namespace), in the toolbox's positional form and with --ip/--port.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "bad_input.hpp"
#include "listeners.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

const std::string kOpened = binary("is-local-tcp-port-opened");

ProcessResult check(std::vector<std::string> args) {
  return run_program(kOpened, std::move(args));
}

// A TCP socket of the family, bound to address:port (0: any free port), not listening.
int bound_socket(int family, const char* address, int port = 0) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &in->sin_addr);
    length = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof *in6;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int port_of(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

TEST(LocalTcpPort, Ipv4ListenerIsFoundInBothForms) {
  auto listener = Listener::tcp("127.0.0.1");
  const auto port = std::to_string(listener.port());
  const std::string ok = "OK: 127.0.0.1:" + port + " is listening (LISTEN in /proc/net/tcp)";
  expect_output(check({"127.0.0.1", port}), 0, ok);
  expect_output(check({"--ip", "127.0.0.1", "--port", port}), 0, ok);
}

TEST(LocalTcpPort, Ipv6ListenerIsFoundInTcp6) {
  auto listener = Listener::tcp("::1");
  const auto port = std::to_string(listener.port());
  const std::string ok = "OK: [::1]:" + port + " is listening (LISTEN in /proc/net/tcp6)";
  expect_output(check({"::1", port}), 0, ok);
  expect_output(check({"--ip", "[::1]", "--port", port}), 0, ok);
  // The address must match exactly, family included: ::1 is not 127.0.0.1.
  expect_line(check({"127.0.0.1", port}), 1, "CRITICAL: nothing listens on 127.0.0.1:" + port);
}

TEST(LocalTcpPort, NothingThereExitsOneInTheToolboxFormAndTwoOtherwise) {
  const auto port = std::to_string(unused_port());
  const std::string line =
      "CRITICAL: nothing listens on 127.0.0.1:" + port + " (/proc/net/tcp has no socket there)";
  expect_output(check({"127.0.0.1", port}), 1, line);
  expect_output(check({"--ip", "127.0.0.1", "--port", port}), 2, line);
  auto json = check({"::1", port, "--format", "json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(json.output.rfind("{\"state\":\"CRITICAL\",\"exit_code\":1,", 0), 0u) << json.output;
}

TEST(LocalTcpPort, BoundButNotListeningIsNotThere) {
  // A socket that is only bound is in no table /proc/net/tcp lists.
  const int fd = bound_socket(AF_INET, "127.0.0.1");
  ASSERT_GE(fd, 0);
  const auto port = std::to_string(port_of(fd));
  expect_output(
      check({"127.0.0.1", port, "--any-state"}), 1,
      "CRITICAL: nothing listens on 127.0.0.1:" + port + " (/proc/net/tcp has no socket there)");
  ::close(fd);
}

TEST(LocalTcpPort, ConnectionThatOutlivesItsListenerIsNotListening) {
  int port = 0;
  int client = -1;
  int accepted = -1;
  {
    auto listener = Listener::tcp("127.0.0.1");
    port = listener.port();
    client = bound_socket(AF_INET, "127.0.0.1");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    accepted = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(accepted, 0);
  }  // the listener is closed; the accepted connection keeps 127.0.0.1:port
  const auto p = std::to_string(port);
  expect_output(check({"127.0.0.1", p}), 1,
                "CRITICAL: nothing listens on 127.0.0.1:" + p +
                    " (/proc/net/tcp has it only as ESTABLISHED, not LISTEN)");
  // The toolbox's own rule: any socket with that local address counts.
  expect_output(check({"127.0.0.1", p, "--any-state"}), 0,
                "OK: 127.0.0.1:" + p +
                    " is in /proc/net/tcp (ESTABLISHED; --any-state: any "
                    "state counts)");
  expect_output(check({"--ip", "127.0.0.1", "--port", p, "--listen-only=false"}), 0,
                "OK: 127.0.0.1:" + p +
                    " is in /proc/net/tcp (ESTABLISHED; --any-state: any "
                    "state counts)");
  ::close(accepted);
  ::close(client);
}

TEST(LocalTcpPort, WildcardListenerIsNamedButDoesNotCount) {
  if (!namespaces_available()) GTEST_SKIP() << "user/network namespaces are not available";
  const auto port = unused_port();
  for (const auto& [family, wildcard, asked, shown] :
       {std::tuple{AF_INET, "0.0.0.0", "127.0.0.1", "0.0.0.0"},
        std::tuple{AF_INET6, "::", "::1", "[::]"}}) {
    ProcessSpec spec;
    spec.argv = {kOpened, asked, std::to_string(port)};
    // In a private network namespace, so that nothing listens on the host's interfaces.
    spec.before_exec = [&, family = family, wildcard = wildcard] {
      enter_private_namespaces("", "", true);
      const int fd = bound_socket(family, wildcard, port);
      if (fd < 0 || ::listen(fd, 1) != 0) ::_exit(125);
      ::fcntl(fd, F_SETFD, 0);  // kept open across exec
    };
    auto result = run_process(spec);
    const std::string where =
        std::string(family == AF_INET6 ? "[::1]" : "127.0.0.1") + ":" + std::to_string(port);
    expect_output(result, 1,
                  "CRITICAL: nothing listens on " + where + " (/proc/net/" +
                      (family == AF_INET6 ? "tcp6" : "tcp") +
                      " has no socket there); a listener on " + shown + ":" + std::to_string(port) +
                      " serves this address, but only an exact match counts");
  }
}

class LocalTcpPortInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(LocalTcpPortInstall, InstalledPromiseKeepsItsFormsExitCodes) {
  Partition partition;
  auto listener = Listener::tcp("::1");
  const auto up = std::to_string(listener.port());
  const auto down = std::to_string(unused_port());
  ASSERT_EQ(partition.install(kOpened, "mariadb", GetParam(), {"::1", up}).exit_code, 0);
  ASSERT_EQ(partition.install(kOpened, "toolbox-down", GetParam(), {"::1", down}).exit_code, 0);
  ASSERT_EQ(partition.install(kOpened, "named-down", GetParam(), {"--ip", "::1", "--port", down})
                .exit_code,
            0);
  expect_output(partition.run_like_slapgrid("mariadb"), 0,
                "OK: [::1]:" + up + " is listening (LISTEN in /proc/net/tcp6)");
  expect_line(partition.run_like_slapgrid("toolbox-down"), 1, "CRITICAL: nothing listens on");
  expect_line(partition.run_like_slapgrid("named-down"), 2, "CRITICAL: nothing listens on");
}

INSTANTIATE_TEST_SUITE_P(Modes, LocalTcpPortInstall, ::testing::Values("script", "copy"));

class BadPortInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadPortInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  expect_bad_input_refused(kOpened, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    LocalTcpPort, BadPortInput,
    ::testing::Values(
        BadInput{"Nothing", {}, "an address and a port are needed"},
        BadInput{"AddressOnly", {"127.0.0.1"}, "an address and a port are needed"},
        BadInput{"IpOptionOnly", {"--ip", "127.0.0.1"}, "an address and a port are needed"},
        BadInput{"BothForms", {"127.0.0.1", "80", "--port", "80"}, "not both"},
        BadInput{"HostName", {"localhost", "80"}, "'localhost' is not an IP address"},
        BadInput{"HostNameOption", {"--ip", "db.example", "--port", "80"}, "not an IP address"},
        BadInput{"PortNotANumber", {"127.0.0.1", "mysql"}, "'mysql' is not a port number"},
        BadInput{"PortZero", {"127.0.0.1", "0"}, "'0' is not a port number"},
        BadInput{"PortTooBig", {"::1", "65536"}, "'65536' is not a port number"},
        BadInput{"ThirdArgument", {"127.0.0.1", "80", "81"}, "81"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test

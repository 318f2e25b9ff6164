#include "nginx_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace promise::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "NginxServer: " + what);
}

// A socket address of any family, as accepted by bind()/connect().
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;

  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  [[nodiscard]] int family() const { return storage.ss_family; }
};

SockAddr loopback(int family, std::uint16_t port) {
  SockAddr address;
  if (family == AF_INET) {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = in6addr_loopback;
    address.length = sizeof(sockaddr_in6);
  }
  return address;
}

SockAddr unix_address(const fs::path& path) {
  SockAddr address;
  auto* un = reinterpret_cast<sockaddr_un*>(&address.storage);
  const std::string& text = path.native();
  if (text.size() >= sizeof(un->sun_path)) {
    throw std::runtime_error("NginxServer: UNIX socket path too long (" + text +
                             "); set TMPDIR to a shorter directory");
  }
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, text.c_str(), text.size() + 1);
  address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size() + 1);
  return address;
}

std::uint16_t port_of(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    throw_errno("getsockname");
  }
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

// Creates a socket bound to address; returns an invalid Fd with errno set if bind() fails.
Fd bind_socket(const SockAddr& address) {
  Fd fd(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  if (address.family() == AF_INET6) {
    // nginx's default for [::1] listeners, and keeps the IPv4 port out of the picture.
    const int on = 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  if (::bind(fd.get(), address.get(), address.length) != 0) {
    const int saved = errno;
    fd.reset();
    errno = saved;
  }
  return fd;
}

bool host_has_ipv6() {
  return bind_socket(loopback(AF_INET6, 0)).valid();
}

// One listening socket the fixture binds and nginx inherits.
struct ListenSocket {
  std::string nginx_address;  // as written after "listen" in nginx.conf
  SockAddr address;           // where to connect to reach it
  Fd fd;
  bool plain_http = false;  // answers GET / with kRootBody (used to see nginx serving)
};

void listen_on(ListenSocket& listener) {
  if (::listen(listener.fd.get(), 511) != 0) throw_errno("listen(" + listener.nginx_address + ")");
}

// Binds 127.0.0.1:<free port> and, with IPv6, [::1] on the same port. The kernel picks the port;
// holding the sockets until nginx owns them is what makes concurrent fixtures safe.
std::uint16_t reserve_port(bool ipv6, std::vector<ListenSocket>& listeners, bool plain_http) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Fd v4 = bind_socket(loopback(AF_INET, 0));
    if (!v4.valid()) throw_errno("bind(127.0.0.1:0)");
    const std::uint16_t port = port_of(v4.get());
    Fd v6;
    if (ipv6) {
      v6 = bind_socket(loopback(AF_INET6, port));
      if (!v6.valid()) {
        if (errno == EADDRINUSE) continue;  // taken on ::1 only: try another port
        throw_errno("bind([::1]:" + std::to_string(port) + ")");
      }
    }
    const std::string port_text = std::to_string(port);
    listeners.push_back(
        {"127.0.0.1:" + port_text, loopback(AF_INET, port), std::move(v4), plain_http});
    listen_on(listeners.back());
    if (ipv6) {
      listeners.push_back(
          {"[::1]:" + port_text, loopback(AF_INET6, port), std::move(v6), plain_http});
      listen_on(listeners.back());
    }
    return port;
  }
  throw std::runtime_error("NginxServer: no port free on both 127.0.0.1 and [::1]");
}

// Double-quoted nginx configuration string.
std::string quote(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}
std::string quote(const fs::path& path) {
  return quote(std::string_view(path.native()));
}

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("NginxServer: cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// htpasswd line in RFC 2307 {SSHA} form, which nginx checks natively:
// base64(SHA1(password + salt) + salt).
std::string ssha_htpasswd_line(std::string_view user, std::string_view password) {
  std::array<unsigned char, 20 + 8> digest_and_salt{};
  unsigned char* salt = digest_and_salt.data() + 20;
  if (RAND_bytes(salt, 8) != 1) throw std::runtime_error("NginxServer: RAND_bytes failed");
  std::string salted(password);
  salted.append(reinterpret_cast<const char*>(salt), 8);
  unsigned int digest_length = 0;
  if (EVP_Digest(salted.data(), salted.size(), digest_and_salt.data(), &digest_length, EVP_sha1(),
                 nullptr) != 1 ||
      digest_length != 20) {
    throw std::runtime_error("NginxServer: SHA-1 failed");
  }
  std::array<unsigned char, 4 * ((digest_and_salt.size() + 2) / 3) + 1> base64{};
  EVP_EncodeBlock(base64.data(), digest_and_salt.data(), static_cast<int>(digest_and_salt.size()));
  return std::string(user) + ":{SSHA}" + reinterpret_cast<const char*>(base64.data()) + "\n";
}

// Written piece by piece: a child forked by this process inherits its peak memory in
// ru_maxrss, which the memory tests read.
void write_minified_page(const fs::path& path) {
  constexpr std::string_view kHead =
      "<!DOCTYPE html><html><head><title>minified</title></head><body>";
  constexpr std::string_view kTail = "</body></html>";
  constexpr std::string_view kPiece = "<p>x</p>";
  std::ofstream out(path, std::ios::binary);
  out << kHead;
  std::size_t size = kHead.size();
  for (; size + kPiece.size() + kTail.size() <= NginxServer::kMinifiedSize; size += kPiece.size()) {
    out << kPiece;
  }
  out << std::string(NginxServer::kMinifiedSize - size - kTail.size(), ' ') << kTail;
  if (!out.flush()) throw std::runtime_error("NginxServer: cannot write " + path.string());
}

std::string locations_conf(const fs::path& dir) {
  const fs::path www = dir / "www";
  std::ostringstream conf;
  conf << "location = / { return 200 " << quote(NginxServer::kRootBody) << "; }\n"
       << "location = /204 { return 204; }\n"
       << "location = /404 { return 404; }\n"
       << "location = /503 { return 503; }\n"
       << "location = /301 { return 301 /redirect2; }\n"
       << "location = /redirect2 { return 301 /; }\n"
       << "location = /loop { return 302 /loop2; }\n"
       << "location = /loop2 { return 302 /loop; }\n"
       // A file, not "return": return runs in the rewrite phase, before auth_basic would.
       << "location = /auth {\n"
       << "  auth_basic \"promise-test\";\n"
       << "  auth_basic_user_file " << quote(dir / "htpasswd") << ";\n"
       << "  alias " << quote(www / "auth.txt") << ";\n"
       << "}\n"
       << "location = /content { alias " << quote(www / "content.html") << "; }\n"
       << "location = /big { alias " << quote(www / "big.bin") << "; }\n"
       << "location = /minified { alias " << quote(www / "minified.html") << "; }\n"
       << "location / { return 404; }\n";
  return conf.str();
}

struct TlsServer {
  const std::vector<std::string>* listen;
  const CertAndKey* cert;
  bool require_client_cert;
  std::string_view directives;  // more nginx directives for this server
};

std::string nginx_conf(const fs::path& dir, const std::vector<std::string>& http_listen,
                       const std::vector<TlsServer>& tls_servers, const TestPki& pki) {
  std::ostringstream conf;
  conf << "# Generated by promise::test::NginxServer\n"
       << "daemon off;\n"
       // A master is required: with "master_process off" nginx 1.22 dereferences NULL when it
       // adopts inherited sockets (ngx_event_process_init, ls->previous->connection).
       << "master_process on;\n"
       << "worker_processes 1;\n"
       << "pid " << quote(dir / "nginx.pid") << ";\n"
       << "lock_file " << quote(dir / "nginx.lock") << ";\n"
       << "error_log " << quote(dir / "error.log") << " notice;\n";
  if (::geteuid() == 0) {
    // As root the worker would switch to "nobody", which cannot read our 0700 directory (and a
    // minimal container may lack the user). Non-root nginx never switches user.
    const passwd* user = ::getpwuid(0);
    const group* root_group = ::getgrgid(0);
    if (user != nullptr && root_group != nullptr) {
      conf << "user " << user->pw_name << " " << root_group->gr_name << ";\n";
    }
  }
  conf << "events { worker_connections 512; }\n"
       << "http {\n";
  // The compiled-in temp paths are under /var/lib/nginx, which needs root.
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf << "  " << temp << "_temp_path " << quote(dir / "temp" / temp) << ";\n";
  }
  conf << "  access_log " << quote(dir / "access.log") << " combined;\n"
       << "  types { text/html html; text/plain txt; application/octet-stream bin; }\n"
       << "  default_type text/plain;\n"
       << "  sendfile on;\n"
       << "  server_tokens off;\n"
       << "  absolute_redirect off;\n"
       << "  keepalive_timeout 10s;\n"
       << "  ssl_protocols TLSv1.2 TLSv1.3;\n";
  const std::string include = "    include " + quote(dir / "locations.conf") + ";\n";

  conf << "  server {\n";
  for (const std::string& address : http_listen) conf << "    listen " << address << ";\n";
  conf << include << "  }\n";
  for (const TlsServer& server : tls_servers) {
    conf << "  server {\n";
    for (const std::string& address : *server.listen) conf << "    listen " << address << " ssl;\n";
    conf << "    ssl_certificate " << quote(server.cert->cert) << ";\n"
         << "    ssl_certificate_key " << quote(server.cert->key) << ";\n";
    if (server.require_client_cert) {
      conf << "    ssl_verify_client on;\n"
           << "    ssl_client_certificate " << quote(pki.ca_cert()) << ";\n";
    }
    conf << server.directives << include << "  }\n";
  }
  conf << "}\n";
  return conf.str();
}

// Connects with a timeout-free blocking connect (loopback answers at once) and optionally sends
// "GET /" to check nginx is really serving. Returns false if not (yet) so.
bool listener_answers(const ListenSocket& listener, Clock::time_point deadline) {
  Fd fd(::socket(listener.address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw_errno("socket");
  if (::connect(fd.get(), listener.address.get(), listener.address.length) != 0) return false;
  if (!listener.plain_http) return true;

  const auto remaining = std::chrono::duration_cast<std::chrono::microseconds>(
      std::min<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(500)));
  if (remaining.count() <= 0) return false;
  timeval timeout{};
  timeout.tv_sec = remaining.count() / 1000000;
  timeout.tv_usec = remaining.count() % 1000000;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  constexpr std::string_view request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return false;
  }
  std::string response;
  char buffer[1024];
  for (;;) {
    const ssize_t got = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    response.append(buffer, static_cast<std::size_t>(got));
  }
  return response.starts_with("HTTP/1.1 200 ") && response.ends_with(NginxServer::kRootBody);
}

// Makes fd the child's target_fd without the close-on-exec flag. Async-signal-safe.
void child_redirect(int fd, int target_fd) {
  if (fd == target_fd) {
    ::fcntl(fd, F_SETFD, 0);
  } else {
    ::dup2(fd, target_fd);
  }
}

// Runs nginx via fork/exec: the child needs settings posix_spawn cannot express (a parent-death
// signal, inherited listening sockets). Everything allocated before fork(): in the child of a
// possibly multi-threaded process only async-signal-safe calls are allowed.
pid_t spawn_nginx(const std::vector<std::string>& args, const std::vector<int>& inherited_fds,
                  const fs::path& output_path) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  // nginx adopts the sockets listed in $NGINX ("fd;fd;...;") whose address matches a listen
  // directive, instead of binding its own (the mechanism behind its binary upgrade).
  std::string nginx_var = "NGINX=";
  for (const int fd : inherited_fds) nginx_var += std::to_string(fd) + ";";
  std::vector<char*> envp;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "NGINX=", 6) != 0) envp.push_back(*entry);
  }
  envp.push_back(nginx_var.data());
  envp.push_back(nullptr);

  const Fd output(::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!output.valid()) throw_errno("open(" + output_path.string() + ")");
  const Fd null_input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_input.valid()) throw_errno("open(/dev/null)");

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    // No stray nginx holding ports if the test process is killed (e.g. by a ctest timeout):
    // SIGTERM, so that the master takes its worker down with it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // Own process group: stop() can SIGKILL master and worker together as a last resort.
    ::setpgid(0, 0);
    // Signal state survives exec: undo whatever the test process set up.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (const int sig : {SIGPIPE, SIGTERM, SIGQUIT, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
      ::sigaction(sig, &default_action, nullptr);
    }
    child_redirect(null_input.get(), STDIN_FILENO);
    child_redirect(output.get(), STDOUT_FILENO);
    child_redirect(output.get(), STDERR_FILENO);
    for (const int fd : inherited_fds) ::fcntl(fd, F_SETFD, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from this side, so the group exists before fork() returns here
  return pid;
}

// Reaps pid if it has exited. Treats "not our child any more" (e.g. SIGCHLD ignored) as exited.
bool has_exited(pid_t pid, int* status) {
  const pid_t result = ::waitpid(pid, status, WNOHANG);
  return result == pid || (result < 0 && errno == ECHILD);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

NginxServer::NginxServer(NginxOptions options)
    : owned_pki_(std::make_unique<TestPki>()), pki_(owned_pki_.get()), dir_("promise-nginx") {
  start(options);
}

NginxServer::NginxServer(const TestPki& pki, NginxOptions options)
    : pki_(&pki), dir_("promise-nginx") {
  start(options);
}

NginxServer::~NginxServer() {
  stop();
}

void NginxServer::start(const NginxOptions& options) {
  if (::access(options.nginx_binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("NginxServer: " + options.nginx_binary.string() +
                             " is not executable; install nginx-light (.ci/install-deps)");
  }
  const fs::path& root = dir_.path();
  fs::create_directories(root / "www");
  fs::create_directories(root / "temp");

  // Content first: nginx opens the htpasswd and the static files per request, but a complete
  // tree before start keeps the server's behaviour independent of timing.
  write_file(root / "www" / "auth.txt", kAuthBody);
  write_file(root / "www" / "content.html",
             "<!DOCTYPE html>\n<html><head><title>promise-test</title></head>\n<body><p>" +
                 std::string(kContentMarker) + "</p></body></html>\n");
  write_minified_page(root / "www" / "minified.html");
  write_file(root / "www" / "big.bin", "");
  fs::resize_file(root / "www" / "big.bin", kBigSize);  // sparse: no 200 MiB write
  write_file(root / "htpasswd", ssha_htpasswd_line(kAuthUser, kAuthPassword));
  write_file(root / "locations.conf", locations_conf(root));

  // Listening sockets: bound here, adopted by nginx.
  has_ipv6_ = options.ipv6 && host_has_ipv6();
  std::vector<ListenSocket> listeners;
  listeners.reserve(16);
  auto listen_strings = [&listeners](std::size_t first) {
    std::vector<std::string> result;
    for (std::size_t i = first; i < listeners.size(); ++i) {
      result.push_back(listeners[i].nginx_address);
    }
    return result;
  };

  ports_.http = reserve_port(has_ipv6_, listeners, /*plain_http=*/true);
  unix_socket_ = root / "nginx.sock";
  listeners.push_back({"unix:" + unix_socket_.native(), unix_address(unix_socket_), Fd(), true});
  ListenSocket& unix_listener = listeners.back();
  unix_listener.fd = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!unix_listener.fd.valid() || ::bind(unix_listener.fd.get(), unix_listener.address.get(),
                                          unix_listener.address.length) != 0) {
    throw_errno("bind(" + unix_listener.nginx_address + ")");
  }
  listen_on(unix_listener);
  std::vector<std::string> http_listen = listen_strings(0);
  for (std::string& address : http_listen) {
    if (address.starts_with("unix:")) address = quote(std::string_view(address));
  }

  struct TlsPlan {
    std::uint16_t* port;
    const CertAndKey* cert;
    bool require_client_cert;
    std::string_view directives = {};
    std::vector<std::string> listen = {};
  };
  std::vector<TlsPlan> tls_plans{
      {&ports_.https, &pki_->server(), false},
      {&ports_.https_expired, &pki_->expired(), false},
      {&ports_.https_wrong_host, &pki_->wrong_host(), false},
      {&ports_.https_self_signed, &pki_->self_signed(), false},
      {&ports_.https_expiring, &pki_->expiring_soon(), false},
      {&ports_.https_client_cert, &pki_->server(), true},
  };
  if (options.tls_variants) {
    rsa_server_ = pki_->issue({.file_stem = "server-rsa",
                               .common_name = "localhost",
                               .subject_alt_names = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"},
                               .key_type = KeyType::rsa_2048});
    tls_plans.push_back({&ports_.https_rsa, &rsa_server_, false});
    tls_plans.push_back(
        {&ports_.https_tls12, &pki_->server(), false, "    ssl_protocols TLSv1.2;\n"});
    tls_plans.push_back(
        {&ports_.https_tls13, &pki_->server(), false, "    ssl_protocols TLSv1.3;\n"});
    tls_plans.push_back(
        {&ports_.https_secp384r1, &pki_->server(), false, "    ssl_ecdh_curve secp384r1;\n"});
  }
  std::vector<TlsServer> tls_servers;
  for (TlsPlan& plan : tls_plans) {
    const std::size_t first = listeners.size();
    *plan.port = reserve_port(has_ipv6_, listeners, /*plain_http=*/false);
    plan.listen = listen_strings(first);
  }
  for (const TlsPlan& plan : tls_plans) {
    tls_servers.push_back({&plan.listen, plan.cert, plan.require_client_cert, plan.directives});
  }

  const fs::path conf_path = root / "nginx.conf";
  write_file(conf_path, nginx_conf(root, http_listen, tls_servers, *pki_));

  std::vector<int> fds;
  for (const ListenSocket& listener : listeners) fds.push_back(listener.fd.get());
  const fs::path output_path = root / "nginx.out";
  // "-e": the log used before nginx.conf is read; "-p": prefix for any relative path.
  pid_ = spawn_nginx({options.nginx_binary.string(), "-p", root.string() + "/", "-c",
                      conf_path.string(), "-e", (root / "error.log").string()},
                     fds, output_path);

  auto failure = [&](const std::string& reason) {
    stop();
    return std::runtime_error("NginxServer: " + reason + "\n--- " + error_log_path().string() +
                              " ---\n" + error_log() + "--- nginx stdout/stderr ---\n" +
                              read_file(output_path));
  };

  // Our copies are no longer needed; nginx holds its own. The readiness check connects by
  // address, so it also notices a listener nginx failed to adopt.
  std::vector<ListenSocket> pending;
  for (ListenSocket& listener : listeners) {
    listener.fd.reset();
    pending.push_back(std::move(listener));
  }

  const Clock::time_point deadline = Clock::now() + options.start_timeout;
  for (;;) {
    int status = 0;
    if (has_exited(pid_, &status)) {
      pid_ = -1;
      throw failure("nginx " + describe_exit(status) + " during start-up");
    }
    if (error_log().find("[emerg]") != std::string::npos) {
      throw failure("nginx reported an error during start-up");
    }
    // Plain HTTP first: once nginx answers there it has finished reading its configuration, so
    // a TLS listener it did not adopt is closed by then and the connect check below fails.
    const bool serving =
        std::none_of(pending.begin(), pending.end(),
                     [](const ListenSocket& listener) { return listener.plain_http; });
    std::erase_if(pending, [&](const ListenSocket& listener) {
      return (listener.plain_http || serving) && listener_answers(listener, deadline);
    });
    if (pending.empty()) return;
    if (Clock::now() >= deadline) {
      std::string missing;
      for (const ListenSocket& listener : pending) missing += " " + listener.nginx_address;
      throw failure("not serving within " + std::to_string(options.start_timeout.count()) +
                    " ms on:" + missing);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void NginxServer::stop() noexcept {
  if (pid_ <= 0) return;
  // SIGTERM is nginx's fast shutdown: unlike SIGQUIT it does not wait for open connections.
  // The master exits only once its worker has.
  ::kill(pid_, SIGTERM);
  int status = 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(3);
  while (!has_exited(pid_, &status)) {
    if (Clock::now() >= deadline) {
      // The whole process group: master and worker.
      if (::kill(-pid_, SIGKILL) != 0) ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  pid_ = -1;
}

fs::path NginxServer::error_log_path() const {
  return dir() / "error.log";
}

std::string NginxServer::error_log() const {
  return read_file(error_log_path());
}

std::string NginxServer::access_log() const {
  return read_file(dir() / "access.log");
}

std::string NginxServer::url(std::string_view scheme, std::string_view host, std::uint16_t port,
                             std::string_view path) {
  std::string result(scheme);
  result += "://";
  const bool bare_ipv6 = host.find(':') != std::string_view::npos && !host.starts_with('[');
  if (bare_ipv6) result += '[';
  result += host;
  if (bare_ipv6) result += ']';
  result += ':';
  result += std::to_string(port);
  if (!path.starts_with('/')) result += '/';
  result += path;
  return result;
}

std::string NginxServer::http_url(std::string_view path, std::string_view host) const {
  return url("http", host, ports_.http, path);
}

std::string NginxServer::https_url(std::string_view path, std::string_view host) const {
  return url("https", host, ports_.https, path);
}

}  // namespace promise::test

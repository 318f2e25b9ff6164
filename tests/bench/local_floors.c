/* The floors for the local promises of the catalogue: per mode, the system calls the promise's
 * check makes (seen with `strace -f -c`), one line on stdout, an exit status. No option
 * parsing, no deadline, no log: what such a promise must at least pay (exec, the static C
 * runtime start-up, these syscalls, exit). Built by tests/bench/run-bench with
 * `gcc -O2 -static`. Run with the partition as working directory, as slapgrid runs promises.
 *
 *   local_floors file_state FILE        stat, open O_NONBLOCK, fstat (read 1 byte if size 0), print
 *   local_floors disk_space             statvfs of ., lstat of /tmp and /tmp/.., print
 *   local_floors parameter VALUE WANT   compare two strings, print
 *   local_floors local_tcp_port IP PORT read /proc/net/tcp, scan for IP:PORT in LISTEN, stop there
 *   local_floors deployment_state ID    getcwd, stat it, stat .slapgrid-ID-error.log and
 *                                       var/log/slapgrid-ID-error.log (absolute), print
 *   local_floors command                pipe, posix_spawn /bin/sh -c true, read to EOF, wait, print
 *   local_floors http_log FILE          open O_NONBLOCK, fstat, pread the last 4096 bytes, count
 *                                       the "[error]" lines, print
 *   local_floors zope_log FILE          the same with the last 40960 bytes, count the dump lines
 * (check_certificate's floor links OpenSSL: tests/bench/certificate_floor.c.)
 *   local_floors cpu_load               read /proc/loadavg, count the online CPUs, compare, print
 *   local_floors ram_usage              read /proc/meminfo, append a JSON line to the history,
 *                                       stat the marker (fresh: no average), print
 *   local_floors interface_up IF        read operstate, flags and carrier of /sys/class/net/IF
 *   local_floors network_errors         read /proc/net/dev, add up drops and errors, print
 *   local_floors network_transit        read /proc/net/dev, append a JSON line, stat the marker
 *   local_floors surykatka FILE URL     open O_NONBLOCK, fstat, read the report to EOF, find the
 *                                       URL in it (memmem: no JSON parsing), print
 *   local_floors service_state DIR NAME stat DIR/supervisord.socket, connect to DIR/sv.sock,
 *                                       write an XML-RPC getProcessInfo POST, read the answer
 *                                       to its Content-Length, find statename RUNNING, print
 *
 * Exit status: 0 OK, 2 failed check, 3 bad use. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static int file_state(const char* path) {
  struct stat info;
  if (stat(path, &info) != 0) return 2;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 2;
  struct stat opened; /* the file opened is still a regular file */
  if (fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) return 2;
  /* As the promise: one byte read only when the size says empty (a /proc file says 0). */
  char byte;
  ssize_t got = opened.st_size > 0 ? 1 : read(fd, &byte, 1);
  close(fd);
  if (got != 1) return 2;
  printf("'%s' state 'not-empty' | size=%lldB\n", path, (long long)info.st_size);
  return 0;
}

static int disk_space(void) {
  /* As the promise: statfs of the partition, and lstat of /tmp and /tmp/.. (is it a mount point).
   */
  struct statvfs here;
  struct stat tmp, parent;
  if (statvfs(".", &here) != 0 || lstat("/tmp", &tmp) != 0 || lstat("/tmp/..", &parent) != 0)
    return 3;
  double free_gib = (double)here.f_bavail * here.f_frsize / (1024.0 * 1024 * 1024);
  printf("free disk space %.2f GiB | free=%.0fB\n", free_gib,
         (double)here.f_bavail * here.f_frsize);
  return 0;
}

static int parameter(const char* value, const char* expected) {
  if (strcmp(value, expected) != 0) {
    printf("FAIL: %s != %s\n", value, expected);
    return 2;
  }
  printf("'%s' == '%s'\n", value, expected);
  return 0;
}

/* /proc/net/tcp lines: "  sl  local_address rem_address   st ...", local as HEX_IP:HEX_PORT
 * with the IPv4 address in host byte order (as the kernel prints the __be32 with %08X). */
static int local_tcp_port(const char* ip, const char* port_text) {
  struct in_addr address;
  if (inet_pton(AF_INET, ip, &address) != 1) return 3;
  char wanted[32];
  snprintf(wanted, sizeof wanted, "%08X:%04X", (unsigned)address.s_addr, atoi(port_text));
  int fd = open("/proc/net/tcp", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 3;
  static char buffer[1 << 16];
  size_t size = 0;
  ssize_t got;
  int found = 0;
  /* Read whole lines (the kernel hands out whole lines per read) and scan each, up to the one
   * wanted: the promise stops there too (no read of EOF, which costs a walk of the table). */
  while (!found && (got = read(fd, buffer + size, sizeof buffer - 1 - size)) > 0) {
    size += (size_t)got;
    buffer[size] = 0;
    char* end = strrchr(buffer, '\n');
    if (!end) continue;
    for (char* line = buffer; line < end;) {
      char* next = strchr(line, '\n') + 1;
      char* colon = strchr(line, ':');
      if (colon && colon < next && strncmp(colon + 2, wanted, 13) == 0 &&
          strncmp(colon + 2 + 13 + 1 + 13 + 1, "0A", 2) == 0)
        found = 1;
      line = next;
    }
    size_t rest = (size_t)(buffer + size - (end + 1));
    memmove(buffer, end + 1, rest);
    size = rest;
  }
  close(fd);
  if (!found) {
    printf("%s:%s not listening\n", ip, port_text);
    return 2;
  }
  printf("%s:%s listening\n", ip, port_text);
  return 0;
}

static int deployment_state(const char* id) {
  /* As the promise: the partition folder from getcwd, checked to be a directory. */
  char folder[4096], error_log[4352], link[4352];
  struct stat info;
  if (!getcwd(folder, sizeof folder) || stat(folder, &info) != 0 || !S_ISDIR(info.st_mode))
    return 3;
  snprintf(error_log, sizeof error_log, "%s/.slapgrid-%s-error.log", folder, id);
  snprintf(link, sizeof link, "%s/var/log/slapgrid-%s-error.log", folder, id);
  if (stat(error_log, &info) == 0 && info.st_size > 0) {
    printf("Buildout failed to process %s.\n", id);
    return 2;
  }
  if (stat(link, &info) == 0) unlink(link);
  printf("buildout is OK\n");
  return 0;
}

/* As the promise runs a command: its output captured through a pipe (for the failure message),
 * stdin on /dev/null, then waited for. */
static int command(void) {
  char* argv[] = {"/bin/sh", "-c", "true", NULL};
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return 3;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  pid_t pid;
  int spawned = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) return 3;
  char output[4096];
  while (read(out[0], output, sizeof output) > 0) {
  }
  close(out[0]);
  int status;
  if (waitpid(pid, &status, 0) != pid) return 3;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    printf("'true' run with failure\n");
    return 2;
  }
  printf("'true' run with success\n");
  return 0;
}

/* As the log promises: the last window_bytes of the file, read once (the promise reads them in
 * 4 KiB blocks from the end), then its lines scanned. */
static char* log_window(const char* path, size_t window_bytes, size_t* size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return NULL;
  static char window[40960 + 1];
  off_t start = info.st_size > (off_t)window_bytes ? info.st_size - (off_t)window_bytes : 0;
  ssize_t got = pread(fd, window, (size_t)(info.st_size - start), start);
  close(fd);
  if (got < 0) return NULL;
  window[got] = 0;
  *size = (size_t)got;
  return window;
}

static int http_log(const char* path) {
  size_t size;
  char* window = log_window(path, 4096, &size);
  if (!window) return 3;
  int errors = 0;
  for (char* line = window; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : 0) {
    char* close_date = line[0] == '[' ? strchr(line, ']') : NULL;
    if (close_date && strncmp(close_date, "] [error] ", 10) == 0) ++errors;
  }
  if (errors) {
    printf("ERROR=%d\n", errors);
    return 2;
  }
  printf("no error in the last 4096 bytes of '%s'\n", path);
  return 0;
}

static int zope_log(const char* path) {
  size_t size;
  char* window = log_window(path, 40960, &size);
  if (!window) return 3;
  int requests = 0;
  for (char* line = window; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : 0) {
    if (line[0] >= '0' && line[0] <= '9' && strncmp(line + 23, " - ", 3) == 0) ++requests;
  }
  printf("Site has %d long request\n", requests);
  return requests > 20 ? 2 : 0;
}

/* A small file read whole into buffer (NUL-terminated); the bytes read, -1 on error. */
static ssize_t read_small(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -1;
  size_t used = 0;
  ssize_t n;
  while (used + 1 < size && (n = read(fd, buffer + used, size - 1 - used)) > 0) used += (size_t)n;
  close(fd);
  buffer[used] = 0;
  return (ssize_t)used;
}

static int cpu_load(void) {
  char text[256];
  double l1, l5, l15;
  if (read_small("/proc/loadavg", text, sizeof text) < 0 ||
      sscanf(text, "%lf %lf %lf", &l1, &l5, &l15) != 3)
    return 3;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  double threshold = 1e6 * (double)cpus;
  if (l15 > threshold) return 2;
  printf("CPU load is OK (%g %g %g, threshold %g) | load15=%g\n", l1, l5, l15, threshold, l15);
  return 0;
}

/* As the history promises: one JSON line appended (O_APPEND), then the marker's age. */
static int append_history(const char* path, const char* message, const char* key,
                          unsigned long long value) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  localtime_r(&now.tv_sec, &tm);
  char when[32], line[256];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
  int length = snprintf(line, sizeof line,
                        "{\"time\": \"%s,%03ld\", \"log_level\": \"INFO\", \"message\": \"%s\", "
                        "\"data\": {\"%s\": %llu}}\n",
                        when, now.tv_nsec / 1000000, message, key, value);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return -1;
  ssize_t written = write(fd, line, (size_t)length);
  close(fd);
  return written == length ? 0 : -1;
}

static int ram_usage(void) {
  char text[8192];
  if (read_small("/proc/meminfo", text, sizeof text) < 0) return 3;
  const char* available = strstr(text, "MemAvailable:");
  if (!available) return 3;
  unsigned long long kib = strtoull(available + 13, NULL, 10);
  if (append_history(".slapgrid/promise/log/ram_usage.json.log", "RAM data", "available_ram",
                     kib * 1024) != 0)
    return 3;
  struct stat marker;
  if (stat("last_avg", &marker) != 0) close(open("last_avg", O_WRONLY | O_CREAT, 0640));
  printf("RAM usage OK (available %.1fG) | available=%lluB\n", kib / 1048576.0, kib * 1024);
  return 0;
}

static int interface_up(const char* name) {
  char path[128], operstate[64], flags[64], carrier[64];
  snprintf(path, sizeof path, "/sys/class/net/%s/operstate", name);
  if (read_small(path, operstate, sizeof operstate) < 0) return 2;
  snprintf(path, sizeof path, "/sys/class/net/%s/flags", name);
  read_small(path, flags, sizeof flags);
  snprintf(path, sizeof path, "/sys/class/net/%s/carrier", name);
  read_small(path, carrier, sizeof carrier);
  printf("%s is up\n", name);
  return 0;
}

/* Adds up rx+tx bytes, drops and errors of /proc/net/dev. */
static int net_dev(unsigned long long* bytes, unsigned long long* drops,
                   unsigned long long* errors) {
  char text[65536];
  if (read_small("/proc/net/dev", text, sizeof text) < 0) return -1;
  *bytes = *drops = *errors = 0;
  char* line = strchr(text, '\n');
  line = line ? strchr(line + 1, '\n') : NULL;
  while (line && *++line) {
    char* colon = strchr(line, ':');
    if (!colon) break;
    unsigned long long v[16];
    if (sscanf(colon + 1,
               "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13], &v[14], &v[15]) != 16)
      return -1;
    *bytes += v[0] + v[8];
    *drops += v[3] + v[11];
    *errors += v[2] + v[10];
    line = strchr(line, '\n');
  }
  return 0;
}

static int network_errors(void) {
  unsigned long long bytes, drops, errors;
  if (net_dev(&bytes, &drops, &errors) != 0) return 3;
  double mb = bytes / 1e6 < 1 ? 1 : bytes / 1e6;
  if (drops / mb >= 100 || errors / mb >= 100) return 2;
  printf("Network statistics OK (%llu dropped, %llu errors in %.1f MB)\n", drops, errors, mb);
  return 0;
}

static int network_transit(void) {
  unsigned long long bytes, drops, errors;
  if (net_dev(&bytes, &drops, &errors) != 0) return 3;
  if (append_history(".slapgrid/promise/log/network_transit.json.log", "Network data amount",
                     "network_data_amount", bytes) != 0)
    return 3;
  struct stat marker;
  if (stat("last_transit", &marker) != 0) close(open("last_transit", O_WRONLY | O_CREAT, 0640));
  printf("Network transit OK | data_amount=%lluB\n", bytes);
  return 0;
}

static int surykatka(const char* path, const char* url) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return 3;
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return 3;
  /* As the promise: a buffer of the size fstat gives and some room, read until EOF. */
  size_t capacity = (size_t)info.st_size + 4096 + 64, length = 0;
  char* report = malloc(capacity);
  if (!report) return 3;
  for (;;) {
    ssize_t got = read(fd, report + length, capacity - 64 - length);
    if (got < 0) return 3;
    if (got == 0) break;
    length += (size_t)got;
    if (capacity - 64 - length < 4096) {
      capacity *= 2;
      report = realloc(report, capacity);
      if (!report) return 3;
    }
  }
  close(fd);
  int found = memmem(report, length, url, strlen(url)) != NULL;
  free(report);
  printf("%s : http_query: %s\n", url, found ? "OK found" : "ERROR No data");
  return found ? 0 : 2;
}

/* As check_service_state: supervisord's XML-RPC over HTTP over its UNIX socket. */
static int service_state(const char* directory, const char* name) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  struct stat info;
  char legacy[4200];
  snprintf(legacy, sizeof legacy, "%s/supervisord.socket", directory);
  if (stat(legacy, &info) == 0) return 3; /* not what the bench sets up */
  snprintf(address.sun_path, sizeof address.sun_path, "%s/sv.sock", directory);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr*)&address, sizeof address) != 0) return 2;
  char body[1024], request[1400];
  int body_size = snprintf(body, sizeof body,
                           "<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor."
                           "getProcessInfo</methodName>\n<params>\n<param>\n<value><string>%s"
                           "</string></value>\n</param>\n</params>\n</methodCall>\n",
                           name);
  int size = snprintf(request, sizeof request,
                      "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
                      "Content-Length: %d\r\n\r\n%s",
                      body_size, body);
  if (write(fd, request, (size_t)size) != size) return 2;
  static char answer[1 << 16];
  size_t got = 0;
  ssize_t n;
  long length = -1;
  char* head_end = NULL;
  while ((n = read(fd, answer + got, sizeof answer - 1 - got)) > 0) {
    got += (size_t)n;
    answer[got] = 0;
    if (!head_end && (head_end = strstr(answer, "\r\n\r\n"))) {
      char* field = strcasestr(answer, "Content-Length:");
      if (field) length = atol(field + 15);
    }
    if (head_end && length >= 0 && got >= (size_t)(head_end + 4 - answer) + (size_t)length) break;
  }
  close(fd);
  if (!strstr(answer, "<name>statename</name>\n<value><string>RUNNING</string>")) {
    printf("service '%s' is not running\n", name);
    return 2;
  }
  printf("service '%s' is in expected state 'running'\n", name);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return 3;
  const char* mode = argv[1];
  if (!strcmp(mode, "file_state") && argc == 3) return file_state(argv[2]);
  if (!strcmp(mode, "disk_space") && argc == 2) return disk_space();
  if (!strcmp(mode, "parameter") && argc == 4) return parameter(argv[2], argv[3]);
  if (!strcmp(mode, "local_tcp_port") && argc == 4) return local_tcp_port(argv[2], argv[3]);
  if (!strcmp(mode, "deployment_state") && argc == 3) return deployment_state(argv[2]);
  if (!strcmp(mode, "command") && argc == 2) return command();
  if (!strcmp(mode, "http_log") && argc == 3) return http_log(argv[2]);
  if (!strcmp(mode, "zope_log") && argc == 3) return zope_log(argv[2]);
  if (!strcmp(mode, "cpu_load") && argc == 2) return cpu_load();
  if (!strcmp(mode, "ram_usage") && argc == 2) return ram_usage();
  if (!strcmp(mode, "interface_up") && argc == 3) return interface_up(argv[2]);
  if (!strcmp(mode, "network_errors") && argc == 2) return network_errors();
  if (!strcmp(mode, "network_transit") && argc == 2) return network_transit();
  if (!strcmp(mode, "surykatka") && argc == 4) return surykatka(argv[2], argv[3]);
  if (!strcmp(mode, "service_state") && argc == 4) return service_state(argv[2], argv[3]);
  fprintf(stderr, "local_floors: bad use (see the comment at the top of local_floors.c)\n");
  return 3;
}

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
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
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
  if (!strcmp(mode, "service_state") && argc == 4) return service_state(argv[2], argv[3]);
  fprintf(stderr, "local_floors: bad use (see the comment at the top of local_floors.c)\n");
  return 3;
}

/* The floor for a TCP "is it listening" check: one socket(), one connect(), exit status.
 * No option parsing, no deadline, no message: what any promise must at least pay (exec, the
 * static C runtime start-up, two syscalls). Built by tests/bench/run-bench with
 * `gcc -O2 -static`. Usage: connect_floor IPV4 PORT  -> exit 0 if connected, 2 if not. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) return 3;
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) return 3;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 3;
  int ok = connect(fd, (struct sockaddr*)&address, sizeof address) == 0;
  close(fd);
  return ok ? 0 : 2;
}

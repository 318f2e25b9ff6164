/* The TCP service the port checks connect to: listens on 127.0.0.1:PORT, accepts every
 * connection and closes it at once, forever. A C loop so that the listener's own cost does
 * not vary between the peers measured against it. Usage: tcp_listener PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) return 3;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)atoi(argv[1]));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&address, sizeof address) != 0 || listen(fd, 4096) != 0) {
    perror("tcp_listener");
    return 1;
  }
  for (;;) {
    int client = accept(fd, NULL, NULL);
    if (client >= 0) close(client);
  }
}

/* A correct C client for sockgrade's client checks: `client HOST PORT`. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *messages[] = {"Client Query test\n", "Cleint Query\n", "Client Query Quit\n"};
  struct sockaddr_in addr = {0};
  if (argc < 3) {
    fprintf(stderr, "usage: client HOST PORT\n");
    return 2;
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    fprintf(stderr, "client: bad address %s\n", argv[1]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("client: connect");
    return 1;
  }
  for (int i = 0; i < 3; i++) {
    if (send(fd, messages[i], strlen(messages[i]), 0) < 0) {
      perror("client: send");
      return 1;
    }
  }
  close(fd);
  return 0;
}

/*
 * fork_server.c: the homework's server the classic way, one forked process per connection, with
 * the same behaviour as the reference server.ts so bench/server_bench.ts can set them side by
 * side: accepts only the allowed client address (a rejected connection is closed at once),
 * frames lines at '\n' (a '\r' before it dropped, or the connection's close), prints
 * "Receive Query" on stdout with one write(2) the moment a line is exactly "Client Query",
 * discards a line over 64 KiB up to its newline, closes a connection idle for 120 s, and logs
 * everything else on stderr. As a benchmark peer it listens on 127.0.0.1 only.
 *
 * Build: cc -O2 -Wall -Wextra -o fork_server fork_server.c
 * Run:   ./fork_server [allowed-client-address] [port]   (defaults 127.0.0.1 and 6666)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_LINE 65536
#define IDLE_SECONDS 120

static const char TRIGGER[] = "Client Query";
static const char RESPONSE[] = "Receive Query\n";

/* Logs one message with its bytes escaped (printable ASCII kept, the rest as \xNN). */
static void log_message(const char *peer, const unsigned char *line, size_t len, int matched) {
  char shown[4 * 256 + 1];
  size_t out = 0;
  for (size_t i = 0; i < len && i < 256; i++) {
    unsigned char b = line[i];
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      shown[out++] = (char)b;
    } else {
      out += (size_t)snprintf(shown + out, 5, "\\x%02x", b);
    }
  }
  shown[out] = '\0';
  fprintf(stderr, "%s: message \"%s\" -> %s\n", peer, shown,
          matched ? "printed \"Receive Query\"" : "not the trigger");
}

static void handle_line(const char *peer, unsigned char *line, size_t len) {
  if (len > 0 && line[len - 1] == '\r') len--;
  int matched = len == sizeof TRIGGER - 1 && memcmp(line, TRIGGER, len) == 0;
  if (matched && write(STDOUT_FILENO, RESPONSE, sizeof RESPONSE - 1) < 0) {
    fprintf(stderr, "could not print the response: %s\n", strerror(errno));
  }
  log_message(peer, line, len, matched);
}

/* Serves one connection in the child: frames lines and answers the trigger. */
static void serve_connection(int fd, const char *peer) {
  static unsigned char line[MAX_LINE + 1];
  unsigned char buf[8192];
  size_t have = 0;
  int discarding = 0;
  struct timeval idle = {IDLE_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) {
      if (discarding) fprintf(stderr, "%s: discarded an over-long line\n", peer);
      else if (have > 0) handle_line(peer, line, have);
      fprintf(stderr, "%s: the client closed the connection\n", peer);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "%s: %s; an unfinished line is dropped\n", peer,
              errno == EAGAIN ? "idle for too long" : strerror(errno));
      return;
    }
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        if (discarding) fprintf(stderr, "%s: discarded an over-long line\n", peer);
        else handle_line(peer, line, have);
        have = 0;
        discarding = 0;
      } else if (!discarding) {
        if (have == MAX_LINE) {
          discarding = 1;
          have = 0;
        } else {
          line[have++] = buf[i];
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  const char *allowed_text = argc > 1 ? argv[1] : "127.0.0.1";
  int port = argc > 2 ? atoi(argv[2]) : 6666;
  struct in_addr allowed;
  if (inet_pton(AF_INET, allowed_text, &allowed) != 1) {
    fprintf(stderr, "%s is not an IPv4 address: pass one such as 127.0.0.1\n", allowed_text);
    return 2;
  }
  signal(SIGCHLD, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 4096) < 0) {
    fprintf(stderr, "cannot listen on port %d: %s\n", port, strerror(errno));
    return 1;
  }
  socklen_t addr_len = sizeof addr;
  getsockname(listener, (struct sockaddr *)&addr, &addr_len);
  fprintf(stderr, "listening on 127.0.0.1:%d; accepting messages from %s\n", ntohs(addr.sin_port),
          allowed_text);
  for (;;) {
    struct sockaddr_in peer_addr;
    socklen_t peer_len = sizeof peer_addr;
    int fd = accept(listener, (struct sockaddr *)&peer_addr, &peer_len);
    if (fd < 0) {
      if (errno != EINTR) fprintf(stderr, "accept failed: %s\n", strerror(errno));
      continue;
    }
    char peer[INET_ADDRSTRLEN + 8];
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer_addr.sin_addr, ip, sizeof ip);
    snprintf(peer, sizeof peer, "%s:%d", ip, ntohs(peer_addr.sin_port));
    if (peer_addr.sin_addr.s_addr != allowed.s_addr) {
      close(fd);
      fprintf(stderr, "%s: rejected the connection (not an allowed client address)\n", peer);
      continue;
    }
    pid_t child = fork();
    if (child == 0) {
      close(listener);
      serve_connection(fd, peer);
      close(fd);
      _exit(0);
    }
    if (child < 0) fprintf(stderr, "%s: fork failed: %s\n", peer, strerror(errno));
    close(fd);
  }
}

/*
 * A correct homework server in C for sockgrade's server-check tests and timing:
 * usage `server ALLOWED_ADDRESS PORT`. It listens on 127.0.0.1 (or $TEST_SERVER_BIND), forks a
 * child per connection, closes connections from other addresses, frames lines (a '\r' before
 * '\n' tolerated, a last line ended by close counts, lines over 64 KiB are discarded) and prints
 * "Receive Query" (flushed) for each line that is exactly "Client Query".
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINE 65536

static void handle_line(char *line, size_t len, int discarding) {
    if (discarding) return;
    if (len > 0 && line[len - 1] == '\r') len--;
    if (len == strlen("Client Query") && memcmp(line, "Client Query", len) == 0) {
        printf("Receive Query\n");
        fflush(stdout);
    }
}

static void serve(int fd) {
    static char line[MAX_LINE];
    char buf[4096];
    size_t len = 0;
    int discarding = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                handle_line(line, len, discarding);
                len = 0;
                discarding = 0;
            } else if (len < MAX_LINE) {
                line[len++] = buf[i];
            } else {
                discarding = 1;
            }
        }
    }
    if (n == 0 && len > 0) handle_line(line, len, discarding);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ALLOWED_ADDRESS PORT\n", argv[0]);
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    const char *bind_to = getenv("TEST_SERVER_BIND");
    inet_pton(AF_INET, bind_to ? bind_to : "127.0.0.1", &addr.sin_addr);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 16) < 0) {
        perror("server: bind/listen");
        return 1;
    }
    for (;;) {
        struct sockaddr_in peer;
        socklen_t peer_len = sizeof peer;
        int fd = accept(listener, (struct sockaddr *)&peer, &peer_len);
        if (fd < 0) continue;
        char who[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, who, sizeof who);
        if (strcmp(who, argv[1]) != 0) {
            close(fd);
            continue;
        }
        if (fork() == 0) {
            close(listener);
            serve(fd);
            close(fd);
            _exit(0);
        }
        close(fd);
    }
}

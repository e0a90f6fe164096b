/*
 * sockgrade's socket interposer (LD_PRELOAD), used where programs run on host loopback instead of
 * a private network namespace. It gives a program the namespace's view of the network:
 *
 * - the spec's addresses (server, allowed client, stranger; IPv4, or IPv6 and IPv4-mapped IPv6)
 *   are mapped to the lane's loopback addresses, and the spec's port to the lane's port, in
 *   connect, bind, sendto, sendmsg and sendmmsg; and back in accept, accept4, getpeername,
 *   getsockname, recvfrom, recvmsg and recvmmsg, so a server filtering on the allowed client's
 *   address sees it;
 * - a socket that connects (or sends) to the server address without being bound first is bound
 *   to the allowed client's lane address, as the namespace's route (`src`) does;
 * - a wildcard bind stays on the lane: port 0 binds the client's lane address, any other port the
 *   server's, so nothing listens on the host's other interfaces;
 * - connections and datagrams to anything but loopback and the mapped addresses fail with
 *   ENETUNREACH, binds to such addresses with EADDRNOTAVAIL, and name lookups of names that are
 *   neither numeric nor in /etc/hosts fail, as in the namespace (whose only interface is lo);
 *   each refusal is appended to the log file as one line: role, call, address.
 *
 * Configuration (set by the grader for each program; without SOCKGRADE_NET_SERVER the library
 * changes nothing):
 *   SOCKGRADE_NET_SERVER    "<spec address>=<lane IPv4 loopback address>"
 *   SOCKGRADE_NET_CLIENT    likewise for the allowed client
 *   SOCKGRADE_NET_STRANGER  likewise for the stranger
 *   SOCKGRADE_NET_PORT      "<spec port>=<lane port>"
 *   SOCKGRADE_NET_LOG       the file refusals are appended to
 *   SOCKGRADE_NET_ROLE      a word written on each log line (server, client)
 *
 * It is an address mapper for programs that use the C library's socket functions (dynamically
 * linked programs: C, C++, Python, Java, Deno); it cannot see raw system calls or statically
 * linked programs, so it is not a boundary against code written to get around it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

enum { SERVER, CLIENT, STRANGER, N_PEERS };

struct peer {
  int set;
  int spec_family;          /* AF_INET or AF_INET6 */
  unsigned char spec[16];   /* 4 or 16 bytes */
  struct in_addr lane;      /* an IPv4 loopback address */
};

static struct peer peers[N_PEERS];
static int active;
static unsigned short spec_port, lane_port; /* host order; 0 when unset */
static char log_path[512];
static char role[32] = "program";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
static int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);
static int (*real_recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
static int (*real_getaddrinfo)(const char *, const char *, const struct addrinfo *,
                               struct addrinfo **);
static struct hostent *(*real_gethostbyname)(const char *);
static struct hostent *(*real_gethostbyname2)(const char *, int);
static int (*real_gethostbyname_r)(const char *, struct hostent *, char *, size_t,
                                   struct hostent **, int *);

static void parse_peer(const char *name, struct peer *p) {
  const char *value = getenv(name);
  char buf[128];
  if (!value || strlen(value) >= sizeof buf) return;
  strcpy(buf, value);
  char *eq = strrchr(buf, '=');
  if (!eq) return;
  *eq = '\0';
  if (inet_pton(AF_INET, eq + 1, &p->lane) != 1) return;
  if (inet_pton(AF_INET, buf, p->spec) == 1) {
    p->spec_family = AF_INET;
  } else if (inet_pton(AF_INET6, buf, p->spec) == 1) {
    p->spec_family = AF_INET6;
  } else {
    return;
  }
  p->set = 1;
}

static void init(void) {
  real_connect = dlsym(RTLD_NEXT, "connect");
  real_bind = dlsym(RTLD_NEXT, "bind");
  real_accept = dlsym(RTLD_NEXT, "accept");
  real_accept4 = dlsym(RTLD_NEXT, "accept4");
  real_getpeername = dlsym(RTLD_NEXT, "getpeername");
  real_getsockname = dlsym(RTLD_NEXT, "getsockname");
  real_sendto = dlsym(RTLD_NEXT, "sendto");
  real_recvfrom = dlsym(RTLD_NEXT, "recvfrom");
  real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
  real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
  real_sendmmsg = dlsym(RTLD_NEXT, "sendmmsg");
  real_recvmmsg = dlsym(RTLD_NEXT, "recvmmsg");
  real_getaddrinfo = dlsym(RTLD_NEXT, "getaddrinfo");
  real_gethostbyname = dlsym(RTLD_NEXT, "gethostbyname");
  real_gethostbyname2 = dlsym(RTLD_NEXT, "gethostbyname2");
  real_gethostbyname_r = dlsym(RTLD_NEXT, "gethostbyname_r");
  parse_peer("SOCKGRADE_NET_SERVER", &peers[SERVER]);
  parse_peer("SOCKGRADE_NET_CLIENT", &peers[CLIENT]);
  parse_peer("SOCKGRADE_NET_STRANGER", &peers[STRANGER]);
  active = peers[SERVER].set;
  const char *port = getenv("SOCKGRADE_NET_PORT");
  unsigned a, b;
  if (port && sscanf(port, "%u=%u", &a, &b) == 2 && a < 65536 && b < 65536) {
    spec_port = (unsigned short)a;
    lane_port = (unsigned short)b;
  }
  const char *log = getenv("SOCKGRADE_NET_LOG");
  if (log && strlen(log) < sizeof log_path) strcpy(log_path, log);
  const char *r = getenv("SOCKGRADE_NET_ROLE");
  if (r && strlen(r) < sizeof role) strcpy(role, r);
}

static void setup(void) {
  int saved = errno;
  pthread_once(&once, init);
  errno = saved;
}

/* Appends "role call what" to the log; never changes errno. */
static void log_refusal(const char *call, const char *what) {
  int saved = errno;
  if (log_path[0]) {
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
      char line[512];
      int n = snprintf(line, sizeof line, "%s\t%s\t%s\n", role, call, what);
      if (n > 0) {
        if ((size_t)n >= sizeof line) n = sizeof line - 1;
        ssize_t w = write(fd, line, (size_t)n);
        (void)w;
      }
      close(fd);
    }
  }
  errno = saved;
}

/* "a.b.c.d:port" or "[v6]:port" of an IP socket address. */
static void describe(const struct sockaddr *sa, char *out, size_t size) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    snprintf(out, size, "%s:%u", host, port);
  } else {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    snprintf(out, size, "[%s]:%u", host, port);
  }
}

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* The IPv4 address an AF_INET or IPv4-mapped AF_INET6 address holds; 0 when it holds none. */
static int as_v4(const struct sockaddr *sa, struct in_addr *out) {
  if (sa->sa_family == AF_INET) {
    *out = ((const struct sockaddr_in *)sa)->sin_addr;
    return 1;
  }
  const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
  if (memcmp(a6->s6_addr, V4_MAPPED, 12) == 0) {
    memcpy(&out->s_addr, a6->s6_addr + 12, 4);
    return 1;
  }
  return 0;
}

static int is_loopback_v4(struct in_addr a) { return (ntohl(a.s_addr) >> 24) == 127; }

/* Loopback or unspecified: what the host's lo carries (0.0.0.0 means this machine). */
static int stays_local(const struct sockaddr *sa) {
  struct in_addr v4;
  if (as_v4(sa, &v4)) return is_loopback_v4(v4) || v4.s_addr == htonl(INADDR_ANY);
  const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(a6) || IN6_IS_ADDR_UNSPECIFIED(a6);
}

static int is_wildcard(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET) {
    return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* Which spec peer the address names, or -1. */
static int spec_peer(const struct sockaddr *sa) {
  struct in_addr v4;
  int has_v4 = as_v4(sa, &v4);
  for (int i = 0; i < N_PEERS; i++) {
    const struct peer *p = &peers[i];
    if (!p->set) continue;
    if (p->spec_family == AF_INET && has_v4 && memcmp(&v4, p->spec, 4) == 0) return i;
    if (p->spec_family == AF_INET6 && sa->sa_family == AF_INET6 &&
        memcmp(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, p->spec, 16) == 0) {
      return i;
    }
  }
  return -1;
}

/* Which lane peer the address is, or -1. */
static int lane_peer(const struct sockaddr *sa) {
  struct in_addr v4;
  if (!as_v4(sa, &v4)) return -1;
  for (int i = 0; i < N_PEERS; i++) {
    if (peers[i].set && peers[i].lane.s_addr == v4.s_addr) return i;
  }
  return -1;
}

static unsigned short port_of(const struct sockaddr *sa) {
  return ntohs(sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
                                        : ((const struct sockaddr_in6 *)sa)->sin6_port);
}

static void set_port(struct sockaddr *sa, unsigned short port) {
  if (sa->sa_family == AF_INET) ((struct sockaddr_in *)sa)->sin_port = htons(port);
  else ((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

/* Puts peer i's lane address into `sa` (an IPv4-mapped address for AF_INET6). */
static void set_lane(struct sockaddr *sa, int i) {
  if (sa->sa_family == AF_INET) {
    ((struct sockaddr_in *)sa)->sin_addr = peers[i].lane;
  } else {
    struct in6_addr *a6 = &((struct sockaddr_in6 *)sa)->sin6_addr;
    memcpy(a6->s6_addr, V4_MAPPED, 12);
    memcpy(a6->s6_addr + 12, &peers[i].lane.s_addr, 4);
  }
}

static int is_ip(const struct sockaddr *sa, socklen_t len) {
  if (!sa) return 0;
  if (sa->sa_family == AF_INET) return len >= (socklen_t)sizeof(struct sockaddr_in);
  if (sa->sa_family == AF_INET6) return len >= (socklen_t)sizeof(struct sockaddr_in6);
  return 0;
}

/*
 * A destination as the program named it, mapped to the lane into `out`. Returns 1 when the
 * destination may be used (mapped or local), 0 when it must be refused (logged under `call`).
 */
static int map_destination(const struct sockaddr *sa, socklen_t len, struct sockaddr_storage *out,
                           const char *call) {
  memcpy(out, sa, len < sizeof *out ? len : sizeof *out);
  int i = spec_peer(sa);
  if (i >= 0) {
    set_lane((struct sockaddr *)out, i);
    if (i == SERVER && spec_port && port_of(sa) == spec_port) {
      set_port((struct sockaddr *)out, lane_port);
    }
    return 1;
  }
  if (stays_local(sa)) return 1;
  char what[80];
  describe(sa, what, sizeof what);
  log_refusal(call, what);
  return 0;
}

/* Binds an unbound IP socket to the allowed client's lane address, as the namespace's route. */
static void bind_source(int fd, int family) {
  if (!peers[CLIENT].set) return;
  struct sockaddr_storage now;
  socklen_t len = sizeof now;
  if (real_getsockname(fd, (struct sockaddr *)&now, &len) != 0) return;
  if (now.ss_family != family || port_of((struct sockaddr *)&now) != 0) return;
  struct sockaddr_storage src;
  memset(&src, 0, sizeof src);
  src.ss_family = (sa_family_t)family;
  set_lane((struct sockaddr *)&src, CLIENT);
  socklen_t size = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  int saved = errno;
  (void)real_bind(fd, (struct sockaddr *)&src, size);
  errno = saved;
}

/* Maps a lane address (and port) found in `sa` back to the spec's, in place. */
static void unmap(struct sockaddr *sa, socklen_t len) {
  if (!is_ip(sa, len)) return;
  int i = lane_peer(sa);
  if (i < 0) return;
  const struct peer *p = &peers[i];
  if (sa->sa_family == AF_INET) {
    if (p->spec_family != AF_INET) return;
    memcpy(&((struct sockaddr_in *)sa)->sin_addr, p->spec, 4);
  } else {
    struct in6_addr *a6 = &((struct sockaddr_in6 *)sa)->sin6_addr;
    if (p->spec_family == AF_INET) {
      memcpy(a6->s6_addr, V4_MAPPED, 12);
      memcpy(a6->s6_addr + 12, p->spec, 4);
    } else {
      memcpy(a6->s6_addr, p->spec, 16);
    }
  }
  if (i == SERVER && lane_port && port_of(sa) == lane_port) set_port(sa, spec_port);
}

/* Hands an address the kernel filled into `full` to the caller's buffer, mapped back. */
static void deliver(struct sockaddr_storage *full, socklen_t full_len, struct sockaddr *addr,
                    socklen_t *addrlen) {
  if (full_len <= sizeof *full) unmap((struct sockaddr *)full, full_len);
  size_t n = full_len < *addrlen ? full_len : *addrlen;
  memcpy(addr, full, n);
  *addrlen = full_len;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  setup();
  if (!active || !is_ip(addr, len)) return real_connect(fd, addr, len);
  struct sockaddr_storage to;
  if (!map_destination(addr, len, &to, "connect")) {
    errno = ENETUNREACH;
    return -1;
  }
  if (spec_peer(addr) == SERVER) bind_source(fd, addr->sa_family);
  return real_connect(fd, (struct sockaddr *)&to, len);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  setup();
  if (!active || !is_ip(addr, len)) return real_bind(fd, addr, len);
  struct sockaddr_storage at;
  memcpy(&at, addr, len < sizeof at ? len : sizeof at);
  int i = spec_peer(addr);
  if (i >= 0 || is_wildcard(addr)) {
    int lane = i >= 0 ? i : port_of(addr) == 0 ? CLIENT : SERVER;
    if (!peers[lane].set) lane = SERVER;
    /* An IPv6 socket gets the lane's IPv4-mapped address, reachable from the IPv4 lane. */
    set_lane((struct sockaddr *)&at, lane);
    if (lane == SERVER && spec_port && port_of(addr) == spec_port) {
      set_port((struct sockaddr *)&at, lane_port);
    }
    return real_bind(fd, (struct sockaddr *)&at, len);
  }
  if (stays_local(addr)) return real_bind(fd, addr, len);
  char what[80];
  describe(addr, what, sizeof what);
  log_refusal("bind", what);
  errno = EADDRNOTAVAIL;
  return -1;
}

int accept(int fd, struct sockaddr *addr, socklen_t *addrlen) {
  setup();
  if (!active || !addr || !addrlen) return real_accept(fd, addr, addrlen);
  struct sockaddr_storage full;
  socklen_t len = sizeof full;
  int r = real_accept(fd, (struct sockaddr *)&full, &len);
  if (r >= 0) deliver(&full, len, addr, addrlen);
  return r;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
  setup();
  if (!active || !addr || !addrlen) return real_accept4(fd, addr, addrlen, flags);
  struct sockaddr_storage full;
  socklen_t len = sizeof full;
  int r = real_accept4(fd, (struct sockaddr *)&full, &len, flags);
  if (r >= 0) deliver(&full, len, addr, addrlen);
  return r;
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen) {
  setup();
  if (!active || !addr || !addrlen) return real_getpeername(fd, addr, addrlen);
  struct sockaddr_storage full;
  socklen_t len = sizeof full;
  int r = real_getpeername(fd, (struct sockaddr *)&full, &len);
  if (r == 0) deliver(&full, len, addr, addrlen);
  return r;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen) {
  setup();
  if (!active || !addr || !addrlen) return real_getsockname(fd, addr, addrlen);
  struct sockaddr_storage full;
  socklen_t len = sizeof full;
  int r = real_getsockname(fd, (struct sockaddr *)&full, &len);
  if (r == 0) deliver(&full, len, addr, addrlen);
  return r;
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
               socklen_t len) {
  setup();
  if (!active || !is_ip(addr, len)) return real_sendto(fd, buf, n, flags, addr, len);
  struct sockaddr_storage to;
  if (!map_destination(addr, len, &to, "sendto")) {
    errno = ENETUNREACH;
    return -1;
  }
  if (spec_peer(addr) == SERVER) bind_source(fd, addr->sa_family);
  return real_sendto(fd, buf, n, flags, (struct sockaddr *)&to, len);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                 socklen_t *addrlen) {
  setup();
  if (!active || !addr || !addrlen) return real_recvfrom(fd, buf, n, flags, addr, addrlen);
  struct sockaddr_storage full;
  socklen_t len = sizeof full;
  ssize_t r = real_recvfrom(fd, buf, n, flags, (struct sockaddr *)&full, &len);
  if (r >= 0) deliver(&full, len, addr, addrlen);
  return r;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
  setup();
  if (!active || !msg || !is_ip(msg->msg_name, msg->msg_namelen)) {
    return real_sendmsg(fd, msg, flags);
  }
  const struct sockaddr *addr = msg->msg_name;
  struct sockaddr_storage to;
  if (!map_destination(addr, msg->msg_namelen, &to, "sendmsg")) {
    errno = ENETUNREACH;
    return -1;
  }
  if (spec_peer(addr) == SERVER) bind_source(fd, addr->sa_family);
  struct msghdr copy = *msg;
  copy.msg_name = &to;
  return real_sendmsg(fd, &copy, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
  setup();
  socklen_t room = msg ? msg->msg_namelen : 0;
  ssize_t r = real_recvmsg(fd, msg, flags);
  /* The kernel reports the full length even when it had less room: map only what fit. */
  if (active && r >= 0 && msg && msg->msg_name && msg->msg_namelen <= room) {
    unmap(msg->msg_name, msg->msg_namelen);
  }
  return r;
}

/* Each message's destination as in sendmsg; refused as a whole when one of them is refused. */
int sendmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags) {
  setup();
  if (!active || !msgs || n == 0) return real_sendmmsg(fd, msgs, n, flags);
  if (n > 1024) n = 1024; /* the kernel's UIO_MAXIOV: it sends no more at once */
  struct mmsghdr copy[n];
  struct sockaddr_storage to[n];
  for (unsigned int i = 0; i < n; i++) {
    copy[i] = msgs[i];
    const struct msghdr *m = &msgs[i].msg_hdr;
    if (!is_ip(m->msg_name, m->msg_namelen)) continue;
    if (!map_destination(m->msg_name, m->msg_namelen, &to[i], "sendmmsg")) {
      errno = ENETUNREACH;
      return -1;
    }
    if (spec_peer(m->msg_name) == SERVER) bind_source(fd, ((struct sockaddr *)m->msg_name)->sa_family);
    copy[i].msg_hdr.msg_name = &to[i];
  }
  int r = real_sendmmsg(fd, copy, n, flags);
  for (int i = 0; i < r; i++) msgs[i].msg_len = copy[i].msg_len;
  return r;
}

int recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags, struct timespec *timeout) {
  setup();
  if (!active || !msgs || n == 0) return real_recvmmsg(fd, msgs, n, flags, timeout);
  if (n > 1024) n = 1024;
  socklen_t room[n];
  for (unsigned int i = 0; i < n; i++) room[i] = msgs[i].msg_hdr.msg_namelen;
  int r = real_recvmmsg(fd, msgs, n, flags, timeout);
  for (int i = 0; i < r; i++) {
    struct msghdr *m = &msgs[i].msg_hdr;
    if (m->msg_name && m->msg_namelen <= room[i]) unmap(m->msg_name, m->msg_namelen);
  }
  return r;
}

/* Whether a name resolves without the network: numeric, localhost, or listed in /etc/hosts. */
static int resolves_locally(const char *name) {
  unsigned char tmp[16];
  if (inet_pton(AF_INET, name, tmp) == 1 || inet_pton(AF_INET6, name, tmp) == 1) return 1;
  if (strcasecmp(name, "localhost") == 0 || strcasecmp(name, "localhost.localdomain") == 0 ||
      strcasecmp(name, "ip6-localhost") == 0 || strcasecmp(name, "ip6-loopback") == 0) {
    return 1;
  }
  /* IPv4 numbers-and-dots forms inet_aton accepts (e.g. "127.1") need no lookup either. */
  struct in_addr a;
  if (inet_aton(name, &a)) return 1;
  FILE *hosts = fopen("/etc/hosts", "re");
  if (!hosts) return 0;
  char line[1024];
  int found = 0;
  while (!found && fgets(line, sizeof line, hosts)) {
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *save = NULL;
    char *token = strtok_r(line, " \t\r\n", &save); /* the address */
    while (token && (token = strtok_r(NULL, " \t\r\n", &save))) {
      if (strcasecmp(token, name) == 0) {
        found = 1;
        break;
      }
    }
  }
  fclose(hosts);
  return found;
}

/* Whether a lookup of `name` may go ahead; logs it when not. */
static int lookup_allowed(const char *name) {
  if (!active || !name || resolves_locally(name)) return 1;
  char host[256];
  gethostname(host, sizeof host);
  host[sizeof host - 1] = '\0';
  if (strcasecmp(name, host) == 0) return 1;
  log_refusal("lookup", name);
  return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res) {
  setup();
  if (!lookup_allowed(node)) return EAI_NONAME;
  return real_getaddrinfo(node, service, hints, res);
}

struct hostent *gethostbyname(const char *name) {
  setup();
  if (!lookup_allowed(name)) {
    h_errno = HOST_NOT_FOUND;
    return NULL;
  }
  return real_gethostbyname(name);
}

struct hostent *gethostbyname2(const char *name, int af) {
  setup();
  if (!lookup_allowed(name)) {
    h_errno = HOST_NOT_FOUND;
    return NULL;
  }
  return real_gethostbyname2(name, af);
}

int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                    struct hostent **result, int *h_errnop) {
  setup();
  if (!lookup_allowed(name)) {
    *result = NULL;
    *h_errnop = HOST_NOT_FOUND;
    return 0;
  }
  return real_gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
}

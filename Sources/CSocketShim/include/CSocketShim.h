#ifndef CSOCKETSHIM_H
#define CSOCKETSHIM_H

#include <sys/socket.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: Glibc declares accept4 only under _GNU_SOURCE,
/// which Swift's Glibc module does not define, so it is reached through this shim.
int csocketshim_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length);

#endif

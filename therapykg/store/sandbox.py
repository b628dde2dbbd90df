"""Confinement of a query process, applied by the process itself once it
holds the store and before it runs any query:

- network: the process moves into a network namespace of its own (nothing
  but a loopback interface that is down, so no address is reachable), and a
  seccomp filter makes every socket other than a Unix one fail with EPERM
  (io_uring, which could open sockets around that filter, is refused too).
  Either alone stops SERVICE from reaching anything; the query guard is the
  first line, these make the promise hold whatever the guard decides.
- memory: RLIMIT_DATA caps the process's private memory, so a query that
  grows past it makes the engine abort (the pool reports the limit).

Linux only. A namespace needs root or unprivileged user namespaces; seccomp
needs x86_64 or aarch64. What could be applied is reported to the pool and
shown by /readyz; with ``required``, a process that can apply neither network
confinement refuses to start."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import resource
import struct

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AF_UNIX = 1
# (audit architecture, socket, io_uring_setup) system call numbers.
_ARCHITECTURES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_X32_BIT = 0x40000000

NETWORK_NAMESPACE = "network namespace"
SECCOMP = "seccomp socket filter"


class SandboxError(Exception):
    pass


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _unshare_network(libc: ctypes.CDLL) -> bool:
    """A network namespace of our own: as root directly, otherwise inside a
    user namespace that maps our own ids (the process must be single-threaded)."""
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return False
    try:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass  # the namespace is in place; the process keeps running as nobody inside it
    return True


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _socket_filter(arch: int, socket_nr: int, io_uring_nr: int) -> bytes:
    """A BPF program: sockets of any family but AF_UNIX, io_uring, x32 and
    foreign-architecture system calls fail with EPERM; the rest is allowed."""
    ld_w_abs, jeq_k, ret_k, jge_k = 0x20, 0x15, 0x06, 0x35
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        _instruction(ld_w_abs, 0, 0, 4),                 # 0: A = arch
        _instruction(jeq_k, 1, 0, arch),                 # 1: native? skip the deny
        _instruction(ret_k, 0, 0, deny),                 # 2
        _instruction(ld_w_abs, 0, 0, 0),                 # 3: A = system call number
        _instruction(jge_k, 5, 0, _X32_BIT),             # 4: x32 ABI -> deny (10)
        _instruction(jeq_k, 4, 0, io_uring_nr),          # 5: io_uring_setup -> deny (10)
        _instruction(jeq_k, 0, 2, socket_nr),            # 6: socket? check its family : allow (9)
        _instruction(ld_w_abs, 0, 0, 16),                # 7: A = low word of args[0] (family)
        _instruction(jeq_k, 0, 1, AF_UNIX),              # 8: AF_UNIX -> allow (9) : deny (10)
        _instruction(ret_k, 0, 0, SECCOMP_RET_ALLOW),    # 9
        _instruction(ret_k, 0, 0, deny),                 # 10
    ]
    return b"".join(program)


def _install_seccomp(libc: ctypes.CDLL) -> bool:
    numbers = _ARCHITECTURES.get(platform.machine())
    if numbers is None:
        return False
    code = _socket_filter(*numbers)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    status: int = libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)  # a C int (the default restype)
    return status == 0


def confine_network(mode: str) -> list[str]:
    """Apply what the platform allows (``auto``), everything it allows but
    fail if that is nothing (``required``), or nothing (``off``); returns
    the mechanisms in force."""
    if mode == "off":
        return []
    applied = []
    if platform.system() == "Linux":
        libc = _libc()
        if _unshare_network(libc):
            applied.append(NETWORK_NAMESPACE)
        if _install_seccomp(libc):
            applied.append(SECCOMP)
    if mode == "required" and not applied:
        raise SandboxError("this platform allows neither a network namespace nor a seccomp filter for the query processes "
                           "(THERAPYKG_QUERY_SANDBOX=required)")
    return applied


def private_memory_mib() -> int:
    """The process's private memory now (VmData), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) // 1024
    return 0


def limit_memory(mib: int) -> None:
    """Cap private memory at ``mib`` MiB (RLIMIT_DATA)."""
    limit = mib << 20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

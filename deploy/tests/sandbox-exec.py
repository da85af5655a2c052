"""Runs a command under two of a systemd unit's sandbox settings, applied as systemd applies them
(after the credentials are dropped, right before execve), for test-systemd.sh:

- MemoryDenyWriteExecute=yes, as the kernel's PR_SET_MDWE (no memory both writable and
  executable, none made executable later; kernel 6.3 or later);
- SystemCallFilter= lines, resolved through `systemd-analyze syscall-filter` into the same
  system-call sets systemd uses, loaded with libseccomp (Debian's python3-seccomp); calls
  outside the set fail with SystemCallErrorNumber= (EPERM), as in the unit;
- RestrictAddressFamilies=, as systemd enforces it: socket() only for the listed families
  (others fail with EPERM here, EAFNOSUPPORT under systemd).

Usage: /usr/bin/python3 sandbox-exec.py UNIT-FILE COMMAND [ARGS...]
Needs no_new_privs set already (setpriv --no-new-privs) when not run as root.
"""

import ctypes
import errno
import os
import socket
import subprocess
import sys

import seccomp

PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def groups():
    """Every @group of this systemd as a list of members (syscalls and nested @groups)."""
    text = subprocess.run(["systemd-analyze", "syscall-filter"], check=True, capture_output=True, text=True).stdout
    table, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = line.strip()
            table[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            table[current].append(line.strip())
        elif not line.strip():
            current = None
    return table


def expand(names, table, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for name in names:
        if name.startswith("@"):
            if name in seen:
                continue
            seen.add(name)
            out |= expand(table.get(name, []), table, seen)
        else:
            out.add(name)
    return out


def unit_settings(path):
    filters, mdwe, error_number, families = [], False, errno.EPERM, None
    for line in open(path):
        key, _, value = line.strip().partition("=")
        if key == "SystemCallFilter":
            filters.append(value.split())
        elif key == "MemoryDenyWriteExecute":
            mdwe = value == "yes"
        elif key == "SystemCallErrorNumber":
            error_number = getattr(errno, value)
        elif key == "RestrictAddressFamilies":
            families = [getattr(socket, name) for name in value.split()]
    return filters, mdwe, error_number, families


def main():
    unit, command = sys.argv[1], sys.argv[2:]
    filters, mdwe, error_number, families = unit_settings(unit)
    table = groups()
    # systemd's rule: the first line without ~ makes an allow list; later lines add to it, and
    # ~ lines remove from it.
    allowed = set()
    for words in filters:
        if words and words[0].startswith("~"):
            allowed -= expand([words[0][1:]] + words[1:], table)
        else:
            allowed |= expand(words, table)
    if mdwe:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
            sys.exit(f"sandbox-exec: PR_SET_MDWE failed: errno {ctypes.get_errno()}")
    if filters:
        seccomp_filter = seccomp.SyscallFilter(defaction=seccomp.ERRNO(error_number))
        added = 0
        if families is not None and "socket" in allowed:
            # socket() passes only for the allowed families; others fall to the default action
            # (EPERM here; systemd answers EAFNOSUPPORT, libseccomp cannot say "none of these").
            allowed.discard("socket")
            for family in families:
                seccomp_filter.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, family))
            added += 1
        for name in sorted(allowed):
            try:
                seccomp_filter.add_rule(seccomp.ALLOW, name)
                added += 1
            except (RuntimeError, ValueError, OSError):
                pass  # not a system call on this architecture
        seccomp_filter.load()
        print(f"sandbox-exec: {added} system calls allowed, others fail with errno {error_number}; "
              f"socket() for {len(families or [])} address families; MDWE {'on' if mdwe else 'off'}",
              file=sys.stderr, flush=True)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()

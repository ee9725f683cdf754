#!/usr/bin/env python3
"""Runs an rv32im guest under qemu-riscv32 with the preimage oracle behind pipes on fds 3 to 6.

    scripts/rv32im/qemu_oracle.py <elf> <preimages>

The oracle's ABI is Cannon's (crates/preimage/src/abi.rs): the guest writes `len_be4 || hint` to
fd 4 and reads a one-byte acknowledgement from fd 3; it writes a 32-byte key to fd 6 and reads
`len_be8 || preimage` from fd 5. The preimages come from a `MapOracle::to_bytes` file
(`key (32) || len_be4 || preimage`, repeated), the one `fpvm --preimages` serves. This host is the
reference pillar-fpvm is cross-checked against for the fault-proof program: same guest, same
preimages, Linux's syscalls from qemu instead of pillar-fpvm's. The guest's stdout and stderr are
passed through and the script exits with the guest's code (2 for a key it does not have).
"""

import os
import select
import subprocess
import sys


def load(path):
    data = open(path, "rb").read()
    out, at = {}, 0
    while at < len(data):
        key, size = data[at:at + 32], int.from_bytes(data[at + 32:at + 36], "big")
        out[key] = data[at + 36:at + 36 + size]
        at += 36 + size
    return out


def main():
    elf, preimages = sys.argv[1], load(sys.argv[2])
    # Pipes: the host's ends stay here, the guest's become fds 3 (hint ack, read), 4 (hint,
    # write), 5 (preimage, read) and 6 (key, write).
    ack_r, ack_w = os.pipe()
    hint_r, hint_w = os.pipe()
    pre_r, pre_w = os.pipe()
    key_r, key_w = os.pipe()
    guest_ends = {3: ack_r, 4: hint_w, 5: pre_r, 6: key_w}

    def place_fds():
        # Move the guest's ends above 6 first, so that placing one cannot close another.
        high = {target: os.dup(fd) for target, fd in guest_ends.items()}
        for target, fd in high.items():
            os.dup2(fd, target)
            os.close(fd)

    # close_fds runs after preexec_fn: keep the placed descriptors open.
    child = subprocess.Popen(["qemu-riscv32", elf], preexec_fn=place_fds, pass_fds=(3, 4, 5, 6), close_fds=True)
    for fd in guest_ends.values():
        os.close(fd)
    buffers = {hint_r: b"", key_r: b""}
    open_fds = [hint_r, key_r]
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [])
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.remove(fd)
                continue
            buffers[fd] += chunk
            if fd == key_r:
                while len(buffers[fd]) >= 32:
                    key, buffers[fd] = buffers[fd][:32], buffers[fd][32:]
                    if key not in preimages:
                        sys.stderr.write("qemu oracle: no preimage for key %s\n" % key.hex())
                        child.kill()
                        sys.exit(2)
                    pre = preimages[key]
                    os.write(pre_w, len(pre).to_bytes(8, "big"))
                    view = memoryview(pre)
                    while view:
                        written = os.write(pre_w, view)
                        view = view[written:]
            else:
                while len(buffers[fd]) >= 4:
                    size = int.from_bytes(buffers[fd][:4], "big")
                    if len(buffers[fd]) < 4 + size:
                        break
                    buffers[fd] = buffers[fd][4 + size:]
                    os.write(ack_w, b"\x01")
    sys.exit(child.wait())


if __name__ == "__main__":
    main()

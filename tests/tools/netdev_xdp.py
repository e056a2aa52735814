#!/usr/bin/env python3
"""netdev_xdp.py IFNAME: the interface's XDP features as the kernel's netdev
generic-netlink family gives them, asked over a raw netlink socket: no libnl
and nothing of libpfring, so tests/integration/netdev-facts.sh has a second
opinion to compare pfcount -I with.

Prints "xdp features: NAME ..." (the kernel's names, "none" if no bit is set)
and "af_xdp zero copy: yes|no"; "unknown" for both, exit 0, on a kernel
without the family; exit 1 with the reason on an error.
"""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
NETDEV_CMD_DEV_GET = 1
NETDEV_A_DEV_IFINDEX = 1
NETDEV_A_DEV_XDP_FEATURES = 3
NAMES = ["basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg"]


def attr(kind, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * pad


def attrs(buf):
    """The attributes of buf, as {type: payload}; refuses a bad length."""
    out = {}
    while len(buf) >= 4:
        length, kind = struct.unpack_from("=HH", buf)
        if length < 4 or length > len(buf):
            raise ValueError("attribute length %d out of %d bytes" % (length, len(buf)))
        out[kind & 0x3FFF] = buf[4:length]
        buf = buf[(length + 3) & ~3:]
    return out


def ask(sock, family, cmd, payload):
    msg = struct.pack("=BBH", cmd, 1, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(msg), family, NLM_F_REQUEST, 1, 0) + msg)
    reply = sock.recv(65536)
    length, kind = struct.unpack_from("=IH", reply)
    if length > len(reply) or length < 20:
        raise ValueError("reply of %d bytes, says %d" % (len(reply), length))
    if kind == NLMSG_ERROR:
        err = struct.unpack_from("=i", reply, 16)[0]
        raise OSError(-err, os.strerror(-err))
    return attrs(reply[20:length])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: netdev_xdp.py IFNAME")
    ifindex = socket.if_nametoindex(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.bind((0, 0))
    try:
        fam = ask(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b"netdev\0"))
    except FileNotFoundError:
        print("xdp features: unknown\naf_xdp zero copy: unknown")
        return
    family = struct.unpack("=H", fam[CTRL_ATTR_FAMILY_ID][:2])[0]
    dev = ask(sock, family, NETDEV_CMD_DEV_GET, attr(NETDEV_A_DEV_IFINDEX, struct.pack("=I", ifindex)))
    bits = struct.unpack("=Q", dev[NETDEV_A_DEV_XDP_FEATURES])[0]
    names = [n for i, n in enumerate(NAMES) if bits & (1 << i)]
    if bits >> len(NAMES):
        names.append("0x%x" % (bits >> len(NAMES) << len(NAMES)))
    print("xdp features: " + (" ".join(names) or "none"))
    print("af_xdp zero copy: " + ("yes" if bits & 8 else "no"))


if __name__ == "__main__":
    main()

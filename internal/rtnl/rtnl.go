// Package rtnl is the little rtnetlink hull needs to move a network
// device into a container's network namespace: look a link up, set it
// down or up, rename and move it, list and add its addresses. Written
// here rather than taken from vishvananda/netlink: these seven requests
// are about 250 lines, the library is a large dependency (and package
// init) for every hull command.
package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Conn is a NETLINK_ROUTE socket in one network namespace.
type Conn struct {
	fd  int
	seq uint32
}

// Dial opens a socket in the caller's network namespace.
func Dial() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind netlink socket: %w", err)
	}
	return &Conn{fd: fd}, nil
}

// DialIn opens a socket in the network namespace of ns: a socket stays in
// the namespace it was made in, so one thread enters ns just to make it.
// Should that thread fail to return to its namespace it is never unlocked,
// and Go ends it with its goroutine.
func DialIn(ns *os.File) (*Conn, error) {
	type result struct {
		c   *Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{nil, fmt.Errorf("open own network namespace: %w", err)}
			return
		}
		defer home.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- result{nil, fmt.Errorf("enter network namespace: %w", err)}
			return
		}
		c, err := Dial()
		if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
			if c != nil {
				c.Close()
			}
			ch <- result{nil, fmt.Errorf("return to own network namespace: %w", err)}
			return // the thread stays locked and dies
		}
		runtime.UnlockOSThread()
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// Link is what hull needs to know of a network device.
type Link struct {
	Index int32
	Name  string
	Flags uint32
}

// Addr is an interface address.
type Addr struct {
	Family    uint8
	PrefixLen uint8
	Flags     uint32
	Scope     uint8
	Local     net.IP
	Address   net.IP
}

// LinkByName looks a device up by name.
func (c *Conn) LinkByName(name string) (Link, error) {
	msgs, err := c.request(unix.RTM_GETLINK, 0, ifinfo(0, 0, 0), attr(unix.IFLA_IFNAME, cstring(name)))
	if err != nil {
		return Link{}, err
	}
	return parseLink(msgs)
}

// LinkByIndex looks a device up by index.
func (c *Conn) LinkByIndex(index int32) (Link, error) {
	msgs, err := c.request(unix.RTM_GETLINK, 0, ifinfo(index, 0, 0))
	if err != nil {
		return Link{}, err
	}
	return parseLink(msgs)
}

// SetUp sets the device up (up=true) or down.
func (c *Conn) SetUp(index int32, up bool) error {
	var flags uint32
	if up {
		flags = unix.IFF_UP
	}
	_, err := c.request(unix.RTM_NEWLINK, unix.NLM_F_ACK, ifinfo(index, flags, unix.IFF_UP))
	return err
}

// MoveTo renames the device to name and moves it into the network
// namespace of nsFd, in one request (so the new name never clashes in
// the old namespace).
func (c *Conn) MoveTo(index int32, name string, nsFd int) error {
	fd := binary.NativeEndian.AppendUint32(nil, uint32(nsFd))
	_, err := c.request(unix.RTM_NEWLINK, unix.NLM_F_ACK, ifinfo(index, 0, 0),
		attr(unix.IFLA_IFNAME, cstring(name)), attr(unix.IFLA_NET_NS_FD, fd))
	return err
}

// Addrs lists the addresses of a device, of every family.
func (c *Conn) Addrs(index int32) ([]Addr, error) {
	msgs, err := c.request(unix.RTM_GETADDR, unix.NLM_F_DUMP, make([]byte, unix.SizeofIfAddrmsg))
	if err != nil {
		return nil, err
	}
	var addrs []Addr
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		if int32(binary.NativeEndian.Uint32(m.Data[4:8])) != index {
			continue
		}
		a := Addr{Family: m.Data[0], PrefixLen: m.Data[1], Flags: uint32(m.Data[2]), Scope: m.Data[3]}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, fmt.Errorf("parse address: %w", err)
		}
		for _, at := range attrs {
			switch at.Attr.Type {
			case unix.IFA_LOCAL:
				a.Local = net.IP(at.Value)
			case unix.IFA_ADDRESS:
				a.Address = net.IP(at.Value)
			case unix.IFA_FLAGS:
				if len(at.Value) >= 4 {
					a.Flags = binary.NativeEndian.Uint32(at.Value)
				}
			}
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// AddAddr adds an address (with its peer address, and the broadcast
// address of an IPv4 prefix shorter than /31) to a device.
func (c *Conn) AddAddr(index int32, a Addr) error {
	msg := []byte{a.Family, a.PrefixLen, 0, a.Scope}
	msg = binary.NativeEndian.AppendUint32(msg, uint32(index))
	local, peer := a.Local, a.Address
	if local == nil {
		local = peer
	}
	if peer == nil {
		peer = local
	}
	attrs := [][]byte{attr(unix.IFA_LOCAL, family(local, a.Family)), attr(unix.IFA_ADDRESS, family(peer, a.Family))}
	if a.Family == unix.AF_INET && a.PrefixLen < 31 && local.Equal(peer) {
		ip := local.To4()
		mask := net.CIDRMask(int(a.PrefixLen), 32)
		brd := make(net.IP, 4)
		for i := range brd {
			brd[i] = ip[i] | ^mask[i]
		}
		attrs = append(attrs, attr(unix.IFA_BROADCAST, brd))
	}
	if a.Flags > 0xff {
		attrs = append(attrs, attr(unix.IFA_FLAGS, binary.NativeEndian.AppendUint32(nil, a.Flags)))
	} else {
		msg[2] = uint8(a.Flags)
	}
	_, err := c.request(unix.RTM_NEWADDR, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL, msg, attrs...)
	return err
}

func family(ip net.IP, fam uint8) []byte {
	if fam == unix.AF_INET {
		return ip.To4()
	}
	return ip.To16()
}

func ifinfo(index int32, flags, change uint32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	binary.NativeEndian.PutUint32(b[8:], flags)
	binary.NativeEndian.PutUint32(b[12:], change)
	return b
}

func cstring(s string) []byte { return append([]byte(s), 0) }

func attr(typ uint16, value []byte) []byte {
	n := unix.SizeofRtAttr + len(value)
	b := make([]byte, 4, nlAlign(n))
	binary.NativeEndian.PutUint16(b[0:], uint16(n))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, value...)
	return append(b, make([]byte, nlAlign(n)-n)...)
}

func nlAlign(n int) int { return (n + 3) &^ 3 }

func parseLink(msgs []syscall.NetlinkMessage) (Link, error) {
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		l := Link{
			Index: int32(binary.NativeEndian.Uint32(m.Data[4:8])),
			Flags: binary.NativeEndian.Uint32(m.Data[8:12]),
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return Link{}, fmt.Errorf("parse link: %w", err)
		}
		for _, at := range attrs {
			if at.Attr.Type == unix.IFLA_IFNAME {
				l.Name = string(trimNUL(at.Value))
			}
		}
		return l, nil
	}
	return Link{}, errors.New("no link in the answer")
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// request sends one message and collects the answer: the messages of a
// dump up to NLMSG_DONE, or the reply (and the ack, when asked for).
func (c *Conn) request(typ uint16, flags uint16, body []byte, attrs ...[]byte) ([]syscall.NetlinkMessage, error) {
	c.seq++
	msg := make([]byte, unix.SizeofNlMsghdr, 256)
	msg = append(msg, body...)
	for _, a := range attrs {
		msg = append(msg, a...)
	}
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|flags)
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("send netlink request: %w", err)
	}
	var out []syscall.NetlinkMessage
	for {
		// A fresh buffer for each datagram: the parsed messages point
		// into it and are kept across reads. A dump can span several
		// datagrams (6.1 ends one after each address family), and a
		// reused buffer would overwrite the earlier ones.
		buf := make([]byte, 65536)
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil {
			return nil, fmt.Errorf("receive netlink answer: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("parse netlink answer: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != c.seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return nil, errors.New("short netlink error")
				}
				if errno := -int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
					return nil, syscall.Errno(errno)
				}
				return out, nil // the ack
			}
			out = append(out, m)
			if flags&unix.NLM_F_DUMP == 0 && flags&unix.NLM_F_ACK == 0 {
				return out, nil
			}
		}
	}
}

package libcontainer

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/specconv"
)

// warnCapabilities says, as runc does, which capability names are ignored
// (unknown to hull) and which ambient capabilities the kernel will refuse
// to raise: PR_CAP_AMBIENT_RAISE needs the capability in both the
// permitted and the inheritable set, and the executor skips the others.
func warnCapabilities(c *specs.LinuxCapabilities) {
	if c == nil {
		return
	}
	if unknown := specconv.UnknownCapabilities(c); len(unknown) > 0 {
		logrus.Warn("ignoring unknown or unavailable capabilities: [" + strings.Join(unknown, " ") + "]")
	}
	raisable := capMask(c.Permitted) & capMask(c.Inheritable)
	for _, name := range c.Ambient {
		if n, ok := specconv.CapabilityNumber(name); ok && raisable&(1<<n) == 0 {
			logrus.Warnf("can't raise ambient capability %s: operation not permitted", name)
		}
	}
}

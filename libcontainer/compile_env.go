package libcontainer

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/internal/passwd"
)

// withHome returns env with HOME set as runc sets it: when env has no
// HOME, or only an empty one, the empty entries are dropped and HOME is
// the home of uid in the container's /etc/passwd (read by home), or `/`
// without an entry.
func withHome(env []string, uid uint32, home func(uint32) (string, error)) []string {
	hasHome := false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "HOME="); ok && v != "" {
			hasHome = true
		}
	}
	if hasHome {
		return env
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if kv != "HOME=" {
			out = append(out, kv)
		}
	}
	dir, err := home(uid)
	if err != nil {
		logrus.Debugf("HOME not set in process.env, and the home of uid %d is unknown: %v", uid, err)
	}
	return append(out, "HOME="+dir)
}

// homeOf finds uid's home in the /etc/passwd the process will see. An
// exec reads it through the init's root, mounts included. The init's is
// read before its mounts are made, so the ones that change /etc/passwd
// are followed here (runc reads the file inside the finished container):
// a masked file or /etc has no entries, a bind mount's source is read,
// another file system mounted there is empty.
func (c *compiler) homeOf(uid uint32) (string, error) {
	if !c.init {
		return passwd.HomeOf(c.userRoot, uid)
	}
	for _, p := range c.spec.Linux.MaskedPaths {
		if p := path.Clean(p); p == "/etc/passwd" || p == "/etc" {
			return passwd.DefaultHome, fmt.Errorf("%s is masked", p)
		}
	}
	for i := len(c.spec.Mounts) - 1; i >= 0; i-- {
		m := c.spec.Mounts[i]
		dest := path.Clean("/" + m.Destination)
		if dest != "/etc/passwd" && dest != "/etc" && dest != "/" {
			continue
		}
		if dest == "/etc" && slices.Contains(m.Options, "tmpcopyup") {
			continue // a copy of what it covers
		}
		if dest == "/" || !isBindMount(m) {
			return passwd.DefaultHome, fmt.Errorf("a %s file system is mounted on %s", m.Type, dest)
		}
		if dest == "/etc" {
			return passwd.HomeAt(m.Source, "passwd", uid)
		}
		return passwd.HomeAt(filepath.Dir(m.Source), filepath.Base(m.Source), uid)
	}
	return passwd.HomeOf(c.userRoot, uid)
}

package libcontainer

import (
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/internal/passwd"
)

// withHome returns env with HOME set as runc sets it: when env has no
// HOME, or only an empty one, the empty entries are dropped and HOME is
// the home of uid in the container's /etc/passwd (read from root, a host
// path of the container's root), or `/` without an entry.
func withHome(env []string, uid uint32, root string) []string {
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
	home, err := passwd.HomeOf(root, uid)
	if err != nil {
		logrus.Debugf("HOME not set in process.env, and the home of uid %d is unknown: %v", uid, err)
	}
	return append(out, "HOME="+home)
}

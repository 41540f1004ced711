package libcontainer

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/libcontainer/program"
)

// runtimeEnviron is the environment of in-container hooks without env:
// the runtime's own, like the hooks it runs itself (a variable so that
// the golden tests do not depend on the test's environment).
var runtimeEnviron = os.Environ

// pidSentinel stands for the pid in the state text of an in-container
// hook; the executor writes its own pid there.
const pidSentinel = 987654321

// statePid splits the state hooks get on stdin around its pid.
func (c *compiler) statePid(status specs.ContainerState) (before, after string, err error) {
	state := specs.State{Version: specs.Version, ID: c.opts.ID, Status: status, Pid: pidSentinel,
		Bundle: c.plan.Bundle, Annotations: c.spec.Annotations}
	data, err := json.Marshal(state)
	if err != nil {
		return "", "", fmt.Errorf("encode state for hooks: %w", err)
	}
	before, after, ok := strings.Cut(string(data), strconv.Itoa(pidSentinel))
	if !ok {
		return "", "", fmt.Errorf("encode state for hooks: no pid in %s", data)
	}
	return before, after, nil
}

// inContainerHooks emits the hooks of kind that the init runs itself, in
// the container's namespaces, as runc runs them: createContainer before
// pivot_root with the rootfs as cwd, startContainer after the start
// signal, just before the user's process (its cwd). The state's pid is
// the init's own, as seen inside (runc's getpid()). A hook without env
// gets defaultEnv. report, when not nil, is where a failure is written
// for the start command, which nobody else listens to by then.
func (c *compiler) inContainerHooks(kind string, hooks []specs.Hook, status specs.ContainerState,
	inRoot bool, defaultEnv []string, report *os.File) error {
	if len(hooks) == 0 {
		return nil
	}
	before, after, err := c.statePid(status)
	if err != nil {
		return err
	}
	var reportIdx uint64
	if report != nil {
		reportIdx = c.prog.AddFile(report, "startContainer hook report") + 1
	}
	for i, h := range hooks {
		args := h.Args
		if len(args) == 0 {
			args = []string{h.Path}
		}
		env := h.Env
		if env == nil {
			env = defaultEnv
		}
		var timeout uint64
		if h.Timeout != nil {
			timeout = uint64(*h.Timeout)
		}
		strs := append([]string{kind, h.Path, before, after}, args...)
		strs = append(strs, env...)
		c.add(fmt.Sprintf("hooks.%s[%d] (%s)", kind, i, h.Path), program.OpRunHook,
			[]uint64{timeout, uint64(len(args)), uint64(len(env)), boolInt(inRoot), reportIdx, uint64(i)}, strs...)
	}
	return nil
}

package libcontainer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hookPhase names one list of OCI hooks, in the words of config.json.
type hookPhase string

const (
	phasePrestart        hookPhase = "prestart"
	phaseCreateRuntime   hookPhase = "createRuntime"
	phaseCreateContainer hookPhase = "createContainer"
	phasePoststart       hookPhase = "poststart"
	phasePoststop        hookPhase = "poststop"
)

// hooksOf returns the hooks of one phase (prestart is deprecated by the
// spec but still run, as runc does).
func hooksOf(h *specs.Hooks, phase hookPhase) []specs.Hook {
	if h == nil {
		return nil
	}
	switch phase {
	case phasePrestart:
		//lint:ignore SA1019 deprecated by the spec but still honoured, as runc does
		return h.Prestart
	case phaseCreateRuntime:
		return h.CreateRuntime
	case phaseCreateContainer:
		return h.CreateContainer
	case phasePoststart:
		return h.Poststart
	case phasePoststop:
		return h.Poststop
	}
	return nil
}

// runHooks runs the hooks of each phase in order, stopping at the first
// failure. Each hook gets the container state as JSON on stdin.
func runHooks(spec *specs.Spec, state specs.State, phases ...hookPhase) error {
	return eachHook(spec, state, phases, func(err error) error { return err })
}

// runHooksWarning runs every hook of phase even when some fail, reporting
// each failure to warn: what the spec asks for poststop hooks.
func runHooksWarning(spec *specs.Spec, state specs.State, phase hookPhase, warn func(error)) {
	eachHook(spec, state, []hookPhase{phase}, func(err error) error {
		warn(err)
		return nil
	})
}

// eachHook runs the hooks of phases in order; onError decides whether a
// failure stops the run (returns it) or not (returns nil).
func eachHook(spec *specs.Spec, state specs.State, phases []hookPhase, onError func(error) error) error {
	if spec == nil || spec.Hooks == nil {
		return nil
	}
	var stdin []byte
	for _, phase := range phases {
		for i, h := range hooksOf(spec.Hooks, phase) {
			if stdin == nil {
				data, err := json.Marshal(state)
				if err != nil {
					return fmt.Errorf("encode state for hooks: %w", err)
				}
				stdin = data
			}
			if err := runHook(h, stdin, state.Bundle); err != nil {
				// runc's words after hull's field name: tools match them.
				err = fmt.Errorf("hooks.%s[%d] (%s): error running %s hook #%d: %w", phase, i, h.Path, phase, i, err)
				if err := onError(err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// runHook runs one hook as the spec says: path is the binary, args its
// full argv (args[0] included), env its whole environment (the runtime's
// when absent), timeout in seconds.
//
// It runs in dir, the bundle, as runc's hooks do (runc works from the
// bundle directory): a hook may name files relative to it.
func runHook(h specs.Hook, stdin []byte, dir string) error {
	ctx := context.Background()
	if h.Timeout != nil {
		if *h.Timeout <= 0 {
			return fmt.Errorf("check timeout: must be positive, got %d", *h.Timeout)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	cmd.Args = h.Args
	if len(cmd.Args) == 0 {
		cmd.Args = []string{h.Path}
	}
	// A hook without "env" gets the runtime's own environment, as with
	// runc: hooks that engines and toolkits install without one (GPU
	// prestart hooks, for example) rely on PATH. An empty "env": [] is
	// an empty environment.
	cmd.Env = h.Env
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Do not wait for grandchildren that inherited the output pipe.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %ds", *h.Timeout)
	}
	if err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}

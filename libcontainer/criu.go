package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	criu "github.com/checkpoint-restore/go-criu/v8"
	"github.com/checkpoint-restore/go-criu/v8/rpc"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// CriuOptions are the choices of `hull checkpoint` and `hull restore`
// (runc's flags of the same names). CRIU itself does the work, through
// its RPC (`criu swrk`) over a socketpair.
type CriuOptions struct {
	// CriuPath is the criu binary (the global --criu); "" means "criu".
	CriuPath string
	// ImagePath is the directory of the image files (made if missing).
	ImagePath string
	// WorkPath, if set, gets CRIU's log and work files instead of ImagePath.
	WorkPath string
	// ParentPath is a previous (pre-)dump's directory, relative to
	// ImagePath: only the memory changed since then is dumped.
	ParentPath string
	// LeaveRunning keeps the container running after the dump.
	LeaveRunning bool
	// PreDump dumps only the memory and leaves the container running.
	PreDump         bool
	TCPEstablished  bool
	TCPSkipInFlight bool
	LinkRemap       bool
	ExtUnixSk       bool
	ShellJob        bool
	FileLocks       bool
	AutoDedup       bool
	LazyPages       bool
	// StatusFd, if >= 0, gets a \0 once the lazy-pages server is ready.
	StatusFd int
	// PageServer sends the memory to a `criu page-server` (host and port).
	PageServerAddress string
	PageServerPort    int32
	// ManageCgroupsMode is soft, full, strict, ignore or "" (CRIU's default).
	ManageCgroupsMode string
	// EmptyNs are CLONE_NEW* flags of namespaces CRIU creates without
	// restoring their contents (runc always includes the network's).
	EmptyNs uint32
	// LsmProfile and LsmMountContext override the checkpointed ones on restore.
	LsmProfile      string
	LsmMountContext string
}

func (o *CriuOptions) criuPath() string {
	if o.CriuPath == "" {
		return "criu"
	}
	return o.CriuPath
}

// criuMinVersion is the first CRIU with the VERSION RPC, as in runc.
const criuMinVersion = 30000

// criuVersion finds CRIU and asks its version over RPC. Every failure
// names CRIU and why, so that an operation fails before it touches the
// container.
func criuVersion(path string) (int, error) {
	bin, err := exec.LookPath(path)
	if err != nil {
		return 0, fmt.Errorf("CRIU is needed and %q was not found (install criu, or name it with --criu): %w", path, err)
	}
	c := criu.MakeCriu()
	c.SetCriuPath(bin)
	v, err := c.GetCriuVersion()
	if err != nil {
		return 0, explainCriu(bin, fmt.Errorf("ask CRIU (%s) for its version: %w", bin, err))
	}
	if v < criuMinVersion {
		return 0, fmt.Errorf("CRIU (%s) is version %d; checkpoint and restore need at least %d", bin, v, criuMinVersion)
	}
	return v, nil
}

// explainCriu adds why CRIU does not work here, when `criu check` says
// so (Debian's CRIU 3.17 on a 6.18 kernel fails its kernel feature
// detection), to err.
func explainCriu(bin string, err error) error {
	out, cerr := exec.Command(bin, "check").CombinedOutput()
	if cerr == nil {
		return err
	}
	why := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(why, '\n'); i >= 0 {
		why = why[i+1:]
	}
	return fmt.Errorf("%w; CRIU does not work on this kernel: `criu check` failed: %s", err, why)
}

// criuCgMode maps --manage-cgroups-mode to CRIU's enum.
func criuCgMode(mode string) (rpc.CriuCgMode, error) {
	switch mode {
	case "":
		return rpc.CriuCgMode_DEFAULT, nil
	case "soft":
		return rpc.CriuCgMode_SOFT, nil
	case "full":
		return rpc.CriuCgMode_FULL, nil
	case "strict":
		return rpc.CriuCgMode_STRICT, nil
	case "ignore":
		return rpc.CriuCgMode_IGNORE, nil
	}
	return 0, fmt.Errorf("invalid --manage-cgroups-mode value %q (want soft, full, strict or ignore)", mode)
}

// criuConfigAnnotation names a CRIU configuration file for the container
// (runc's annotation); set but empty, none is used.
const criuConfigAnnotation = "org.criu.config"

// defaultCriuConfig is the configuration file CRIU reads for runc's
// containers; hull reads the same, being a drop-in replacement.
const defaultCriuConfig = "/etc/criu/runc.conf"

func criuConfigFile(annotations map[string]string) *string {
	if file, ok := annotations[criuConfigAnnotation]; ok {
		if file == "" {
			return nil
		}
		return new(file)
	}
	return new(defaultCriuConfig)
}

// swrk is one `criu swrk` session: the request, what to hand CRIU, and
// what to do at its notifications.
type swrk struct {
	bin string
	req *rpc.CriuReq
	// stdio are CRIU's fds 0-2 (a restored process can inherit them);
	// nil is /dev/null.
	stdio [3]*os.File
	// extra are CRIU's fds 4, 5, ... (3 is the RPC socket).
	extra []*os.File
	// started runs once CRIU runs, before the request is sent (a restore
	// puts CRIU in the container's cgroup there).
	started func(pid int) error
	// notify answers one notification; file is an fd CRIU sent with it.
	notify func(script string, pid int32, file *os.File) error
}

// run starts CRIU, sends the request, answers its notifications and
// returns its final answer.
func (s *swrk) run() (*rpc.CriuResp, error) {
	fds, err := unix.Socketpair(unix.AF_LOCAL, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("make CRIU's socket pair: %w", err)
	}
	client := os.NewFile(uintptr(fds[0]), "criu-client")
	defer client.Close()
	server := os.NewFile(uintptr(fds[1]), "criu-server")
	cmd := exec.Command(s.bin, "swrk", "3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.stdio[0], s.stdio[1], s.stdio[2]
	cmd.ExtraFiles = append([]*os.File{server}, s.extra...)
	err = cmd.Start()
	// Ours closed, CRIU's end is its only one: its death is our EOF.
	server.Close()
	if err != nil {
		return nil, fmt.Errorf("start CRIU (%s swrk): %w", s.bin, err)
	}
	waited := false
	defer func() {
		if !waited {
			client.Close()
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	if s.started != nil {
		if err := s.started(cmd.Process.Pid); err != nil {
			return nil, err
		}
	}
	reqType := s.req.GetType()
	if err := s.send(client, s.req); err != nil {
		return nil, err
	}
	var resp *rpc.CriuResp
	for {
		var file *os.File
		resp, file, err = s.receive(client)
		if err != nil {
			return nil, err
		}
		if !resp.GetSuccess() {
			if file != nil {
				file.Close()
			}
			// CRIU's message is its first error line; criuLogError
			// adds the last one, which says what failed.
			msg, _, _ := strings.Cut(strings.TrimSpace(resp.GetCrErrmsg()), "\n")
			if msg == "" {
				return nil, fmt.Errorf("CRIU failed: %s: errno %d", resp.GetType(), resp.GetCrErrno())
			}
			return nil, fmt.Errorf("CRIU failed: %s: %s", resp.GetType(), msg)
		}
		if resp.GetType() != rpc.CriuReqType_NOTIFY {
			if resp.GetType() != reqType {
				return nil, fmt.Errorf("CRIU answered %s to %s", resp.GetType(), reqType)
			}
			break
		}
		n := resp.GetNotify()
		logrus.Debugf("criu: notify %s pid %d", n.GetScript(), n.GetPid())
		if s.notify != nil {
			err = s.notify(n.GetScript(), n.GetPid(), file)
		} else if file != nil {
			file.Close()
		}
		if err != nil {
			return nil, err
		}
		t := rpc.CriuReqType_NOTIFY
		if err := s.send(client, &rpc.CriuReq{Type: &t, NotifySuccess: new(true)}); err != nil {
			return nil, err
		}
	}
	// A pre-dump's CRIU waits for the next request: the hang-up ends it,
	// and its exit status says nothing.
	client.Close()
	waited = true
	if err := cmd.Wait(); err != nil && reqType != rpc.CriuReqType_PRE_DUMP {
		return nil, fmt.Errorf("CRIU (%s swrk): %w", s.bin, err)
	}
	return resp, nil
}

func (s *swrk) send(sock *os.File, req *rpc.CriuReq) error {
	data, err := req.MarshalVT()
	if err != nil {
		return fmt.Errorf("encode CRIU request: %w", err)
	}
	if _, err := unix.Write(int(sock.Fd()), data); err != nil {
		return fmt.Errorf("send CRIU request: %w", err)
	}
	return nil
}

// receive reads one answer and the fd that may come with it (the pty
// master of an orphan-pts-master notification).
func (s *swrk) receive(sock *os.File) (*rpc.CriuResp, *os.File, error) {
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, nil, fmt.Errorf("receive from CRIU: %w", err)
	}
	if n == 0 {
		return nil, nil, errors.New("receive from CRIU: it hung up without an answer (see its log)")
	}
	var file *os.File
	if oobn > 0 {
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				fds, err := unix.ParseUnixRights(&m)
				if err != nil {
					continue
				}
				for _, fd := range fds {
					if file == nil {
						file = os.NewFile(uintptr(fd), "criu-fd")
					} else {
						unix.Close(fd)
					}
				}
			}
		}
	}
	resp := &rpc.CriuResp{}
	if err := resp.UnmarshalVT(buf[:n]); err != nil {
		if file != nil {
			file.Close()
		}
		return nil, nil, fmt.Errorf("decode CRIU answer: %w", err)
	}
	return resp, file, nil
}

// criuFeatures asks CRIU whether it has the features want sets, and names
// the first it lacks (they depend on the kernel, not on CRIU's version).
func criuFeatures(bin string, want *rpc.CriuFeatures, why string) error {
	t := rpc.CriuReqType_FEATURE_CHECK
	resp, err := (&swrk{bin: bin, req: &rpc.CriuReq{Type: &t, Features: want}}).run()
	if err != nil {
		return fmt.Errorf("ask CRIU (%s) for its features: %w", bin, err)
	}
	have := resp.GetFeatures()
	switch {
	case want.GetMemTrack() && !have.GetMemTrack():
		return fmt.Errorf("%s needs CRIU's memory tracking, which this kernel lacks (soft-dirty bits)", why)
	case want.GetLazyPages() && !have.GetLazyPages():
		return fmt.Errorf("%s needs CRIU's lazy pages, which this kernel lacks (userfaultfd)", why)
	}
	return nil
}

// criuLogError points err at CRIU's log, where the whole story is (its
// answer carries only the first error line).
func criuLogError(err error, dir, file string) error {
	path := filepath.Join(dir, file)
	if _, serr := os.Stat(path); serr != nil {
		return err
	}
	return fmt.Errorf("%w (log: %s)", err, path)
}

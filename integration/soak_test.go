//go:build soak

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hullrt/hull/internal/testbundle"
)

// TestSoak (make soak; build tag soak) runs SOAK_SEQUENTIAL containers one
// after the other (default 1000), SOAK_CONCURRENT at once (default 100),
// and exec and pause/resume churn on one long-lived container, then
// checks that nothing leaked and prints the count of each kind: fds of
// hull's processes (a foreground `run` measured before and after, and the
// container init's), mounts, cgroups, zombies, state directories,
// processes.
func TestSoak(t *testing.T) {
	sequential, concurrent := envInt(t, "SOAK_SEQUENTIAL", 1000), envInt(t, "SOAK_CONCURRENT", 100)
	rt := newRuntime(t)
	quick := testbundle.New(t, testSpec(t, rt, "true"))
	sleeper := testbundle.New(t, testSpec(t, rt, "sleep", "1000"))
	prefix := "soak-" + strconv.Itoa(os.Getpid())
	fdsBefore := hullRunFds(t, rt, sleeper, prefix+"-fds-before")
	start := time.Now()

	for i := 0; i < sequential; i++ {
		mustSucceed(t, rt.run("run", "--bundle", quick, fmt.Sprintf("%s-seq-%d", prefix, i)))
	}
	t.Logf("%d sequential runs: %s", sequential, time.Since(start).Round(time.Second))

	mark := time.Now()
	var wg sync.WaitGroup
	failures := make(chan string, concurrent)
	for i := 0; i < concurrent; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := rt.command("run", "--bundle", quick, fmt.Sprintf("%s-conc-%d", prefix, i))
			if out, err := cmd.CombinedOutput(); err != nil {
				failures <- fmt.Sprintf("run %d: %v: %s", i, err, out)
			}
		}(i)
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	t.Logf("%d concurrent runs: %s", concurrent, time.Since(mark).Round(time.Second))

	mark = time.Now()
	long := &container{rt: rt, id: prefix + "-churn", bundle: sleeper}
	t.Cleanup(long.forceDelete)
	mustSucceed(t, long.create())
	mustSucceed(t, long.start())
	for i := 0; i < 100; i++ {
		mustSucceed(t, long.exec(nil, "true"))
		if i%2 == 0 {
			mustSucceed(t, rt.run("pause", long.id))
			mustSucceed(t, rt.run("resume", long.id))
		}
	}
	initFds := strings.Fields(mustSucceed(t, long.exec(nil, "ls", "/proc/1/fd")).stdout)
	mustSucceed(t, long.delete("--force"))
	t.Logf("100 execs and 50 pause/resume cycles: %s", time.Since(mark).Round(time.Second))

	fdsAfter := hullRunFds(t, rt, sleeper, prefix+"-fds-after")
	leaks := map[string]int{
		"fds of hull run":              fdsAfter - fdsBefore,
		"fds of the init beyond stdio": len(initFds) - 3,
		"mounts":                       countMatching(readFile(t, "/proc/self/mountinfo"), rt.root, quick, sleeper),
		"cgroups":                      len(cgroupsNamed(prefix + "-*")),
		"zombies":                      len(zombieChildren()),
		"state dirs":                   len(dirEntries(rt.root)),
		"processes":                    len(processesMentioning(rt.root, quick, sleeper)) + len(processesHolding(rt.root, quick, sleeper)),
	}
	total := 0
	for _, kind := range []string{"fds of hull run", "fds of the init beyond stdio", "mounts", "cgroups", "zombies", "state dirs", "processes"} {
		fmt.Printf("soak: leaked %s: %d\n", kind, leaks[kind])
		total += leaks[kind]
	}
	fmt.Printf("soak: %d sequential + %d concurrent containers, exec and pause/resume churn in %s\n",
		sequential, concurrent, time.Since(start).Round(time.Second))
	if total != 0 {
		t.Errorf("leaks: %v (init fds %v)", leaks, initFds)
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// hullRunFds starts a foreground `run` of bundle and counts the fds of the
// hull process while its container runs.
func hullRunFds(t *testing.T, rt *runtime, bundle, id string) int {
	t.Helper()
	cmd := rt.command("run", "--bundle", bundle, id)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := startWaiting(cmd)
	c := &container{rt: rt, id: id, bundle: bundle}
	t.Cleanup(c.forceDelete)
	waitFor(t, id+" running", func() bool {
		res := rt.run("state", id)
		return res.code == 0 && strings.Contains(res.stdout, `"running"`)
	})
	n := len(dirEntries(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "fd")))
	mustSucceed(t, c.delete("--force"))
	<-done
	return n
}

func dirEntries(dir string) []os.DirEntry {
	entries, _ := os.ReadDir(dir)
	return entries
}

func countMatching(text string, subs ...string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) {
				n++
				break
			}
		}
	}
	return n
}

// zombieChildren lists this process's children that exited unreaped:
// every hull command was its child, and a foreground run reaps its own.
func zombieChildren() []string {
	var z []string
	self := strconv.Itoa(os.Getpid())
	for _, e := range dirEntries("/proc") {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 1 && f[0] == "Z" && f[1] == self {
			z = append(z, e.Name())
		}
	}
	return z
}

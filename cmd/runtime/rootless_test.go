package main

import (
	"errors"
	"testing"
)

// The cases are runc's (rootless_linux.go and main.go): who gets a state
// root under $XDG_RUNTIME_DIR and rootless cgroups.
func TestRootlessDecisions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       rootlessEnv
		flag      string
		systemd   bool
		root      string
		cgroups   bool
		wantError bool
	}{
		{name: "real root", env: rootlessEnv{euid: 0, xdgRuntimeDir: "/run/user/0", user: "root", userSet: true},
			flag: "auto", root: "/run/hull", cgroups: false},
		{name: "real root, no XDG", env: rootlessEnv{euid: 0}, flag: "auto", root: "/run/hull"},
		{name: "unprivileged user", env: rootlessEnv{euid: 1000, xdgRuntimeDir: "/run/user/1000", user: "alice", userSet: true},
			flag: "auto", root: "/run/user/1000/hull", cgroups: true},
		{name: "unprivileged user, no XDG", env: rootlessEnv{euid: 1000}, flag: "auto", root: "/run/hull", cgroups: true},
		{name: "uid 0 in a user namespace (podman)", env: rootlessEnv{euid: 0, inUserNS: true, xdgRuntimeDir: "/run/user/1000", user: "alice", userSet: true},
			flag: "auto", root: "/run/user/1000/hull", cgroups: true},
		{name: "uid 0 in a user namespace, USER unset", env: rootlessEnv{euid: 0, inUserNS: true, xdgRuntimeDir: "/run/user/1000"},
			flag: "auto", root: "/run/user/1000/hull", cgroups: true},
		{name: "uid 0 in a user namespace, USER=root", env: rootlessEnv{euid: 0, inUserNS: true, xdgRuntimeDir: "/run/user/0", user: "root", userSet: true},
			flag: "auto", root: "/run/hull", cgroups: true},
		{name: "uid 0 in a user namespace, no XDG", env: rootlessEnv{euid: 0, inUserNS: true},
			flag: "", root: "/run/hull", cgroups: true},
		{name: "uid 0 in a user namespace, systemd unknown", env: rootlessEnv{euid: 0, inUserNS: true,
			systemdOwner: func() (int, error) { return -1, errors.New("no bus") }},
			flag: "auto", systemd: true, root: "/run/hull", cgroups: false},
		{name: "uid 0 in a user namespace, the user's systemd", env: rootlessEnv{euid: 0, inUserNS: true,
			systemdOwner: func() (int, error) { return 1000, nil }},
			flag: "auto", systemd: true, root: "/run/hull", cgroups: true},
		{name: "uid 0 in a user namespace, a rootful systemd", env: rootlessEnv{euid: 0, inUserNS: true,
			systemdOwner: func() (int, error) { return 0, nil }},
			flag: "auto", systemd: true, root: "/run/hull", cgroups: false},
		{name: "--rootless true as root", env: rootlessEnv{euid: 0}, flag: "true", root: "/run/hull", cgroups: true},
		{name: "--rootless false unprivileged", env: rootlessEnv{euid: 1000}, flag: "false", root: "/run/hull", cgroups: false},
		{name: "--rootless false in a user namespace", env: rootlessEnv{euid: 0, inUserNS: true}, flag: "false", root: "/run/hull", cgroups: false},
		{name: "--rootless bogus", env: rootlessEnv{euid: 1000}, flag: "maybe", root: "/run/hull", wantError: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, xdg := tc.env.stateRoot()
			if root != tc.root || xdg != (root != "/run/hull") {
				t.Errorf("stateRoot() = %q, %v; want %q", root, xdg, tc.root)
			}
			got, err := tc.env.rootlessCgroups(tc.flag, tc.systemd)
			if tc.wantError {
				if err == nil {
					t.Errorf("rootlessCgroups(%q) accepted", tc.flag)
				}
				return
			}
			if err != nil || got != tc.cgroups {
				t.Errorf("rootlessCgroups(%q) = %v, %v; want %v", tc.flag, got, err, tc.cgroups)
			}
		})
	}
}

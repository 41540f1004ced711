#!/bin/bash
# Runs hull under Kubernetes' Container Runtime Interface: containerd's CRI
# plugin with two runtime handlers, "hull" and "runc" (the runc shim v2,
# BinaryName hull or runc), driven by crictl and then by critest, the CRI
# validation suite, and prints hull's results next to runc's.
#
# Usage: integration/engines/cri.sh HULL_BINARY [RUNC_BINARY]
#
# crictl and critest come from sigs.k8s.io/cri-tools (CRI_TOOLS_VERSION),
# built once from the Go module proxy into ~/.cache/hull. A private
# containerd runs on a unix socket in a temp dir (own root and state; pod
# networks by the ptp CNI plugin with host-local addresses kept in the temp
# dir) and is stopped by pid at the end; the trap removes its pods, shims,
# mounts, cgroups, network namespaces and dirs even when a step fails.
# Images (busybox with every applet hard-linked, pgrep and ipcs as small
# scripts, and a pause image from the same layer)
# are built from the host's static busybox and imported: no registry.
#
# CRITEST_FOCUS / CRITEST_SKIP: ginkgo regexps for critest (defaults below:
# the runtime's specs that need no registry). CRI_SCENARIOS="..." runs some
# crictl scenarios only; CRITEST=0 skips critest.
# Exit status: 1 if hull fails a scenario or a spec runc passes, else 0.
set -u
. "$(dirname "$0")/lib.sh"

CRI_TOOLS_VERSION=${CRI_TOOLS_VERSION:-v1.34.0}
CRITEST=${CRITEST:-1}
# The runtime's own specs: containers, pods, exec/attach, security context,
# seccomp, streaming. Left out: what pulls images from a registry, image
# management, networking and port-forward through a web server image,
# AppArmor (not on this host) and benchmarks.
CRITEST_FOCUS=${CRITEST_FOCUS:-'\[k8s\.io\] (Container|PodSandbox|Security Context|Streaming)'}
# Also left out: the specs that pull their own image from a registry
# (HostPID, PodPID, ContainerPID, NoNewPrivs, image-defined users).
CRITEST_SKIP=${CRITEST_SKIP:-'[Pp]ull|public image|registry|digest|port ?forward|DNS|web server|Networking|[Aa]pp[Aa]rmor|SELinux|Benchmark|support HostPID|support PodPID|support ContainerPID|NoNewPrivs|image-specified user|image specified user'}

init_engine "${1:-}" "${2:-/usr/sbin/runc}" containerd runc busybox-static containernetworking-plugins
CNI_BIN=/usr/lib/cni
[ -x "$CNI_BIN/ptp" ] || die "no ptp CNI plugin in $CNI_BIN"

# ---- crictl and critest, built once ----
TOOLS=${XDG_CACHE_HOME:-$HOME/.cache}/hull/cri-tools-$CRI_TOOLS_VERSION
build_cri_tools() {
	[ -x "$TOOLS/crictl" ] && [ -x "$TOOLS/critest" ] && return 0
	echo "building crictl and critest $CRI_TOOLS_VERSION (once, a few minutes)" >&2
	local src b
	src=$(go mod download -json "sigs.k8s.io/cri-tools@$CRI_TOOLS_VERSION" | awk -F'"' '$2=="Dir" {print $4}')
	[ -d "$src" ] || die "go mod download sigs.k8s.io/cri-tools@$CRI_TOOLS_VERSION failed"
	b=$(mktemp -d /tmp/hull-cri-tools.XXXXXX)
	cp -r "$src/." "$b" && chmod -R u+w "$b"
	mkdir -p "$TOOLS"
	# The module zip has no vendor directory: dependencies come from the proxy.
	(cd "$b" && go build -mod=mod -o "$TOOLS/crictl.new" ./cmd/crictl &&
		go test -mod=mod -c -o "$TOOLS/critest.new" ./cmd/critest) >&2 ||
		{ rm -rf "$b"; die "building cri-tools failed"; }
	mv "$TOOLS/crictl.new" "$TOOLS/crictl" && mv "$TOOLS/critest.new" "$TOOLS/critest"
	rm -rf "$b"
}
build_cri_tools
CRICTL=$TOOLS/crictl
CRITEST_BIN=$TOOLS/critest

T=$(mktemp -d /tmp/hull-cri.XXXXXX)
chmod 0711 "$T"
SOCK=$T/c.sock
CGP=hull-cri-$$
IMAGE=docker.io/library/busybox:hull-cri
PAUSE=registry.k8s.io/pause:hull-cri
# critest puts its pods under /test.slice (cgroupfs; containerd 1.6 has no
# RuntimeConfig): removed at the end if this run made it.
TEST_SLICE_EXISTED=0
[ -e /sys/fs/cgroup/memory/test.slice ] && TEST_SLICE_EXISTED=1

cri() { timeout "$ENGINE_TIMEOUT" "$CRICTL" --config "$T/crictl.yaml" "$@"; }
ctr_() { timeout "$ENGINE_TIMEOUT" ctr --address "$SOCK" --namespace k8s.io "$@"; }

cleanup() {
	set +e
	if [ -n "$CONTAINERD_PID" ] && kill -0 "$CONTAINERD_PID" 2>/dev/null; then
		for p in $(cri pods -q 2>/dev/null); do
			cri stopp "$p" >/dev/null 2>&1
			cri rmp -f "$p" >/dev/null 2>&1
		done
	fi
	stop_containerd "$SOCK"
	umount_under "$T"
	# Pod network namespaces this run made and a failure left.
	for ns in /run/netns/cni-*; do
		[ -e "$ns" ] || continue
		grep -qxF "$ns" "$T/netns.before" 2>/dev/null && continue
		umount "$ns" 2>/dev/null
		rm -f "$ns"
	done
	rm_cgroup_trees "$CGP"
	[ $TEST_SLICE_EXISTED = 1 ] || rm_cgroup_trees test.slice
	rm -rf "/run/containerd/runc/k8s.io-$CGP"
	rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- images: busybox (every applet) and pause, one layer, an OCI layout ----
build_images() {
	local r=$T/image/rootfs a
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,etc,root,var/run}
	cp "$(static_busybox)" "$r/bin/busybox"
	# Hard links, as in the busybox image: masking /bin/ls must not mask
	# the busybox a symlink would resolve to.
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln "$r/bin/busybox" "$r/bin/$a"
	done
	# Debian's busybox has neither pgrep nor ipcs, which critest execs.
	cat >"$r/bin/pgrep" <<'SH'
#!/bin/sh
# pgrep NAME: the pids whose command name is NAME.
st=1
for d in /proc/[0-9]*; do
	read -r c <"$d/comm" 2>/dev/null && [ "$c" = "$1" ] && { echo "${d#/proc/}"; st=0; }
done
exit $st
SH
	cat >"$r/bin/ipcs" <<'SH'
#!/bin/sh
# ipcs -m: the shared memory segments this IPC namespace sees.
cat /proc/sysvipc/shm
SH
	chmod 0755 "$r/bin/pgrep" "$r/bin/ipcs"
	cat >"$r/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOT
	printf 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nwww-data:x:33:\nnogroup:x:65534:\n' >"$r/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$r" -cf "$T/image/layer.tar" .
	# The sandbox's init waits for SIGTERM or SIGKILL. No process named
	# sleep: critest looks for leftover sleeps in a shared pid namespace.
	oci_image_tar "$T/image/layer.tar" "$T/images.tar" "$IMAGE" '"sh"' \
		"$PAUSE" '"/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do tail -f /dev/null & wait $!; done"'
}

# ---- a private containerd with the CRI plugin ----
start_containerd() {
	mkdir -p "$T/cni/conf" "$T/cni/ipam"
	printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: %s\n' \
		"$SOCK" "$SOCK" "$ENGINE_TIMEOUT" >"$T/crictl.yaml"
	# A subnet unlikely to be in use, different per run.
	local net=10.$((200 + RANDOM % 50)).$((RANDOM % 250)).0/24
	cat >"$T/cni/conf/10-hull.conflist" <<EOF
{"cniVersion":"0.4.0","name":"hull-cri-$$","plugins":[
 {"type":"ptp","ipMasq":false,"ipam":{"type":"host-local","subnet":"$net","dataDir":"$T/cni/ipam"}},
 {"type":"loopback"}]}
EOF
	containerd_config "$T" "$SOCK" >"$T/config.toml"
	cat >>"$T/config.toml" <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
  disable_apparmor = true
  enable_selinux = false
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "hull"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hull.options]
        BinaryName = "$HULL"
        Root = "$T/runtime-root-hull"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$RUNC"
        Root = "$T/runtime-root-runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$T/cni/conf"
EOF
	start_containerd_from "$T/config.toml" "$T/containerd.log" cri info
}

# ---- crictl scenarios: a host-network pod and an app container ----
pod_json() { # name hostnet(true|false)
	local ns=NODE
	[ "$2" = true ] || ns=POD
	cat <<EOF
{"metadata":{"name":"$1","namespace":"hull-cri","uid":"$1-uid","attempt":0},
 "log_directory":"$T/logs/$1","linux":{"cgroup_parent":"/$CGP",
 "security_context":{"namespace_options":{"network":$([ "$ns" = NODE ] && echo 2 || echo 0),"pid":1,"ipc":0}}}}
EOF
}
ctr_json() { # name cmd-json
	cat <<EOF
{"metadata":{"name":"$1"},"image":{"image":"$IMAGE"},"command":$2,"log_path":"$1.log","linux":{}}
EOF
}
POD=
APP=
start_pod_app() { # hostnet cmd-json: sets POD and APP, running
	mkdir -p "$T/logs"
	pod_json "$ID" "$1" >"$T/$ID-pod.json"
	ctr_json app "$2" >"$T/$ID-ctr.json"
	POD=$(cri runp --runtime "$RT_NAME" "$T/$ID-pod.json" 2>"$T/err") || { echo "runp: $(cat "$T/err")"; return 1; }
	APP=$(cri create "$POD" "$T/$ID-ctr.json" "$T/$ID-pod.json" 2>"$T/err") || { echo "create: $(cat "$T/err")"; return 1; }
	cri start "$APP" >/dev/null 2>&1 || { echo "start failed"; return 1; }
}
remove_pod() {
	[ -n "$POD" ] || return 0
	cri stopp "$POD" >/dev/null 2>&1
	cri rmp "$POD" >/dev/null 2>&1 || echo "rmp failed"
	POD= APP=
}
inspect_field() { # id template
	cri inspect -o go-template --template "$2" "$1" 2>/dev/null
}
sc_pod_lifecycle() {
	start_pod_app true '["sh","-c","echo app-started; echo app-err >&2; sleep 300"]' || { remove_pod; return; }
	local s out
	s=$(inspect_field "$APP" '{{.status.state}}')
	[ "$s" = CONTAINER_RUNNING ] || echo "app state: $s"
	# The app joins the sandbox's namespaces by path: same net, ipc, uts.
	local sp ap n
	sp=$(cri inspectp -o go-template --template '{{.info.pid}}' "$POD" 2>/dev/null)
	ap=$(inspect_field "$APP" '{{.info.pid}}')
	for n in ipc uts; do
		[ "$(readlink "/proc/$sp/ns/$n")" = "$(readlink "/proc/$ap/ns/$n")" ] ||
			echo "$n namespace not shared with the sandbox"
	done
	[ "$(readlink "/proc/$ap/ns/net")" = "$(readlink /proc/self/ns/net)" ] || echo "host network not used"
	for _ in $(seq 1 30); do
		out=$(cri logs "$APP" 2>&1)
		grep -q app-started <<<"$out" && grep -q app-err <<<"$out" && break
		sleep 0.1
	done
	grep -q app-started <<<"$out" && grep -q app-err <<<"$out" || echo "logs: $out"
	cri stop --timeout 1 "$APP" >/dev/null 2>&1 || echo "stop failed"
	s=$(inspect_field "$APP" '{{.status.state}} {{.status.exitCode}}')
	[ "$s" = "CONTAINER_EXITED 137" ] || [ "$s" = "CONTAINER_EXITED 143" ] || echo "after stop: $s"
	cri rm "$APP" >/dev/null 2>&1 || echo "rm failed"
	remove_pod
	cri pods -q 2>/dev/null | grep -q . && echo "pods left after rmp"
}
sc_exec_sync() {
	start_pod_app true '["sleep","300"]' || { remove_pod; return; }
	local out rc=0
	out=$(cri exec "$APP" sh -c 'echo exec-$((40+2))' 2>&1)
	[ "$out" = exec-42 ] || echo "exec output: $out"
	# crictl exits 1 for any failed command; the status itself is checked inside.
	cri exec "$APP" sh -c 'exit 5' >/dev/null 2>&1 || rc=$?
	[ $rc != 0 ] || echo "exec of a failing command: rc 0"
	out=$(cri exec "$APP" sh -c 'sh -c "exit 5"; echo status-$?' 2>&1)
	[ "$out" = status-5 ] || echo "nested exit status: $out"
	remove_pod
}
sc_exec_tty() {
	start_pod_app true '["sleep","300"]' || { remove_pod; return; }
	local out
	out=$(in_pty "$CRICTL" --config "$T/crictl.yaml" exec -it "$APP" sh -c "'tty; echo tty-ok'" 2>&1)
	grep -q '/dev/pts/[0-9]' <<<"$out" && grep -q tty-ok <<<"$out" || echo "output: $out"
	remove_pod
}
sc_pod_network() {
	# A pod network (ptp CNI): the app sees the sandbox's netns, not the host's.
	start_pod_app false '["sleep","300"]' || { remove_pod; return; }
	local ap out
	ap=$(inspect_field "$APP" '{{.info.pid}}')
	[ "$(readlink "/proc/$ap/ns/net")" != "$(readlink /proc/self/ns/net)" ] || echo "app in the host netns"
	out=$(cri exec "$APP" ip -4 addr show eth0 2>&1)
	grep -q 'inet 10\.' <<<"$out" || echo "no pod address: $out"
	remove_pod
}
sc_stats_update() {
	start_pod_app true '["sleep","300"]' || { remove_pod; return; }
	local out f
	out=$(cri stats -o json "$APP" 2>&1)
	grep -q '"workingSetBytes"' <<<"$out" || echo "stats: $out"
	cri update --memory 134217728 "$APP" >/dev/null 2>&1 || echo "update failed"
	f=/sys/fs/cgroup/memory/$CGP/$APP/memory.limit_in_bytes
	[ "$(cat "$f" 2>&1)" = 134217728 ] || echo "$f: $(cat "$f" 2>&1)"
	remove_pod
}
sc_exec_missing_cmd() {
	start_pod_app true '["sleep","300"]' || { remove_pod; return; }
	local out rc=0
	out=$(cri exec "$APP" /no/such/cmd 2>&1) || rc=$?
	[ $rc != 0 ] && grep -qi 'no such file or directory\|not found' <<<"$out" || echo "rc $rc: $out"
	out=$(cri exec "$APP" echo still-ok 2>&1)
	[ "$out" = still-ok ] || echo "exec after a failed exec: $out"
	remove_pod
}

SCENARIOS=(pod_lifecycle exec_sync exec_tty pod_network stats_update exec_missing_cmd)
[ -n "${CRI_SCENARIOS:-}" ] && read -ra SCENARIOS <<<"$CRI_SCENARIOS"

ls -d /run/netns/cni-* >"$T/netns.before" 2>/dev/null
build_images
start_containerd
ctr_ images import "$T/images.tar" >/dev/null 2>&1 || die "image import failed"
cri inspecti "$PAUSE" >/dev/null 2>&1 || die "imported image $PAUSE not seen by the CRI"

echo "containerd $(containerd --version | awk '{print $3}') CRI, crictl/critest $CRI_TOOLS_VERSION, handlers hull and runc"
echo "hull: $HULL"
echo "runc: $RUNC ($("$RUNC" --version | head -1))"
run_all hull "$HULL"
run_all runc "$RUNC"
status=0
report crictl || status=1

# ---- critest, once per handler, same focus ----
if [ "$CRITEST" = 1 ]; then
	printf 'defaultTestContainerImage: %s\nwebServerTestImage: %s\n' "$IMAGE" "$IMAGE" >"$T/images.yaml"
	declare -A PASSED FAILED
	for h in hull runc; do
		echo "critest --runtime-handler $h (focus: $CRITEST_FOCUS)" >&2
		(cd "$T" && timeout 1800 "$CRITEST_BIN" --runtime-endpoint "unix://$SOCK" --image-endpoint "unix://$SOCK" \
			--runtime-handler "$h" --test-images-file "$T/images.yaml" \
			--ginkgo.focus "$CRITEST_FOCUS" --ginkgo.skip "$CRITEST_SKIP" \
			--ginkgo.no-color --ginkgo.v >"$T/critest-$h.log" 2>&1)
			PASSED[$h]=$(grep -oE 'Ran [0-9]+ of [0-9]+ Specs|[0-9]+ Passed \| [0-9]+ Failed' "$T/critest-$h.log" | tr '\n' ' ')
		grep -E '^\s*\[FAIL\]' "$T/critest-$h.log" | sed 's/^ *//' | sort -u >"$T/critest-$h.failed"
		FAILED[$h]=$(wc -l <"$T/critest-$h.failed")
		echo "critest $h: ${PASSED[$h]}" >&2
	done
	printf '\n%-8s %s\n' handler "critest result"
	for h in hull runc; do printf '%-8s %s\n' "$h" "${PASSED[$h]}"; done
	# Specs hull fails that runc passes.
	worse=$(comm -23 "$T/critest-hull.failed" "$T/critest-runc.failed")
	if [ -n "$worse" ]; then
		echo "hull fails what runc passes:"
		echo "$worse"
		grep -B2 -A20 'Summarizing' "$T/critest-hull.log" | tail -40
		status=1
	fi
	for h in hull runc; do
		[ -s "$T/critest-$h.failed" ] && { echo "$h failed:"; cat "$T/critest-$h.failed"; }
	done
	grep -q 'Ran [0-9]' "$T/critest-hull.log" || { tail -30 "$T/critest-hull.log"; status=1; }
fi
exit $status

#!/bin/bash
# run-in-vm.sh - run a command as root inside a throw-away QEMU (TCG, no KVM
# needed) guest whose kernel is Debian's linux-image-amd64 (6.1) booted with
# pure cgroup v2 (cgroup_no_v1=all), all controllers enabled in the root's
# cgroup.subtree_control. With V2VM_INIT=systemd, the host's systemd is the
# guest's PID 1 and runs CMD as a service (for the systemd cgroup driver).
# (The project's copy of the team's run-in-v2-vm.sh, with the systemd mode.)
#
# usage: run-in-vm.sh DIR [--] CMD [ARGS...]
#        run-in-vm.sh --setup        (only install/download/build, then exit)
#
# * The guest's / is the HOST's / exported read-only over virtio-9p, with a
#   tmpfs overlay on top (writes are thrown away at power-off). So every host
#   binary (runc, crun, go, bash, util-linux ...) is there, dynamic or static.
# * /tmp, /run, /dev/shm are fresh tmpfs in the guest (overlayfs upper dirs can
#   live there). Host paths under /tmp are NOT visible, except DIR.
# * DIR is shared read-write (9p) at the SAME absolute path; CMD runs with DIR as
#   its working directory, stdin </dev/null, stdout+stderr merged onto this
#   script's stdout. The script exits with CMD's exit status.
#   Exit 124 = host-side timeout, 125 = the guest never reported a status (its
#   console log is printed to stderr).
#
# Environment knobs:
#   V2VM_CPUS (default: nproc)   V2VM_MEM (MiB, default 2048)
#   V2VM_TIMEOUT (seconds, default 3600)
#   V2VM_ENV="VAR1 VAR2"  extra host variables to forward (PATH, LANG,
#                         LC_ALL, TZ, TERM, CI, GO* are always forwarded if set)
#   V2VM_CGROUP=/path     run CMD in this (new) cgroup instead of the root one
#   V2VM_VERBOSE=1        print kernel console + timings to stderr
#   V2VM_CACHE=dir        where kernel/initramfs are kept (default: ~/.cache/hull-vm)
#   V2VM_KPKG=linux-image-6.1.0-NN-amd64  pin the kernel package
#   V2VM_APPEND="..."     extra kernel command line
#   V2VM_QEMU_CPU=model   qemu -cpu (default max)
#   V2VM_ROOTFS=virtiofs  serve the host / with qemu 7.2's virtiofsd instead of
#                         9p (metadata ~2x faster; extra process; default 9p)
#   V2VM_KEEP=1           keep the per-run control dir (console.log, cmd.sh, rc)
#   V2VM_FULL_MODULES=1   keep all 400 MB of modules (default prunes hw drivers)
#   V2VM_KEEP_DEBS=1      keep the downloaded .debs in the cache
#   V2VM_INIT=systemd     boot the host's /lib/systemd/systemd as PID 1; CMD
#                         runs as the oneshot service hull-vm.service (in
#                         system.slice, with the system bus), then powers off
#
# Needs (installed on demand with apt-get): qemu-system-x86, xz-utils; downloads
# (apt-get download, not installed): linux-image-6.1.0-NN-amd64, busybox-static.
set -euo pipefail

SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
CACHE=${V2VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hull-vm}
log() { echo "run-in-v2-vm: $*" >&2; }

# ---------------------------------------------------------------- guest init
# This is the guest's /init (stage 1, in the initramfs) and, after switch_root,
# its PID 1 (stage 2). Runs under busybox sh.
guest_init() {
cat <<'GUEST_INIT'
#!/bin/busybox sh
BB=/bin/busybox
if [ "$1" != stage2 ]; then
  # ---------------- stage 1: initramfs
  $BB --install -s /bin
  export PATH=/bin
  mount -t proc proc /proc
  mount -t sysfs sys /sys
  mount -t devtmpfs dev /dev
  echo "v2vm: stage1 start $(cut -d' ' -f1 /proc/uptime)"
  for m in $(cat /modules.list); do
    insmod /mods/$m.ko || echo "v2vm: insmod $m failed"
  done
  die() { echo "v2vm: stage1: $*"; sleep 1; poweroff -f; }
  echo "v2vm: modules loaded $(cut -d' ' -f1 /proc/uptime)"
  mkdir -p /lower /rw /newroot
  o=trans=virtio,version=9p2000.L,msize=262144
  if grep -qw v2vm.rootfs=virtiofs /proc/cmdline; then
    mount -t virtiofs -o ro hostroot /lower || die "mount hostroot (virtiofs)"
  else
    mount -t 9p -o $o,ro,cache=loose hostroot /lower || die "mount hostroot"
  fi
  mount -t tmpfs -o mode=755 rw /rw
  mkdir -p /rw/upper /rw/work /rw/ctl
  mount -t 9p -o $o,cache=none ctl /rw/ctl || die "mount ctl"
  mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "overlay root"
  # tmpfs that hide host content (done before the work share, which may live under /tmp)
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/tmp
  mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run
  mkdir -p /newroot/.v2vm/ctl /newroot/.v2vm/bin
  mount --move /rw/ctl /newroot/.v2vm/ctl
  cp $BB /newroot/.v2vm/bin/busybox
  cp /init /newroot/.v2vm/init
  work=$(cat /newroot/.v2vm/ctl/work_path)
  mkdir -p "/newroot$work"
  mount -t 9p -o $o,cache=mmap work "/newroot$work" || die "mount work"
  kver=$(uname -r)
  mods=$(cat /newroot/.v2vm/ctl/mods_path)
  mkdir -p /newroot/lib/modules/$kver
  mount --bind "/lower$mods" /newroot/lib/modules/$kver || echo "v2vm: no modules dir"
  echo "v2vm: stage1 end $(cut -d' ' -f1 /proc/uptime)"
  umount /proc /sys
  mount --move /dev /newroot/dev
  exec switch_root /newroot /.v2vm/bin/busybox sh /.v2vm/init stage2
  die "switch_root failed"
fi
# ---------------- stage 2: PID 1 in the overlay root
B=/.v2vm/bin/busybox
C=/.v2vm/ctl
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
$B mount -t proc -o nosuid,nodev,noexec proc /proc
$B mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
[ -e /dev/null ] || $B mount -t devtmpfs dev /dev
$B mkdir -p /dev/pts /dev/shm /dev/mqueue /dev/hugepages
$B mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts /dev/pts
[ -e /dev/ptmx ] || $B ln -sf pts/ptmx /dev/ptmx
$B mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
$B mount -t mqueue mqueue /dev/mqueue
$B mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
$B ln -sf /proc/self/fd /dev/fd; $B ln -sf /proc/self/fd/0 /dev/stdin
$B ln -sf /proc/self/fd/1 /dev/stdout; $B ln -sf /proc/self/fd/2 /dev/stderr
$B mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
$B mount -t bpf -o mode=700 bpf /sys/fs/bpf
$B mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
$B mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for c in $($B cat /sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || echo "v2vm: cannot enable $c" >&2
done
echo "v2vm: stage2 mounts done $($B cut -d' ' -f1 /proc/uptime)" >/dev/console
$B hostname v2vm
$B ip link set lo up
# kernel module autoloading (host may have no kmod): busybox modprobe
$B ln -sf busybox /.v2vm/bin/modprobe
echo /.v2vm/bin/modprobe > /proc/sys/kernel/modprobe
# (not "command -v": busybox sh would report its own applet)
[ -e /usr/sbin/modprobe ] || [ -e /usr/bin/modprobe ] || $B ln -sf /.v2vm/bin/busybox /usr/sbin/modprobe
# output channel: virtio serial port named v2vm.out (not a tty: byte exact)
out=
for p in /sys/class/virtio-ports/*; do
  [ "$($B cat $p/name 2>/dev/null)" = v2vm.out ] && out=/dev/${p##*/}
done
[ -n "$out" ] || { echo "v2vm: no output port" ; out=/dev/console; }
cgp=$($B cat $C/cgroup 2>/dev/null)
if [ -n "$cgp" ]; then   # like systemd: controllers enabled down to the parent of the leaf
  cg=/sys/fs/cgroup
  for part in $(echo "$cgp" | $B tr '/' ' '); do
    cg=$cg/$part; $B mkdir -p "$cg"
    case "/$cgp/" in */$part/) ;; *)
      for c in $($B cat $cg/cgroup.controllers); do echo "+$c" > $cg/cgroup.subtree_control; done ;;
    esac
  done
  echo $$ > "$cg/cgroup.procs"
fi
$B cat /proc/uptime > $C/t_start
sh=/bin/bash; [ -x $sh ] || sh="$B sh"
if $B grep -qw v2vm.init=systemd /proc/cmdline; then
  # systemd as PID 1: CMD becomes a oneshot service that records its status
  # and powers the machine off. The unit files live in the tmpfs overlay.
  u=/etc/systemd/system
  $B mkdir -p $u
  printf '%s\n' '[Unit]' 'Description=hull VM target' 'Requires=hull-vm.service' 'After=hull-vm.service' \
    'AllowIsolate=yes' > $u/hull-vm.target
  printf '%s\n' '[Unit]' 'Description=hull VM command' 'After=basic.target dbus.service' 'Wants=dbus.service' \
    '[Service]' 'Type=oneshot' "StandardOutput=file:$out" 'StandardError=inherit' 'StandardInput=null' \
    "ExecStart=$B sh -c '$sh $C/cmd.sh; echo \$\$? > $C/rc.tmp; $B cat /proc/uptime > $C/t_end; $B mv $C/rc.tmp $C/rc; $B sync'" \
    'ExecStartPost=/bin/systemctl --no-block poweroff --force --force' > $u/hull-vm.service
  $B umount /proc 2>/dev/null
  exec /lib/systemd/systemd --unit=hull-vm.target --log-target=console --show-status=0
fi
$sh $C/cmd.sh </dev/null >"$out" 2>&1
rc=$?
$B cat /proc/uptime > $C/t_end
echo $rc > $C/rc.tmp && $B mv $C/rc.tmp $C/rc
$B sync
$B poweroff -f
GUEST_INIT
}

MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console netfs fscache 9pnet 9pnet_virtio 9p overlay fuse virtiofs"

with_apt_lock() { # retry while another apt/dpkg holds the lock
  local i
  for i in $(seq 1 60); do
    if "$@"; then return 0; fi
    log "apt command failed (lock held?), retry $i"; sleep 10
  done
  return 1
}

apt_install() { # PKG... (only what is missing)
  export DEBIAN_FRONTEND=noninteractive
  log "installing $*"
  with_apt_lock apt-get update -qq
  with_apt_lock apt-get install -y -qq --no-install-recommends "$@" >&2
}

kernel_pkg() { # the linux-image-6.1.0-NN-amd64 that linux-image-amd64 points to
  if [ -n "${V2VM_KPKG:-}" ]; then echo "$V2VM_KPKG"; return; fi
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'
}

setup() {
  local need=()
  command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
  command -v xz >/dev/null || need+=(xz-utils)
  command -v dpkg-deb >/dev/null || { log "needs a Debian host (dpkg-deb)"; exit 1; }
  [ ${#need[@]} = 0 ] || apt_install "${need[@]}"
  local stamp kpkg want p try
  want=$( { guest_init; echo "$MODULES"; echo "${V2VM_KPKG:-} ${V2VM_FULL_MODULES:-0}"; } | md5sum | cut -c1-32)
  stamp=$CACHE/stamp
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$CACHE/vmlinux" ] && [ -f "$CACHE/initrd.gz" ]; then
    return 0
  fi
  mkdir -p "$CACHE/debs"
  for try in 1 2; do   # 2nd try after apt-get update (no lists yet, or lists stale => 404)
    kpkg=$(kernel_pkg)
    if [ -n "$kpkg" ]; then
      for p in "$kpkg" busybox-static; do
        ls "$CACHE/debs/${p}"_*.deb >/dev/null 2>&1 && continue
        ( cd "$CACHE/debs" && apt-get download "$p" 2>&1 | grep -v 'unsandboxed' >&2 ) || true
      done
      ls "$CACHE/debs/${kpkg}"_*.deb "$CACHE"/debs/busybox-static_*.deb >/dev/null 2>&1 && break
    fi
    [ $try = 2 ] && { log "cannot download kernel ($kpkg) / busybox-static"; exit 1; }
    with_apt_lock apt-get update -qq
  done
  log "kernel package: $kpkg"
  rm -rf "$CACHE/kroot" "$CACHE/bbroot" "$CACHE/initrd.d"
  dpkg-deb -x "$(ls "$CACHE"/debs/${kpkg}_*.deb | tail -1)" "$CACHE/kroot"
  dpkg-deb -x "$(ls "$CACHE"/debs/busybox-static_*.deb | tail -1)" "$CACHE/bbroot"
  local BB=$CACHE/bbroot/bin/busybox kver
  kver=$(ls "$CACHE/kroot/lib/modules" | head -1)
  if [ "${V2VM_FULL_MODULES:-0}" != 1 ]; then   # 400 MB -> ~105 MB: drop hardware drivers
    ( cd "$CACHE/kroot/lib/modules/$kver/kernel" && rm -rf sound \
      drivers/{gpu,media,net/wireless,net/ethernet,net/usb,net/can,infiniband,usb,scsi,iio,hwmon} \
      drivers/{staging,bluetooth,input,hid,video,mmc,isdn,atm,nfc,leds,platform,thunderbolt,mfd} \
      drivers/{comedi,mtd,spi,i2c,w1,firewire,pcmcia,ata,edac,gnss,power,hv,xen,parport,memstick} \
      drivers/{misc,nvme,target,ufs,soundwire,slimbus,pinctrl,gpio} \
      net/{bluetooth,mac80211,wireless,mac802154,ieee802154,nfc} )
  fi
  "$BB" depmod -b "$CACHE/kroot" "$kver"        # modules.dep/alias for busybox modprobe
  # Boot the uncompressed ELF vmlinux through its PVH entry point (qemu -kernel
  # with an ELF that has a PVH note): skips SeaBIOS real-mode setup and the xz
  # decompression, which alone takes ~4 s under TCG.
  local z=$CACHE/kroot/boot/vmlinuz-$kver off
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$z" | head -1 | cut -d: -f1)
  tail -c +$((off + 1)) "$z" | xz -dc > "$CACHE/vmlinux" 2>/dev/null || true  # trailing data => xz rc 1
  [ "$(head -c 4 "$CACHE/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || { log "cannot extract vmlinux"; exit 1; }
  echo "$kver" > "$CACHE/kver"
  local d=$CACHE/initrd.d m f
  mkdir -p "$d/bin" "$d/mods" "$d/proc" "$d/sys" "$d/dev"
  cp "$BB" "$d/bin/busybox"
  guest_init > "$d/init"; chmod 755 "$d/init"
  for m in $MODULES; do
    f=$(find "$CACHE/kroot/lib/modules/$kver" -name "$m.ko" | head -1)
    [ -n "$f" ] || { log "module $m not found"; exit 1; }
    cp "$f" "$d/mods/"
  done
  echo "$MODULES" > "$d/modules.list"
  ( cd "$d" && find . | "$BB" cpio -o -H newc 2>/dev/null | gzip -1 ) > "$CACHE/initrd.gz"
  rm -rf "$d" "$CACHE/kroot/boot/vmlinuz-$kver"
  [ "${V2VM_KEEP_DEBS:-0}" = 1 ] || rm -f "$CACHE"/debs/*.deb
  echo "$want" > "$stamp"
  log "setup done in $CACHE ($(du -sh "$CACHE" | cut -f1))"
}

# ---------------------------------------------------------------- main
if [ "${1:-}" = --setup ]; then setup; exit 0; fi
[ $# -ge 2 ] || { awk 'NR>1 && /^#/{sub(/^# ?/,""); print; next} NR>1{exit}' "$SELF" >&2; exit 2; }
DIR=$(readlink -f "$1"); shift
[ "${1:-}" = -- ] && shift
[ -d "$DIR" ] || { log "not a directory: $DIR"; exit 2; }
[ "$DIR" != / ] || { log "DIR must not be /"; exit 2; }
setup

CTL=$(mktemp -d "${TMPDIR:-/tmp}/v2vm.XXXXXX")
QPID=
CATPID=
cleanup() {
  [ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
  [ -z "$CATPID" ] || kill "$CATPID" 2>/dev/null || true
  [ -z "${VFSPID:-}" ] || kill "$VFSPID" 2>/dev/null || true
  [ "${V2VM_KEEP:-0}" = 1 ] || rm -rf "$CTL" || true
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM

echo "$DIR" > "$CTL/work_path"
echo "$CACHE/kroot/lib/modules/$(cat "$CACHE/kver")" > "$CTL/mods_path"
echo "${V2VM_CGROUP:-}" > "$CTL/cgroup"
{
  echo "export HOME=/root USER=root LOGNAME=root"
  for v in PATH LANG LC_ALL TZ TERM CI ${V2VM_ENV:-} $(compgen -v | grep '^GO' || true); do
    [ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
  printf 'cd %q || exit 125\n' "$DIR"
  printf 'exec'; printf ' %q' "$@"; printf '\n'
} > "$CTL/cmd.sh"

CPUS=${V2VM_CPUS:-$(nproc)}
MEM=${V2VM_MEM:-2048}
TIMEOUT=${V2VM_TIMEOUT:-3600}
T0=$(date +%s.%N)
# guest output: virtio serial port -> fifo $CTL/out.out -> cat -> our stdout.
# (a "stdio" chardev with stdin </dev/null reads EOF, counts as disconnected and
#  then guest writes to the port block forever)
mkfifo "$CTL/out.in" "$CTL/out.out"
cat "$CTL/out.out" &
CATPID=$!
ROOTFS_ARGS=(-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap)
VFSPID=
if [ "${V2VM_ROOTFS:-9p}" = virtiofs ]; then
  # virtiofsd serves a read-only, non-recursive bind of / made in a private mount namespace
  mkdir "$CTL/ro"
  unshare -m --propagation private sh -c 'mount --bind / "$1" && mount -o remount,bind,ro "$1" && exec /usr/lib/qemu/virtiofsd --socket-path="$2" -o source="$1" -o cache=always -o log_level=err' sh "$CTL/ro" "$CTL/vfs.sock" 2>"$CTL/virtiofsd.log" &
  VFSPID=$!
  for i in $(seq 100); do [ -S "$CTL/vfs.sock" ] && break; sleep 0.05; done
  ROOTFS_ARGS=(-object memory-backend-memfd,id=mem,size="${V2VM_MEM:-2048}M",share=on -numa node,memdev=mem
    -chardev socket,id=vfs,path="$CTL/vfs.sock" -device vhost-user-fs-pci,chardev=vfs,tag=hostroot,queue-size=1024)
  V2VM_APPEND="${V2VM_APPEND:-} v2vm.rootfs=virtiofs"
fi
[ "${V2VM_INIT:-}" != systemd ] || V2VM_APPEND="${V2VM_APPEND:-} v2vm.init=systemd"

set +e
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
  -machine q35 -accel tcg,thread=multi -cpu "${V2VM_QEMU_CPU:-max}" -smp "$CPUS" -m "$MEM" \
  -nodefaults -no-user-config -no-reboot -display none \
  -kernel "$CACHE/vmlinux" -initrd "$CACHE/initrd.gz" \
  -append "console=ttyS0 loglevel=4 rdinit=/init panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 ${V2VM_APPEND:-}" \
  -chardev file,id=con,path="$CTL/console.log" -serial chardev:con \
  -device virtio-serial-pci -chardev pipe,id=out,path="$CTL/out" \
  -device virtserialport,chardev=out,name=v2vm.out \
  "${ROOTFS_ARGS[@]}" \
  -virtfs local,path="$DIR",mount_tag=work,security_model=none,multidevs=remap \
  -virtfs local,path="$CTL",mount_tag=ctl,security_model=none \
  </dev/null &
QPID=$!
wait $QPID; qrc=$?
QPID=
exec 3<>"$CTL/out.out"; exec 3>&-   # unblocks cat if qemu never opened the fifo
[ -z "$VFSPID" ] || { kill "$VFSPID" 2>/dev/null; wait "$VFSPID" 2>/dev/null; } || true
VFSPID=
wait $CATPID
set -e
T1=$(date +%s.%N)
if [ "${V2VM_VERBOSE:-0}" = 1 ]; then
  log "---- guest console ----"; cat "$CTL/console.log" >&2 || true
  log "host wall: $(awk "BEGIN{printf \"%.2f\", $T1-$T0}") s; guest uptime at command start: $(cut -d' ' -f1 "$CTL/t_start" 2>/dev/null) s, at end: $(cut -d' ' -f1 "$CTL/t_end" 2>/dev/null) s; qemu rc $qrc"
fi
if [ -f "$CTL/rc" ]; then
  exit "$(cat "$CTL/rc")"
fi
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then log "timeout after ${TIMEOUT}s"; RC=124; else RC=125; fi
log "guest did not report an exit status (qemu rc $qrc); console log:"
tail -n 60 "$CTL/console.log" >&2 || true
exit $RC

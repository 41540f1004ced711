#!/bin/sh
# The differential suite's probe: prints, in "== section" blocks, what the
# container's process can observe. It reads its own /proc entries ($$, the
# container's process itself), not a child's.
p=$$
sec() { echo "== $1"; }
sec status
grep -E '^(Umask|Uid|Gid|Groups|NoNewPrivs|Seccomp|Seccomp_filters|Cap[A-Za-z]+|Cpus_allowed_list|Mems_allowed_list):' /proc/$p/status
sec args
tr '\0' ' ' < /proc/$p/cmdline; echo
sec env
tr '\0' '\n' < /proc/$p/environ
sec cwd
readlink /proc/$p/cwd
sec limits
cat /proc/$p/limits
sec sched
# priority nice rt_priority policy
cut -d' ' -f18,19,40,41 /proc/$p/stat
sec oom_score_adj
cat /proc/$p/oom_score_adj
sec uts
hostname; cat /proc/sys/kernel/domainname
sec fds
for fd in /proc/$p/fd/*; do echo "${fd##*/} $(readlink "$fd")"; done
sec ids
cat /proc/$p/uid_map /proc/$p/gid_map /proc/$p/setgroups
sec mounts
cat /proc/$p/mountinfo
sec dev
# Not /dev/fd/*: those are stat's own fds.
stat -c '%n %F %a %u:%g %t:%T' /dev/* /dev/pts/* /dev/shm/* /dev/mqueue/* 2>/dev/null
sec cgroup
cat /proc/$p/cgroup
sec cgroupfs
ls /sys/fs/cgroup 2>&1
sec net
tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort
sec timens
cat /proc/$p/timens_offsets 2>&1
sec rootfs
touch /.probe-rw 2>&1 && echo writable; rm -f /.probe-rw
if [ -f /probe-extra ]; then
	sec extra
	. /probe-extra 2>&1
fi
echo '== end'
exit 0

# ---- profile: the phase trace over a batch of runs ----
# make profile [PROFILE_RUNS=30] [PROFILE_LIST_N=1000]: medians per phase
# (bench/profile.sh), one block per command of the bench's table: `run` of
# /bin/true, `create`, `start`, `exec` into a running container, `state`,
# `kill`, `delete` of a stopped container and `list` with PROFILE_LIST_N
# created containers (0 skips it), each with its wall time from the shell
# and what lies outside the trace; the commands with a C path (HULL_TRACE
# makes it step aside) also with their untraced wall time; and the wall
# time of /bin/true from the same shell, the floor under every command. Any single command
# shows the same with HULL_TRACE=1 (a line on stderr) or --debug (a debug
# line in the log). About 1.5 min here with the defaults, most of it making
# and removing the 1,000 containers of list.
PROFILE_RUNS ?= 30
PROFILE_LIST_N ?= 1000
.PHONY: profile
profile: deps build
	HULL=$(CURDIR)/hull PROFILE_LIST_N=$(PROFILE_LIST_N) bench/profile.sh $(PROFILE_RUNS)

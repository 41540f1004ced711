# ---- profile: the phase trace over a batch of runs ----
# make profile [PROFILE_RUNS=30]: medians per phase of `hull run` of
# /bin/true (bench/profile.sh); any single command shows the same with
# HULL_TRACE=1 (a line on stderr) or --debug (a debug line in the log).
PROFILE_RUNS ?= 30
.PHONY: profile
profile: deps build
	HULL=$(CURDIR)/hull bench/profile.sh $(PROFILE_RUNS)

package main

import "github.com/hullrt/hull/libcontainer"

var pauseCommand = containerCommand("pause", "freeze every process of a container",
	(*libcontainer.Container).Pause)

var resumeCommand = containerCommand("resume", "thaw a paused container",
	(*libcontainer.Container).Resume)

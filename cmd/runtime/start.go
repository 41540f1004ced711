package main

import "github.com/hullrt/hull/libcontainer"

var startCommand = containerCommand("start", "start a created container: run its user process",
	(*libcontainer.Container).Start)

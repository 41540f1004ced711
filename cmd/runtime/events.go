package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"

	"github.com/hullrt/hull/libcontainer"
)

var eventsCommand = cli.Command{
	Name:      "events",
	Usage:     "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
	ArgsUsage: "<container-id>",
	Description: `Streams one JSON object per line: {"type":"stats","id":ID,"data":{...}}
every --interval, and {"type":"oom","id":ID} whenever the OOM killer acts in
the container. It ends when the container stops.`,
	Flags: []cli.Flag{
		cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "set the stats collection interval"},
		cli.BoolFlag{Name: "stats", Usage: "display the container's stats then exit"},
	},
	Action: eventsAction,
}

// event is one line of `events` output, as runc's.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

func eventsAction(ctx *cli.Context) error {
	if err := checkArgs(ctx, 1); err != nil {
		return err
	}
	interval := ctx.Duration("interval")
	if interval <= 0 {
		return errors.New("duration interval must be greater than 0")
	}
	c, err := loadContainer(ctx)
	if err != nil {
		return err
	}
	if c.Status() == libcontainer.Stopped {
		return fmt.Errorf("container with id %s is not running", c.ID())
	}
	enc := json.NewEncoder(os.Stdout)
	if ctx.Bool("stats") {
		s, err := c.Stats()
		if err != nil {
			return err
		}
		return enc.Encode(event{Type: "stats", ID: c.ID(), Data: s})
	}
	return streamEvents(c, enc, interval)
}

// streamEvents writes a stats event every interval and an oom event for
// each OOM kill, until the container stops or its cgroup goes away.
func streamEvents(c *libcontainer.Container, enc *json.Encoder, interval time.Duration) error {
	oom, err := c.NotifyOOM()
	if err != nil {
		return err
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case _, ok := <-oom:
			if !ok {
				return nil
			}
			if err := enc.Encode(event{Type: "oom", ID: c.ID()}); err != nil {
				return err
			}
		case <-tick.C:
			s, err := c.Stats()
			if errors.Is(err, libcontainer.ErrNotRunning) || errors.Is(err, libcontainer.ErrNotExist) {
				drainOOM(c, enc, oom)
				return nil
			}
			if err != nil {
				logrus.Error(err)
				continue
			}
			if err := enc.Encode(event{Type: "stats", ID: c.ID(), Data: s}); err != nil {
				return err
			}
		}
	}
}

// drainOOM reports the OOM kills that may still be on their way once the
// container has stopped: an OOM-killed init stops the container at about
// the moment the notification arrives.
func drainOOM(c *libcontainer.Container, enc *json.Encoder, oom <-chan struct{}) {
	grace := time.After(200 * time.Millisecond)
	for {
		select {
		case _, ok := <-oom:
			if !ok {
				return
			}
			_ = enc.Encode(event{Type: "oom", ID: c.ID()})
		case <-grace:
			return
		}
	}
}

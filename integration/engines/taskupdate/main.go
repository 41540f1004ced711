// Command taskupdate calls containerd's Tasks.Update for one task: the
// request `ctr task update` would send, for a ctr (Debian's 1.6) that has
// no such command. It reads the new resources as OCI LinuxResources JSON
// from stdin; containerd passes them to the runc shim, which runs the
// runtime's `update --resources -`.
//
// Usage: taskupdate -address SOCKET -namespace NS ID <resources.json
//
// It is its own module so that the project's go.mod does not carry
// containerd's API and gRPC for one test tool.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/anypb"
)

// linuxResourcesURL is the type URL containerd registers for
// specs.LinuxResources; the shim decodes the value as JSON.
const linuxResourcesURL = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"

func main() {
	address := flag.String("address", "", "containerd's gRPC socket")
	namespace := flag.String("namespace", "default", "containerd namespace of the task")
	timeout := flag.Duration("timeout", 30*time.Second, "how long the call may take")
	flag.Parse()
	if *address == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: taskupdate -address SOCKET [-namespace NS] ID <resources.json")
		os.Exit(2)
	}
	if err := update(*address, *namespace, flag.Arg(0), os.Stdin, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "taskupdate:", err)
		os.Exit(1)
	}
}

func update(address, namespace, id string, in io.Reader, timeout time.Duration) error {
	resources, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading resources: %w", err)
	}
	if !json.Valid(resources) {
		return fmt.Errorf("resources on stdin are not JSON")
	}
	conn, err := grpc.NewClient("unix://"+address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", address, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "containerd-namespace", namespace)
	_, err = tasks.NewTasksClient(conn).Update(ctx, &tasks.UpdateTaskRequest{
		ContainerID: id,
		Resources:   &anypb.Any{TypeUrl: linuxResourcesURL, Value: resources},
	})
	if err != nil {
		return fmt.Errorf("updating task %s: %w", id, err)
	}
	return nil
}

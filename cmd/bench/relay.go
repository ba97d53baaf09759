package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The relay is the smallest possible proxy: a process of its own that
// accepts TCP connections and copies bytes both ways to the S3 server
// (io.Copy between TCP connections splices on Linux). A stream through
// it shows what an extra process and loopback hop alone cost, with no
// HTTP, access check or portal code in the way: the floor for any
// proxying portal on this machine. It must be a separate process: run
// inside the bench it shares the client's scheduling and looks free.

// relayTargetEnv, when set, makes the bench binary run as the relay.
const relayTargetEnv = "BENCH_RELAY_TARGET"

// runRelay serves as the relay to target: it prints its address on
// stdout and copies until it is killed or stdin closes.
func runRelay(target string) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		return 2
	}
	fmt.Println(ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return 2
		}
		go relayConn(c.(*net.TCPConn), target)
	}
}

func relayConn(c *net.TCPConn, target string) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(s, c)
		s.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, s)
	c.CloseWrite()
	<-done
}

// relayProcess is a running relay.
type relayProcess struct {
	cmd   *exec.Cmd
	stdin io.Closer
	addr  string
}

// startRelay starts this binary again as a relay to target.
func startRelay(ctx context.Context, target string) (*relayProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), relayTargetEnv+"="+target)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start relay: %w", err)
	}
	r := &relayProcess{cmd: cmd, stdin: stdin}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case r.addr = <-line:
	case <-time.After(10 * time.Second):
	}
	if r.addr == "" {
		r.Stop()
		return nil, fmt.Errorf("relay to %s did not start", target)
	}
	return r, nil
}

// Stop ends the relay (closing its stdin) and waits for it.
func (r *relayProcess) Stop() {
	r.stdin.Close()
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
}

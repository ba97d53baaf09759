package main

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Modes of one direction of a tcpProxy connection.
const (
	pass  int32 = iota // bytes go through
	drop               // bytes are read and thrown away: a server that swallows requests
	block              // bytes are no longer read: a peer that stops reading or sending
	// dropOps reads and throws away MongoDB messages but the driver's
	// "hello" heartbeats: a server that looks healthy to the driver's
	// monitor, yet never answers an operation (a lock, an overloaded
	// primary). Only a bound on each operation can end such a call.
	dropOps
)

// isHeartbeat tells a MongoDB wire message the driver's monitor sends.
func isHeartbeat(msg []byte) bool {
	return bytes.Contains(msg, []byte("hello")) || bytes.Contains(msg, []byte("isMaster")) || bytes.Contains(msg, []byte("ismaster"))
}

// tcpProxy forwards TCP connections to a target. It can make a direction
// of them stall for real (the server behind it stays connected but stops
// answering, sending or reading), and stopping it closes its listener and
// every connection, as if the server behind it went away; a new proxy can
// then listen on the same address, as the server coming back.
type tcpProxy struct {
	addr   string
	ln     net.Listener
	target string

	mu      sync.Mutex
	conns   map[*proxyPair]bool
	stopped bool
	// newUp, newDown: the modes new connections start with.
	newUp, newDown int32
	wg             sync.WaitGroup
}

// proxyPair is one forwarded connection; up is client → target.
type proxyPair struct {
	in, out  net.Conn
	up, down atomic.Int32
	closed   atomic.Bool
}

// startProxy forwards connections on addr ("127.0.0.1:0" for any free
// port) to target, until stop or the end of the test.
func startProxy(t *testing.T, addr, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), ln: ln, target: target, conns: map[*proxyPair]bool{}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			pair := &proxyPair{in: in, out: out}
			p.mu.Lock()
			if p.stopped { // accepted while stopping: stop has already closed the others
				p.mu.Unlock()
				in.Close()
				out.Close()
				return
			}
			pair.up.Store(p.newUp)
			pair.down.Store(p.newDown)
			p.conns[pair] = true
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); p.pipe(pair, out, in, &pair.up) }()
			go func() { defer p.wg.Done(); p.pipe(pair, in, out, &pair.down) }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

// pipe copies src to dst under mode; either side ending closes both.
func (p *tcpProxy) pipe(pair *proxyPair, dst, src net.Conn, mode *atomic.Int32) {
	defer p.closePair(pair)
	buf := make([]byte, 32<<10)
	for {
		for mode.Load() == block {
			if pair.closed.Load() {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		n, err := src.Read(buf)
		for n > 0 && mode.Load() == block && !pair.closed.Load() {
			time.Sleep(10 * time.Millisecond) // held, not lost
		}
		if m := mode.Load(); n > 0 && (m == pass || m == dropOps && isHeartbeat(buf[:n])) {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *tcpProxy) closePair(pair *proxyPair) {
	if pair.closed.Swap(true) {
		return
	}
	pair.in.Close()
	pair.out.Close()
	p.mu.Lock()
	delete(p.conns, pair)
	p.mu.Unlock()
}

// set puts every open connection, and (when forNew) every later one, in
// the given modes.
func (p *tcpProxy) set(up, down int32, forNew bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pair := range p.conns {
		pair.up.Store(up)
		pair.down.Store(down)
	}
	if forNew {
		p.newUp, p.newDown = up, down
	}
}

// open is how many connections the proxy forwards now.
func (p *tcpProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// stop closes the listener and every connection and waits for their
// goroutines. It may be called more than once.
func (p *tcpProxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	p.stopped = true
	pairs := make([]*proxyPair, 0, len(p.conns))
	for pair := range p.conns {
		pairs = append(pairs, pair)
	}
	p.mu.Unlock()
	for _, pair := range pairs {
		p.closePair(pair)
	}
	p.wg.Wait()
}

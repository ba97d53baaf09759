// Package connguard keeps slow or stalled clients from holding the
// portal's connections forever. Every read and every write on a guarded
// connection must make progress within an idle timeout; the HTTP server's
// own deadlines (a whole request header within its read timeout, say)
// still apply, whichever comes first.
//
// A total write timeout cannot work for media: a recording of a gigabyte
// takes an hour on a slow but healthy link. So the limit is on progress:
// writers that hand large bodies to the connection in one call (sendfile,
// splice) must do so in pieces of at most Piece bytes.
package connguard

import (
	"io"
	"net"
	"sync"
	"time"
)

// Piece is the most a body writer hands to a guarded connection in one
// call, so that each call is bounded by the idle timeout: with the default
// two minutes a client must take at least 1 MiB per two minutes (about
// 70 kbit/s) to keep its connection.
const Piece = 1 << 20

// Listener guards every connection it accepts.
type Listener struct {
	net.Listener
	Idle time.Duration
}

// Listen wraps ln; idle <= 0 leaves connections unguarded.
func Listen(ln net.Listener, idle time.Duration) net.Listener {
	if idle <= 0 {
		return ln
	}
	return &Listener{Listener: ln, Idle: idle}
}

// Accept returns the next connection, guarded.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tcp, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	return &Conn{TCPConn: tcp, idle: l.Idle}, nil
}

// Conn is a TCP connection whose reads and writes each end by an idle
// deadline, or by the deadline its owner set, whichever is earlier. It
// keeps ReadFrom, so sendfile and splice still work through it.
type Conn struct {
	*net.TCPConn
	idle time.Duration

	mu            sync.Mutex
	readDeadline  time.Time // as set by the owner
	writeDeadline time.Time
}

func earliest(owner time.Time, idle time.Time) time.Time {
	if !owner.IsZero() && owner.Before(idle) {
		return owner
	}
	return idle
}

func (c *Conn) armRead() error {
	c.mu.Lock()
	d := earliest(c.readDeadline, time.Now().Add(c.idle))
	c.mu.Unlock()
	return c.TCPConn.SetReadDeadline(d)
}

func (c *Conn) armWrite() error {
	c.mu.Lock()
	d := earliest(c.writeDeadline, time.Now().Add(c.idle))
	c.mu.Unlock()
	return c.TCPConn.SetWriteDeadline(d)
}

func (c *Conn) Read(p []byte) (int, error) {
	if err := c.armRead(); err != nil {
		return 0, err
	}
	return c.TCPConn.Read(p)
}

func (c *Conn) Write(p []byte) (int, error) {
	if err := c.armWrite(); err != nil {
		return 0, err
	}
	return c.TCPConn.Write(p)
}

// ReadFrom hands r to the TCP connection (sendfile from files, splice
// from sockets) under one idle deadline: callers pass pieces.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.armWrite(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}

// SetDeadline records the owner's deadline for both directions.
func (c *Conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.readDeadline, c.writeDeadline = t, t
	c.mu.Unlock()
	return c.TCPConn.SetDeadline(t)
}

// SetReadDeadline records the owner's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.readDeadline = t
	c.mu.Unlock()
	return c.TCPConn.SetReadDeadline(t)
}

// SetWriteDeadline records the owner's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.writeDeadline = t
	c.mu.Unlock()
	return c.TCPConn.SetWriteDeadline(t)
}

// CopyInPieces copies n bytes from src to w in pieces of at most Piece
// bytes, each through w's ReadFrom when it has one (a bufio.Writer with
// an empty buffer passes it to the connection).
func CopyInPieces(w io.Writer, src io.Reader, n int64) (int64, error) {
	var total int64
	for total < n {
		want := min(n-total, Piece)
		m, err := io.Copy(w, &io.LimitedReader{R: src, N: want})
		total += m
		if err != nil {
			return total, err
		}
		if m < want {
			return total, io.ErrUnexpectedEOF
		}
	}
	return total, nil
}

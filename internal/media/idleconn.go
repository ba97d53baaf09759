package media

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// idleConn is a connection to the S3 server on which no read or write may
// wait longer than idle without progress in either direction: a server
// that stops sending mid-body, or stops reading a part being uploaded, is
// cut after idle (S3_TIMEOUT) instead of hanging the stream or upload.
// Any progress moves both deadlines, because net/http reads the
// connection for the answer while the request body is still being written.
type idleConn struct {
	net.Conn
	idle  time.Duration
	armed atomic.Int64 // unix nanoseconds of the last arming
}

// dialIdle wraps dial's connections in idleConn.
func dialIdle(dial func(ctx context.Context, network, addr string) (net.Conn, error), idle time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &idleConn{Conn: c, idle: idle}, nil
	}
}

// arm pushes both deadlines to now+idle; not more often than every
// idle/16, so a busy connection does not reset timers on each call (the
// bound then lies between 15/16 and all of idle).
func (c *idleConn) arm() error {
	now := time.Now()
	last := c.armed.Load()
	if now.UnixNano()-last < int64(c.idle/16) {
		return nil
	}
	c.armed.Store(now.UnixNano())
	return c.Conn.SetDeadline(now.Add(c.idle))
}

func (c *idleConn) Read(p []byte) (int, error) {
	if err := c.arm(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if err := c.arm(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

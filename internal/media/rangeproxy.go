package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/smakom/webinar-portal/internal/connguard"
)

// RangeProxy reads object ranges from a plain-HTTP S3 server over
// connections of its own, so a body can pass from the S3 server's socket
// to the viewer's with splice(2), never copied through the portal's
// memory. minio-go's responses hide their socket behind net/http's body
// readers; here the request is a presigned GET (the signature is cached
// per object, see Presigner) and the response is read by hand. Only
// plain HTTP qualifies: TLS bytes must be decrypted, so over TLS the
// portal reads through minio-go.
type RangeProxy struct {
	addr    string // host:port of the S3 server
	signer  *Presigner
	dialer  net.Dialer
	maxIdle int
	// stall bounds each piece of a body: it must arrive from the S3
	// server within stall (S3_TIMEOUT), or the stream is cut.
	stall time.Duration
	// clientIdle is how long the viewer may take over a piece
	// (HTTP_IDLE_TIMEOUT): a spliced piece both reads from S3 and
	// writes to the viewer, so its S3 deadline allows for both.
	clientIdle time.Duration

	mu   sync.Mutex
	idle []*proxyConn
}

type proxyConn struct {
	tcp *net.TCPConn
	br  *bufio.Reader
}

// NewRangeProxy reads the objects of cfg's bucket; nil when the server
// speaks TLS.
func NewRangeProxy(cfg Config) (*RangeProxy, error) {
	if cfg.UseSSL {
		return nil, nil
	}
	// URLs are signed for an hour and reused for 45 minutes.
	signer, err := NewPresigner(cfg, "", false, time.Hour)
	if err != nil {
		return nil, err
	}
	idle := cfg.Timeout
	if idle <= 0 {
		idle = time.Minute
	}
	return &RangeProxy{addr: cfg.Endpoint, signer: signer, maxIdle: 64, stall: idle,
		dialer: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}}, nil
}

// SetClientIdle tells the proxy how long a viewer may take to accept a
// piece (HTTP_IDLE_TIMEOUT), so a slow but live viewer never makes the
// S3 side of a spliced piece look stalled.
func (p *RangeProxy) SetClientIdle(d time.Duration) { p.clientIdle = d }

// errStale: a pooled connection was closed by the server before it
// answered; the request is sent again on a new connection.
var errStale = errors.New("idle S3 connection closed")

// Get asks for bytes [offset, offset+length) of key (length > 0). ctx
// bounds the request and its response header; the body is read later,
// without it.
func (p *RangeProxy) Get(ctx context.Context, key string, offset, length int64) (*ProxiedRange, error) {
	if length <= 0 || offset < 0 {
		return nil, fmt.Errorf("range %d+%d of %s", offset, length, key)
	}
	signed, _, err := p.signer.URL(ctx, key, "")
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(signed)
	if err != nil {
		return nil, fmt.Errorf("presigned URL for %s: %w", key, err)
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nRange: bytes=" + strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset+length-1, 10) +
		"\r\nUser-Agent: smakom-portal\r\n\r\n"
	for attempt := 0; ; attempt++ {
		pc, reused, err := p.conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", key, err)
		}
		r, err := p.roundTrip(ctx, pc, reused, req, key, length)
		if errors.Is(err, errStale) && attempt == 0 {
			continue
		}
		return r, err
	}
}

func (p *RangeProxy) roundTrip(ctx context.Context, pc *proxyConn, reused bool, req, key string, length int64) (*ProxiedRange, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	pc.tcp.SetDeadline(deadline)
	if _, err := io.WriteString(pc.tcp, req); err != nil {
		pc.tcp.Close()
		if reused {
			return nil, errStale
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	resp, err := http.ReadResponse(pc.br, nil)
	if err != nil {
		pc.tcp.Close()
		if reused && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
			return nil, errStale
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	pc.tcp.SetDeadline(time.Time{})
	if resp.StatusCode == http.StatusNotFound {
		pc.tcp.Close()
		return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if resp.StatusCode != http.StatusPartialContent && resp.StatusCode != http.StatusOK {
		pc.tcp.Close()
		return nil, fmt.Errorf("get %s: S3 answered %s", key, resp.Status)
	}
	// Only an identity body of exactly the asked length can be passed on
	// byte for byte (a 200 for a whole object has the same length).
	if len(resp.TransferEncoding) > 0 || resp.ContentLength != length {
		pc.tcp.Close()
		return nil, fmt.Errorf("get %s: S3 sent %d bytes (%v) for a range of %d", key, resp.ContentLength, resp.TransferEncoding, length)
	}
	return &ProxiedRange{p: p, pc: pc, remaining: length, keepAlive: !resp.Close}, nil
}

// conn takes an idle connection or dials a new one.
func (p *RangeProxy) conn(ctx context.Context) (*proxyConn, bool, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		pc := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return pc, true, nil
	}
	p.mu.Unlock()
	c, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, false, err
	}
	tcp, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, false, fmt.Errorf("S3 connection is %T, not TCP", c)
	}
	return &proxyConn{tcp: tcp, br: bufio.NewReaderSize(tcp, 32<<10)}, false, nil
}

func (p *RangeProxy) release(pc *proxyConn) {
	p.mu.Lock()
	if len(p.idle) < p.maxIdle {
		p.idle = append(p.idle, pc)
		pc = nil
	}
	p.mu.Unlock()
	if pc != nil {
		pc.tcp.Close()
	}
}

// IdleConns is how many S3 connections the proxy keeps open for the
// next range (at most 64).
func (p *RangeProxy) IdleConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// Close drops the idle connections.
func (p *RangeProxy) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, pc := range idle {
		pc.tcp.Close()
	}
}

// ProxiedRange is the body of a ranged read. Written to a TCP connection
// (directly or through an empty bufio.Writer) it goes out with splice.
type ProxiedRange struct {
	p         *RangeProxy
	pc        *proxyConn
	remaining int64
	keepAlive bool
	closed    bool
}

func (r *ProxiedRange) Read(b []byte) (int, error) {
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > r.remaining {
		b = b[:r.remaining]
	}
	r.pc.tcp.SetReadDeadline(time.Now().Add(r.p.stall))
	n, err := r.pc.br.Read(b)
	r.remaining -= int64(n)
	if err == io.EOF && r.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// WriteTo sends what the header read left buffered, then hands the
// rest of the body socket to the destination's ReadFrom: net.TCPConn
// splices from a *net.TCPConn under an io.LimitedReader.
func (r *ProxiedRange) WriteTo(w io.Writer) (int64, error) {
	var total int64
	if n := r.pc.br.Buffered(); n > 0 && r.remaining > 0 {
		head, _ := r.pc.br.Peek(int(min(int64(n), r.remaining)))
		written, err := w.Write(head)
		r.pc.br.Discard(written)
		r.remaining -= int64(written)
		total += int64(written)
		if err != nil {
			return total, err
		}
	}
	if r.remaining == 0 {
		return total, nil
	}
	if bw, ok := w.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return total, err
		}
	}
	// In pieces, so a viewer that stops reading is cut off (connguard),
	// and each piece must come from S3 within the idle bound: a server
	// that stops sending mid-body ends the stream instead of holding it.
	for r.remaining > 0 {
		r.pc.tcp.SetReadDeadline(time.Now().Add(r.p.stall + r.p.clientIdle))
		n, err := connguard.CopyInPieces(w, r.pc.tcp, min(r.remaining, connguard.Piece))
		r.remaining -= n
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close gives the connection back for the next range when its body was
// read whole; otherwise the rest of the body is never read and the
// connection is closed.
func (r *ProxiedRange) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.remaining == 0 && r.keepAlive {
		r.p.release(r.pc)
		return nil
	}
	return r.pc.tcp.Close()
}

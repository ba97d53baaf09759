package connguard_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/connguard"
)

// pair returns a guarded server side and a plain client side of a real
// TCP connection.
func pair(t *testing.T, idle time.Duration) (server net.Conn, client *net.TCPConn) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := connguard.Listen(raw, idle)
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client = c.(*net.TCPConn)
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	if _, ok := server.(*connguard.Conn); !ok {
		t.Fatalf("accepted %T, want a guarded connection", server)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// within fails the test when f has not returned after limit: a guard
// that never fires would hang the test instead.
func within(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still blocked after %v: the connection is not guarded", limit)
	}
}

func TestSilentClientIsCutOff(t *testing.T) {
	server, _ := pair(t, 200*time.Millisecond)
	within(t, 10*time.Second, func() {
		_, err := server.Read(make([]byte, 10))
		if !isTimeout(err) {
			t.Errorf("read from a silent client: %v, want a timeout", err)
		}
	})
}

func TestTrickleKeepsConnectionUntilOwnerDeadline(t *testing.T) {
	server, client := pair(t, 300*time.Millisecond)
	go func() {
		for range 40 { // one byte per 100 ms: progress, but slow
			if _, err := client.Write([]byte{'x'}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	// Progress within the idle timeout keeps the connection...
	got := 0
	buf := make([]byte, 1)
	for got < 5 {
		n, err := server.Read(buf)
		if err != nil {
			t.Fatalf("read %d trickled bytes, then %v: progress must keep the connection", got, err)
		}
		got += n
	}
	// ...but not past the deadline its owner set (the header deadline of
	// a slowloris request).
	server.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	within(t, 10*time.Second, func() {
		for {
			if _, err := server.Read(buf); err != nil {
				if !isTimeout(err) {
					t.Errorf("read ended with %v, want the owner's timeout", err)
				}
				return
			}
			got++
		}
	})
	if got >= 40 {
		t.Fatalf("read all %d bytes: the owner's deadline was ignored", got)
	}
}

func TestStalledReaderIsCutOffDuringSendfile(t *testing.T) {
	server, client := pair(t, 300*time.Millisecond)
	client.SetReadBuffer(4096) // a viewer that reads nothing
	f, err := os.Create(filepath.Join(t.TempDir(), "recording"))
	if err != nil {
		t.Fatal(err)
	}
	const size = 64 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(server)
	within(t, 20*time.Second, func() {
		n, err := connguard.CopyInPieces(w, f, size)
		if !isTimeout(err) || n >= size {
			t.Errorf("sent %d of %d bytes to a reader that reads nothing, error %v; want a timeout", n, size, err)
		}
	})
}

func TestCopyInPiecesCopiesEverything(t *testing.T) {
	server, client := pair(t, 5*time.Second)
	data := make([]byte, 3*connguard.Piece+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "slides")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	received := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(client); received <- b }()
	w := bufio.NewWriter(server)
	n, err := connguard.CopyInPieces(w, f, int64(len(data)))
	w.Flush()
	server.Close()
	if err != nil || n != int64(len(data)) {
		t.Fatalf("CopyInPieces = %d, %v", n, err)
	}
	if got := <-received; string(got) != string(data) {
		t.Fatalf("received %d bytes, not the file's %d", len(got), len(data))
	}
	if _, err := connguard.CopyInPieces(io.Discard, f, 10); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("copying past the end of the file: %v, want ErrUnexpectedEOF", err)
	}
}

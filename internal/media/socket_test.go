package media_test

import (
	"bufio"
	"io"
	"net"
	"testing"
)

// sendOverSocket writes head (left in the buffer, like response headers)
// and then body through WriteTo to a real TCP connection behind a
// bufio.Writer, as the HTTP server does, and returns what WriteTo
// reported and what the other end received.
func sendOverSocket(t *testing.T, head string, body io.WriterTo) (int64, []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		received <- b
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(conn)
	bw.WriteString(head)
	n, err := body.WriteTo(bw)
	if err == nil {
		err = bw.Flush()
	}
	conn.Close()
	if err != nil {
		t.Fatalf("WriteTo: %d bytes, %v", n, err)
	}
	return n, <-received
}

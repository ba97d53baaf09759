package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/smakom/webinar-portal/internal/media"
)

func TestRangeProxy(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, cfg := b.open(t)
			p, err := media.NewRangeProxy(cfg)
			if err != nil || p == nil {
				t.Fatalf("NewRangeProxy(plain HTTP) = %v, %v", p, err)
			}
			t.Cleanup(p.Close)
			s := suite{st: st, cfg: cfg}
			data := randomBytes(3<<20+5, 7)
			size := int64(len(data))
			key := media.NewKey(owner(), "recording", "mp4")
			s.put(t, key, data, size, "video/mp4")
			t.Cleanup(func() { _ = st.Delete(context.Background(), key) })

			ranges := []struct {
				name           string
				offset, length int64
			}{
				{"whole", 0, size}, {"first byte", 0, 1}, {"middle", size / 3, 1 << 20},
				{"last byte", size - 1, 1}, {"tail", size - 70_000, 70_000},
			}
			for _, rg := range ranges {
				want := data[rg.offset : rg.offset+rg.length]
				t.Run(rg.name+"/Read", func(t *testing.T) {
					r, err := p.Get(testContext(t), key, rg.offset, rg.length)
					if err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(r)
					r.Close()
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("read %d bytes (%v), want %d equal bytes", len(got), err, len(want))
					}
				})
				t.Run(rg.name+"/WriteTo socket", func(t *testing.T) {
					r, err := p.Get(testContext(t), key, rg.offset, rg.length)
					if err != nil {
						t.Fatal(err)
					}
					_, got := sendOverSocket(t, "HTTP/1.1 206\r\n\r\n", r)
					r.Close()
					if !bytes.Equal(got, append([]byte("HTTP/1.1 206\r\n\r\n"), want...)) {
						t.Fatalf("the socket got %d bytes, want %d equal bytes", len(got), len(want))
					}
				})
			}

			t.Run("connections are reused after whole bodies", func(t *testing.T) {
				p.Close()
				for range 3 {
					r, err := p.Get(testContext(t), key, 10, 1000)
					if err != nil {
						t.Fatal(err)
					}
					io.Copy(io.Discard, r)
					r.Close()
				}
				if n := p.IdleConns(); n != 1 {
					t.Fatalf("%d idle connections after three sequential reads, want 1 (reused)", n)
				}
			})
			t.Run("a body left unread closes its connection", func(t *testing.T) {
				before := p.IdleConns()
				r, err := p.Get(testContext(t), key, 0, size)
				if err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 100)
				io.ReadFull(r, buf)
				r.Close()
				if n := p.IdleConns(); n != before-1 {
					t.Fatalf("%d idle connections, want %d: a half-read connection went back to the pool", n, before-1)
				}
			})
			t.Run("dropped idle connections are dialled again", func(t *testing.T) {
				r, err := p.Get(testContext(t), key, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, r)
				r.Close()
				media.BreakIdleConns(p)
				r, err = p.Get(testContext(t), key, 5, 10)
				if err != nil {
					t.Fatalf("Get after the idle connection dropped: %v", err)
				}
				got, _ := io.ReadAll(r)
				r.Close()
				if !bytes.Equal(got, data[5:15]) {
					t.Fatalf("got %q", got)
				}
			})
			t.Run("missing object", func(t *testing.T) {
				_, err := p.Get(testContext(t), key+"-missing", 0, 10)
				if !errors.Is(err, media.ErrNotFound) {
					t.Fatalf("Get of a missing object: %v, want ErrNotFound", err)
				}
			})
			t.Run("range past the end", func(t *testing.T) {
				if r, err := p.Get(testContext(t), key, size-5, 10); err == nil {
					r.Close()
					t.Fatal("a range past the end was accepted; the viewer would get fewer bytes than announced")
				}
			})
		})
	}
}

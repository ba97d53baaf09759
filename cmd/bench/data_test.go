package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/smakom/webinar-portal/internal/probe"
)

func TestRecordingRandomAccessMatchesStream(t *testing.T) {
	const size = 3<<20 + 12345
	g, err := newRecording(size)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(g.reader(0, size))
	if err != nil || len(whole) != size {
		t.Fatalf("read %d bytes, err %v", len(whole), err)
	}
	if !bytes.Equal(whole[:len(g.prefix)], g.prefix) {
		t.Fatal("the recording does not start with the MP4 header")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		off := rng.Int64N(size)
		n := rng.Int64N(min(size-off, 300<<10)) + 1
		part := make([]byte, n)
		g.fill(part, off)
		if !bytes.Equal(part, whole[off:off+n]) {
			t.Fatalf("fill(%d, %d) differs from the stream", off, n)
		}
		streamed, _ := io.ReadAll(g.reader(off, n))
		if !bytes.Equal(streamed, part) {
			t.Fatalf("reader(%d, %d) differs from fill", off, n)
		}
		if err := g.check(part, make([]byte, n), off); err != nil {
			t.Fatal(err)
		}
	}
	part := make([]byte, 1000)
	g.fill(part, 1<<20)
	part[17] ^= 1
	if g.check(part, make([]byte, len(part)), 1<<20) == nil {
		t.Fatal("check accepted a changed byte")
	}
	again, _ := newRecording(size)
	if s1, _ := g.sha256(context.Background()); s1 == "" {
		t.Fatal("no digest")
	} else if s2, _ := again.sha256(context.Background()); s1 != s2 {
		t.Fatal("two generators of one size differ")
	}
}

// The portal refuses uploads that are not playable videos; the generated
// recording must pass its probe as a faststart H.264 MP4.
func TestRecordingPassesThePortalsProbe(t *testing.T) {
	for _, size := range []int64{1 << 20, 64 << 20, 5 << 30} {
		g, err := newRecording(size)
		if err != nil {
			t.Fatal(err)
		}
		info, err := probe.Probe(readerAt{g}, size)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if info.Container != "mp4" || !info.FastStart || info.Width == 0 || info.VideoCodec == "" {
			t.Fatalf("size %d: probe says %+v", size, info)
		}
	}
}

func BenchmarkRecordingReader(b *testing.B) {
	g, _ := newRecording(1 << 30)
	buf := make([]byte, 32<<10)
	b.SetBytes(64 << 20)
	for i := 0; i < b.N; i++ {
		r := g.reader(int64(i%8)<<20, 64<<20)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

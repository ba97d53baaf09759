package probe

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

// countingReader counts reads, to check that work stays bounded.
type countingReader struct {
	r     *bytes.Reader
	reads int
	bytes int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	n, err := c.r.ReadAt(p, off)
	c.bytes += int64(n)
	return n, err
}

// FuzzProbe: any bytes give an Info or a *probe.Error, never a panic, and
// the reads stay bounded. `go test` runs the seeds; fuzz with
// go test -fuzz FuzzProbe ./internal/probe/
func FuzzProbe(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	demo, _ := filepath.Glob("../demo/assets/vattenforsorjning.mp4")
	for _, name := range append(files, demo...) {
		if filepath.Ext(name) == ".md" {
			continue
		}
		b := readFile(f, name)
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	video := tracks(videoTrack("V_VP9", 640, 360), audioTrack("A_OPUS"))
	f.Add(webmFile("webm", webmInfo(1000000, 2500), video, cluster()))
	f.Add(webmUnknownSegment(webmInfo(1000000, 1500), video, cluster()))
	f.Add(webmWithSeekHead(webmInfo(1000000, 4000), video))
	f.Add(webmFile("webm", webmInfo(1000000, 2500), cluster()))
	f.Add([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41\x00\x00\x00\x01mdat\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte("\x00\x00\x00\x08ftyp\x00\x00\x00\x00moov"))
	f.Add([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80})

	f.Fuzz(func(t *testing.T, data []byte) {
		r := &countingReader{r: bytes.NewReader(data)}
		info, err := Probe(r, int64(len(data)))
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Probe = %v (%T); over bytes every error is a *probe.Error", err, err)
			}
			if pe.Message == "" || pe.Code == "" {
				t.Fatalf("error without code or message: %#v", pe)
			}
		} else {
			if info.Container != "mp4" && info.Container != "webm" || info.Width <= 0 || info.Height <= 0 ||
				info.VideoCodec == "" || info.Duration < 0 || info.Duration > maxDuration {
				t.Fatalf("Probe accepted with %+v", info)
			}
		}
		// Every box or element is looked at once, with a few reads each.
		if limit := 8*maxBoxes + 100; r.reads > limit {
			t.Fatalf("%d reads for %d bytes, want at most %d", r.reads, len(data), limit)
		}
		if r.bytes > 16*int64(len(data))+1<<20 {
			t.Fatalf("read %d bytes of a %d-byte file", r.bytes, len(data))
		}
	})
}

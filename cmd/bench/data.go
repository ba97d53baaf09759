package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/smakom/webinar-portal/internal/demo"
)

// recording is the generated recording every measurement uses. It starts
// with a real MP4 header, because the portal probes uploads and refuses
// anything that is not a playable video: the ftyp and moov of a bundled
// demo clip, then the clip's mdat, declared to run to the end of the file
// (box size 0), so the clip's own frames stay where its index says and
// ffmpeg can take a poster from them. Past the clip come bytes of an
// AES-CTR keystream under a fixed key. Any byte follows from its offset,
// so a 2 GiB file is never held in memory and a range is checked without
// reading what comes before it.
type recording struct {
	size   int64
	prefix []byte
	block  cipher.Block
}

// benchKey keys the keystream; fixed, so every run sends the same bytes.
var benchKey = []byte("smakom-bench-k16")

func newRecording(size int64) (*recording, error) {
	prefix, err := mp4Prefix()
	if err != nil {
		return nil, err
	}
	if size < int64(len(prefix)) {
		return nil, fmt.Errorf("a recording needs at least %d bytes (the demo clip's), not %d", len(prefix), size)
	}
	block, err := aes.NewCipher(benchKey)
	if err != nil {
		return nil, err
	}
	return &recording{size: size, prefix: prefix, block: block}, nil
}

// mp4Prefix is the demo clip "vattenförsörjningen" with its last box, the
// mdat, made open-ended.
func mp4Prefix() ([]byte, error) {
	webinars, err := demo.Webinars()
	if err != nil {
		return nil, err
	}
	var clip []byte
	for _, w := range webinars {
		if strings.Contains(strings.ToLower(w.Title), "vattenförsörjning") {
			clip = w.Video
		}
	}
	if clip == nil && len(webinars) > 0 {
		clip = webinars[0].Video
	}
	if clip == nil {
		return nil, errors.New("the demo archive has no video clip to build the recording's header from")
	}
	return openEndedMdat(clip)
}

// openEndedMdat returns a copy of an MP4 whose last top-level box, which
// must be the mdat, gets size 0: "to the end of the file".
func openEndedMdat(mp4 []byte) ([]byte, error) {
	out := append([]byte(nil), mp4...)
	for off := 0; off+8 <= len(out); {
		size := int(binary.BigEndian.Uint32(out[off:]))
		typ := string(out[off+4 : off+8])
		if typ == "mdat" {
			if size == 1 || off+size != len(out) {
				return nil, fmt.Errorf("demo clip: the mdat at %d is not a plain last box", off)
			}
			binary.BigEndian.PutUint32(out[off:], 0)
			return out, nil
		}
		if size < 8 {
			return nil, fmt.Errorf("demo clip: unexpected box %q of size %d at %d", typ, size, off)
		}
		off += size
	}
	return nil, errors.New("demo clip: no mdat box")
}

// keystream returns the CTR stream positioned at off.
func (g *recording) keystream(off int64) cipher.Stream {
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[8:], uint64(off/16))
	s := cipher.NewCTR(g.block, iv[:])
	if skip := off % 16; skip > 0 {
		var b [16]byte
		s.XORKeyStream(b[:skip], b[:skip])
	}
	return s
}

// fill sets p to the recording's bytes from off.
func (g *recording) fill(p []byte, off int64) {
	clear(p)
	g.keystream(off).XORKeyStream(p, p)
	g.overlayPrefix(p, off)
}

func (g *recording) overlayPrefix(p []byte, off int64) {
	if off < int64(len(g.prefix)) {
		copy(p, g.prefix[off:])
	}
}

// reader streams bytes [off, off+n). It is deliberately neither an
// io.Seeker nor an io.ReaderAt: minio-go then uploads it part by part as
// it does the portal's request bodies, and net/http sends it as is.
func (g *recording) reader(off, n int64) io.Reader {
	return &recordingReader{g: g, off: off, end: off + n}
}

type recordingReader struct {
	g        *recording
	off, end int64
	ks       cipher.Stream // positioned at off once created
}

func (r *recordingReader) Read(p []byte) (int, error) {
	if r.off >= r.end {
		return 0, io.EOF
	}
	if int64(len(p)) > r.end-r.off {
		p = p[:r.end-r.off]
	}
	if r.ks == nil {
		r.ks = r.g.keystream(r.off)
	}
	clear(p)
	r.ks.XORKeyStream(p, p)
	r.g.overlayPrefix(p, r.off)
	r.off += int64(len(p))
	return len(p), nil
}

// sha256 is the digest of the whole recording.
func (g *recording) sha256(ctx context.Context) (string, error) {
	h := sha256.New()
	r := g.reader(0, g.size)
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
	}
}

// check compares a body read from off with the recording. scratch must be
// as long as body.
func (g *recording) check(body, scratch []byte, off int64) error {
	g.fill(scratch, off)
	if bytes.Equal(body, scratch) {
		return nil
	}
	for i := range body {
		if body[i] != scratch[i] {
			return fmt.Errorf("byte %d differs from the recording", off+int64(i))
		}
	}
	return fmt.Errorf("%d bytes from %d: want %d", len(body), off, len(scratch))
}

// readerAt gives the probe random access to the recording.
type readerAt struct{ g *recording }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.g.size {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > r.g.size-off {
		n = int(r.g.size - off)
	}
	r.g.fill(p[:n], off)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

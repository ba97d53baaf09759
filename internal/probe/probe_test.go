package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

func probeBytes(b []byte) (Info, error) { return Probe(bytes.NewReader(b), int64(len(b))) }

func TestProbeFixtures(t *testing.T) {
	demo, err := filepath.Glob("../demo/assets/*.mp4")
	if err != nil || len(demo) == 0 {
		t.Fatalf("no demo clips in ../demo/assets: %v", err)
	}
	tests := []struct {
		file string
		want Info
	}{
		{"testdata/moov-at-end.mp4", Info{Container: "mp4", Duration: 3 * time.Second, Width: 320, Height: 180,
			VideoCodec: "avc1.64000c", AudioCodec: "mp4a.40.2", FastStart: false}},
		{"testdata/vp9-opus.webm", Info{Container: "webm", Duration: 2541 * time.Millisecond, Width: 320, Height: 180,
			VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
		{"testdata/tiny.mp4", Info{Container: "mp4", Duration: 200 * time.Millisecond, Width: 64, Height: 36,
			VideoCodec: "avc1.42c00a", FastStart: true}},
		{"testdata/live.webm", Info{Container: "webm", Duration: 2 * time.Second, Width: 320, Height: 180,
			VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
	}
	for _, f := range demo {
		tests = append(tests, struct {
			file string
			want Info
		}{f, Info{Container: "mp4", Duration: 14 * time.Second, Width: 480, Height: 270,
			VideoCodec: "avc1.4d401e", AudioCodec: "mp4a.40.2", FastStart: true}})
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			got, err := probeBytes(readFile(t, tt.file))
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			// The demo clips' level depends on the x264 build: compare the profile.
			if strings.HasPrefix(tt.file, "../demo/") && strings.HasPrefix(got.VideoCodec, "avc1.4d40") {
				got.VideoCodec = tt.want.VideoCodec
			}
			if got != tt.want {
				t.Errorf("Probe =\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
}

// mp4Boxes splits a file into its top-level boxes.
func mp4Boxes(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	boxes := map[string][]byte{}
	for off := 0; off < len(b); {
		size := int(binary.BigEndian.Uint32(b[off:]))
		if size < 8 || off+size > len(b) {
			t.Fatalf("fixture box at %d has size %d", off, size)
		}
		boxes[string(b[off+4:off+8])] = b[off : off+size]
		off += size
	}
	return boxes
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestProbeRefusesBadFiles(t *testing.T) {
	moovAtEnd := readFile(t, "testdata/moov-at-end.mp4")
	boxes := mp4Boxes(t, moovAtEnd)
	demo := readFile(t, "../demo/assets/vattenforsorjning.mp4")
	random := make([]byte, 4096)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rnd.UintN(256))
	}
	mp4v := bytes.Clone(moovAtEnd)
	copy(mp4v[bytes.LastIndex(mp4v, []byte("avc1")):], "mp4v") // the sample entry, not the ftyp brand
	renamedMoov := bytes.Replace(moovAtEnd, []byte("moov"), []byte("skip"), 1)

	tests := []struct {
		name        string
		data        []byte
		codes       []string // any of them
		unsupported bool
		message     string // part of the Swedish message
	}{
		{"empty", nil, []string{"not_video"}, true, "varken en MP4- eller en WebM-video"},
		{"text renamed .mp4", []byte("MZ not a video at all, just some text"), []string{"not_video"}, true, "varken"},
		{"faststart mp4 cut in half", demo[:len(demo)/2], []string{"truncated"}, false, "ofullständig"},
		{"moov-at-end mp4 cut inside moov", moovAtEnd[:len(moovAtEnd)-100], []string{"truncated"}, false, "ofullständig"},
		{"mp4 without moov", cat(boxes["ftyp"], boxes["free"], boxes["mdat"]), []string{"no_index"}, false, "saknar index (moov)"},
		{"mp4 with moov renamed", renamedMoov, []string{"no_index"}, false, "saknar index (moov)"},
		{"mp4 without mdat", cat(boxes["ftyp"], boxes["moov"]), []string{"no_media_data"}, false, "saknar videodata"},
		{"ftyp only", boxes["ftyp"], []string{"no_index"}, false, "moov"},
		{"random bytes after ftyp", cat(boxes["ftyp"], random), []string{"damaged", "truncated"}, false, ""},
		{"audio-only mp4", readFile(t, "testdata/audio-only.mp4"), []string{"no_video_track"}, true, "saknar videospår"},
		{"mp4 with MPEG-4 Part 2 video", mp4v, []string{"unsupported_codec"}, true, "MPEG-4 Part 2"},
		{"webm without tracks", webmFile("webm", webmInfo(1000000, 2500), cluster()), []string{"no_tracks"}, false, "WebM-filen saknar spår"},
		{"webm with audio only", webmFile("webm", webmInfo(1000000, 2500), tracks(audioTrack("A_OPUS")), cluster()), []string{"no_video_track"}, true, "saknar videospår"},
		{"webm with H.264", webmFile("webm", webmInfo(1000000, 2500), tracks(videoTrack("V_MPEG4/ISO/AVC", 320, 180)), cluster()), []string{"unsupported_codec"}, true, "V_MPEG4/ISO/AVC"},
		{"webm video without size", webmFile("webm", webmInfo(1000000, 2500), tracks(videoTrack("V_VP9", 0, 180)), cluster()), []string{"damaged"}, false, "skadat"},
		{"matroska", webmFile("matroska", webmInfo(1000000, 2500), tracks(videoTrack("V_VP9", 320, 180)), cluster()), []string{"not_webm"}, true, "Matroska"},
		{"webm cut inside tracks", webmFile("webm", webmInfo(1000000, 2500), tracks(videoTrack("V_VP9", 320, 180)))[:60], []string{"truncated"}, false, "ofullständig"},
		{"webm header only", ebmlHeader("webm"), []string{"truncated"}, false, ""},
		{"EBML magic then garbage", cat(ebmlMagic, random[:100]), []string{"damaged", "truncated", "not_video"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := probeBytes(tt.data)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Probe = %+v, %v (%T); want *probe.Error", info, err, err)
			}
			if !contains(tt.codes, pe.Code) {
				t.Errorf("code %q (%v), want one of %q", pe.Code, pe, tt.codes)
			}
			if pe.Code != "damaged" && pe.Code != "truncated" && pe.Unsupported != tt.unsupported {
				t.Errorf("Unsupported = %v, want %v", pe.Unsupported, tt.unsupported)
			}
			if !strings.Contains(pe.Message, tt.message) {
				t.Errorf("message %q lacks %q", pe.Message, tt.message)
			}
			if !strings.HasSuffix(pe.Message, ".") || strings.ContainsAny(pe.Message, "[]") {
				t.Errorf("message %q is not a sentence for a person", pe.Message)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestProbeWebMVariants(t *testing.T) {
	video := tracks(videoTrack("V_VP9", 640, 360), audioTrack("A_OPUS"))
	tests := []struct {
		name string
		data []byte
		want Info
	}{
		{"no duration (MediaRecorder)", webmFile("webm", webmInfo(1000000, -1), video, cluster()),
			Info{Container: "webm", Width: 640, Height: 360, VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
		{"unknown segment size", webmUnknownSegment(webmInfo(1000000, 1500), video, cluster()),
			Info{Container: "webm", Duration: 1500 * time.Millisecond, Width: 640, Height: 360, VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
		{"timecode scale in microseconds", webmFile("webm", webmInfo(1000, 2500000), video),
			Info{Container: "webm", Duration: 2500 * time.Millisecond, Width: 640, Height: 360, VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
		{"tracks after the clusters, found through the SeekHead", webmWithSeekHead(webmInfo(1000000, 4000), video),
			Info{Container: "webm", Duration: 4 * time.Second, Width: 640, Height: 360, VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
		{"absurd duration is unknown", webmFile("webm", webmInfo(1000000, math.Inf(1)), video),
			Info{Container: "webm", Width: 640, Height: 360, VideoCodec: "vp9", AudioCodec: "opus", FastStart: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := probeBytes(tt.data)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if got != tt.want {
				t.Errorf("Probe =\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
}

// sparse is a file of size bytes that is zero except for parts placed in it.
type sparse struct {
	size  int64
	parts map[int64][]byte
}

func (s *sparse) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > s.size-off {
		n = int(s.size - off)
	}
	clear(p[:n])
	for at, b := range s.parts {
		lo, hi := max(at, off), min(at+int64(len(b)), off+int64(n))
		if lo < hi {
			copy(p[lo-off:hi-off], b[lo-at:hi-at])
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *sparse) get(_ context.Context, off, length int64) (io.ReadCloser, error) {
	if off >= s.size {
		return nil, errors.New("416 range not satisfiable")
	}
	return io.NopCloser(io.NewSectionReader(s, off, length)), nil
}

// A 2 GiB recording is probed with a few small ranged reads, whether its
// index is at the start or behind all the media data.
func TestProbeLargeFileFewReads(t *testing.T) {
	const mdatSize = 2 << 30
	moovAtEnd := mp4Boxes(t, readFile(t, "testdata/moov-at-end.mp4"))
	demo := readFile(t, "../demo/assets/vattenforsorjning.mp4")
	demoBoxes := mp4Boxes(t, demo)

	largeMdat := make([]byte, 16) // size 1: a 64-bit size follows the type
	binary.BigEndian.PutUint32(largeMdat, 1)
	copy(largeMdat[4:], "mdat")
	binary.BigEndian.PutUint64(largeMdat[8:], mdatSize)

	head := cat(moovAtEnd["ftyp"], moovAtEnd["free"])
	atEnd := &sparse{size: int64(len(head)) + mdatSize + int64(len(moovAtEnd["moov"])), parts: map[int64][]byte{
		0:                                  head,
		int64(len(head)):                   largeMdat,
		int64(len(head)) + int64(mdatSize): moovAtEnd["moov"],
	}}
	head = cat(demoBoxes["ftyp"], demoBoxes["free"], demoBoxes["moov"])
	atStart := &sparse{size: int64(len(head)) + mdatSize, parts: map[int64][]byte{0: head, int64(len(head)): largeMdat}}

	for _, tt := range []struct {
		name      string
		file      *sparse
		faststart bool
	}{{"moov at the end", atEnd, false}, {"moov first", atStart, true}} {
		t.Run(tt.name, func(t *testing.T) {
			r := ReaderAt(context.Background(), tt.file.get)
			info, err := Probe(r, tt.file.size)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if info.FastStart != tt.faststart || info.Width == 0 || info.Duration == 0 {
				t.Errorf("Probe = %+v, want FastStart %v with size and duration", info, tt.faststart)
			}
			if r.Requests() > 4 || r.Fetched() > 512<<10 {
				t.Errorf("probing took %d requests and %d bytes; want at most 4 and 512 KiB", r.Requests(), r.Fetched())
			}
			t.Logf("%d requests, %d bytes", r.Requests(), r.Fetched())
		})
	}
}

func TestRangeReader(t *testing.T) {
	data := make([]byte, 3*blockSize+100)
	for i := range data {
		data[i] = byte(i * 31)
	}
	file := &sparse{size: int64(len(data)), parts: map[int64][]byte{0: data}}
	r := ReaderAt(context.Background(), file.get)
	check := func(off int64, n int, wantN int, wantErr error) {
		t.Helper()
		p := make([]byte, n)
		got, err := r.ReadAt(p, off)
		if got != wantN || err != wantErr {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", n, off, got, err, wantN, wantErr)
		}
		if !bytes.Equal(p[:got], data[off:off+int64(got)]) {
			t.Fatalf("ReadAt(%d bytes at %d) returned the wrong bytes", n, off)
		}
	}
	check(0, 8, 8, nil)
	check(blockSize-4, 8, 8, nil) // spans two blocks
	check(10, 100, 100, nil)      // cached
	if r.Requests() != 2 {
		t.Errorf("%d requests for reads within two blocks, want 2", r.Requests())
	}
	check(int64(len(data))-10, 20, 10, io.EOF)
	check(blockSize, blockSize+5, blockSize+5, nil) // large: one direct request
	check(int64(len(data))-5, blockSize, 5, io.EOF)

	failing := ReaderAt(context.Background(), func(context.Context, int64, int64) (io.ReadCloser, error) {
		return nil, errors.New("connection reset")
	})
	_, err := Probe(failing, 1<<20)
	var pe *Error
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Probe over a failing reader = %v; want the read error, not a *probe.Error", err)
	}
}

// A read that fails in the middle of a file is a read error, not a
// damaged file.
func TestProbeReadErrorMidway(t *testing.T) {
	b := readFile(t, "testdata/moov-at-end.mp4")
	r := ReaderAt(context.Background(), func(_ context.Context, off, length int64) (io.ReadCloser, error) {
		if off > 0 {
			return nil, errors.New("S3 timeout")
		}
		return io.NopCloser(bytes.NewReader(b[:min(length, 1000)])), nil // and short
	})
	_, err := Probe(r, int64(len(b)))
	var pe *Error
	if err == nil || errors.As(err, &pe) {
		t.Fatalf("Probe = %v; want a read error", err)
	}
}

// ---- a small EBML writer for WebM test files ----

func vintSize(n int) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(n))
	b[0] = 0x01
	return b
}

func el(id uint32, body ...[]byte) []byte {
	var idb []byte
	for shift := 24; shift >= 0; shift -= 8 {
		if c := byte(id >> shift); c != 0 || len(idb) > 0 {
			idb = append(idb, c)
		}
	}
	data := cat(body...)
	return cat(idb, vintSize(len(data)), data)
}

func uintEl(id uint32, v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return el(id, b)
}

func floatEl(id uint32, v float64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, math.Float64bits(v))
	return el(id, b)
}

func ebmlHeader(docType string) []byte {
	return el(idEBML, uintEl(0x4286, 1), el(idDocType, []byte(docType)))
}

// webmInfo is an Info element; duration < 0 leaves Duration out.
func webmInfo(scale uint64, duration float64) []byte {
	if duration < 0 {
		return el(idInfo, uintEl(idTimecodeScale, scale))
	}
	return el(idInfo, uintEl(idTimecodeScale, scale), floatEl(idDuration, duration))
}

func videoTrack(codec string, w, h uint64) []byte {
	return el(idTrackEntry, uintEl(0xD7, 1), uintEl(idTrackType, 1), el(idCodecID, []byte(codec)),
		el(idVideo, uintEl(idPixelWidth, w), uintEl(idPixelHeight, h)))
}

func audioTrack(codec string) []byte {
	return el(idTrackEntry, uintEl(0xD7, 2), uintEl(idTrackType, 2), el(idCodecID, []byte(codec)))
}

func tracks(entries ...[]byte) []byte { return el(idTracks, entries...) }

func cluster() []byte { return el(idCluster, uintEl(0xE7, 0), el(0xA3, make([]byte, 64))) }

func webmFile(docType string, children ...[]byte) []byte {
	return cat(ebmlHeader(docType), el(idSegment, children...))
}

func webmUnknownSegment(children ...[]byte) []byte {
	return cat(ebmlHeader("webm"), []byte{0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, cat(children...))
}

// webmWithSeekHead puts Tracks behind a Cluster, where only the SeekHead
// points to it.
func webmWithSeekHead(info, trk []byte) []byte {
	seek := func(pos int) []byte {
		return el(idSeekHead, el(idSeek, el(idSeekID, []byte{0x16, 0x54, 0xAE, 0x6B}), uintEl(idSeekPosition, uint64(pos))))
	}
	c := cluster()
	pos := len(seek(0)) + len(info) + len(c)
	return webmFile("webm", seek(pos), info, c, trk)
}

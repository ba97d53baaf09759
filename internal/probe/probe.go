// Package probe reads what a recording is (container, duration,
// resolution, codecs, whether an MP4's index comes first) from the few
// bytes that say so, without ffmpeg, and refuses files browsers cannot
// play. It reads through an io.ReaderAt, so a 2 GB recording in object
// storage is probed with a handful of small ranged requests.
package probe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Info is what a probe found.
type Info struct {
	Container  string // "mp4" or "webm"
	Duration   time.Duration
	Width      int
	Height     int
	VideoCodec string // as in a codecs parameter: "avc1.4d401e", "vp9"
	AudioCodec string // "mp4a.40.2", "opus"; "" without an audio track
	// FastStart: a player can start before it has the whole file. For MP4
	// the index (moov) comes before the media data (mdat); WebM always.
	FastStart bool
}

// NeedsFastStart reports an MP4 whose index sits after its media data:
// a browser must load it to the end before it can play.
func (i Info) NeedsFastStart() bool { return i.Container == "mp4" && !i.FastStart }

// Codecs is the value of a codecs parameter for the file's tracks.
func (i Info) Codecs() string {
	if i.AudioCodec == "" {
		return i.VideoCodec
	}
	return i.VideoCodec + ", " + i.AudioCodec
}

// Error says why a file is not a playable recording. Message is Swedish
// and tells a person what to do; Code is stable for the API.
type Error struct {
	Code    string
	Message string
	// Unsupported: a well-formed file of a kind or codec the portal does
	// not play (HTTP 415), as opposed to a damaged one (422).
	Unsupported bool
	// Detail says, for logs, what exactly was wrong.
	Detail string
}

// Error is for logs: the code and detail. Show Message to people.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "probe: " + e.Code
	}
	return "probe: " + e.Code + ": " + e.Detail
}

// Limits that keep the work bounded whatever the file claims.
const (
	maxTopLevel  = 10000   // top-level MP4 boxes or WebM segment children walked
	maxBoxes     = 20000   // boxes or elements looked at in all
	maxSmallBody = 1 << 20 // largest box or element body read into memory
)

const (
	notPlayableMP4  = "Filen är ingen spelbar MP4-video: "
	notPlayableWebM = "Filen är ingen spelbar WebM-video: "
	exportAgain     = " Exportera eller spara videon på nytt och ladda upp den igen."
)

var (
	errNotVideo = &Error{Code: "not_video", Unsupported: true,
		Message: "Filen är varken en MP4- eller en WebM-video."}
)

// truncated: the file ends inside a box or element (an upload or export
// that stopped part way).
func truncated(format string, args ...any) *Error {
	return &Error{Code: "truncated", Message: "Filen är ofullständig: den tar slut mitt i videon. Ladda upp hela filen igen.",
		Detail: fmt.Sprintf(format, args...)}
}

func damagedMP4(detail string) *Error {
	return &Error{Code: "damaged", Message: notPlayableMP4 + "innehållet är skadat." + exportAgain, Detail: detail}
}

func damagedWebM(detail string) *Error {
	return &Error{Code: "damaged", Message: notPlayableWebM + "innehållet är skadat." + exportAgain, Detail: detail}
}

func tooComplex(container string) *Error {
	return &Error{Code: "too_complex", Message: "Filen är ingen spelbar " + container +
		"-video: den består av ovanligt många delar och kan inte kontrolleras." + exportAgain}
}

func unplayableCodec(container, codec string) *Error {
	return &Error{Code: "unsupported_codec", Unsupported: true, Message: fmt.Sprintf(
		"Videon i %s-filen är kodad med %s, som webbläsare inte kan spela. Koda om den till H.264 i MP4 (eller VP9 i WebM) och ladda upp den igen.",
		container, CodecLabel(codec))}
}

// Probe reads what the file of size bytes is. It returns *Error for a
// file that is not a playable MP4 or WebM, and another error when r fails.
func Probe(r io.ReaderAt, size int64) (Info, error) {
	tr := &trackingReader{r: r, size: size}
	info, err := probe(tr, size)
	if tr.err != nil {
		// What looked like a damaged file was a failed read.
		return Info{}, fmt.Errorf("probe: %w", tr.err)
	}
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			err = fmt.Errorf("probe: %w", err)
		}
		return Info{}, err
	}
	return info, nil
}

func probe(r io.ReaderAt, size int64) (Info, error) {
	head := make([]byte, 12)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return Info{}, err
	}
	head = head[:n]
	switch {
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return probeMP4(r, size)
	case bytes.HasPrefix(head, ebmlMagic):
		return probeWebM(r, size)
	}
	return Info{}, errNotVideo
}

// trackingReader keeps the first error of r, so that a failed read is not
// taken for a damaged file. The probes check sizes before they read, so
// an end of data before size is a failed read too (a cut connection).
type trackingReader struct {
	r    io.ReaderAt
	size int64
	err  error
}

func (t *trackingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := t.r.ReadAt(p, off)
	if t.err == nil {
		switch {
		case err == io.EOF && off+int64(n) < min(off+int64(len(p)), t.size):
			t.err = fmt.Errorf("data ends at %d, before the size of %d bytes", off+int64(n), t.size)
		case err != nil && err != io.EOF:
			t.err = err
		}
	}
	return n, err
}

// CodecLabel names a codec the way people know it: "H.264", "AAC".
func CodecLabel(codec string) string {
	c := strings.ToLower(codec)
	prefix := c
	if i := strings.IndexByte(c, '.'); i >= 0 {
		prefix = c[:i]
	}
	switch {
	case prefix == "avc1" || prefix == "avc3":
		return "H.264"
	case prefix == "hvc1" || prefix == "hev1":
		return "H.265 (HEVC)"
	case prefix == "vp09" || c == "vp9":
		return "VP9"
	case prefix == "vp08" || c == "vp8":
		return "VP8"
	case prefix == "av01" || c == "av1":
		return "AV1"
	case prefix == "mp4v":
		return "MPEG-4 Part 2"
	case c == "mp4a.40.34" || c == "mp4a.6b" || c == "mp4a.69" || c == "mp3":
		return "MP3"
	case prefix == "mp4a":
		return "AAC"
	case c == "opus":
		return "Opus"
	case c == "vorbis":
		return "Vorbis"
	case c == "ac-3":
		return "AC-3"
	case c == "ec-3":
		return "E-AC-3"
	case c == "":
		return ""
	}
	return codec
}

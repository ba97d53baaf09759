package probe

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	mp4 "github.com/abema/go-mp4"
)

// boxHeader is a top-level MP4 box as found by walking the file.
type boxHeader struct {
	typ    string
	off    int64 // where the box starts
	size   int64 // including the header; to the end of the file for size 0
	header int64 // 8 or 16
}

// readBoxHeader reads the header of the box at off in a file of size bytes.
func readBoxHeader(r io.ReaderAt, off, size int64) (boxHeader, error) {
	var b [16]byte
	if size-off < 8 {
		return boxHeader{}, truncated("%d bytes after the last box at %d", size-off, off)
	}
	if _, err := r.ReadAt(b[:8], off); err != nil {
		return boxHeader{}, truncated("box header at %d: %v", off, err)
	}
	h := boxHeader{typ: string(b[4:8]), off: off, size: int64(binary.BigEndian.Uint32(b[:4])), header: 8}
	switch h.size {
	case 0: // the last box, to the end of the file
		h.size = size - off
	case 1: // a 64-bit size follows the type
		if size-off < 16 {
			return boxHeader{}, truncated("large box header at %d", off)
		}
		if _, err := r.ReadAt(b[8:16], off+8); err != nil {
			return boxHeader{}, truncated("large box header at %d: %v", off, err)
		}
		large := binary.BigEndian.Uint64(b[8:16])
		if large > math.MaxInt64 {
			return boxHeader{}, truncated("box %q at %d of size %d", h.typ, off, large)
		}
		h.size, h.header = int64(large), 16
	}
	if !printable(h.typ) || h.size < h.header {
		return boxHeader{}, damagedMP4(fmt.Sprintf("invalid box header at %d", off))
	}
	if h.size > size-off {
		return boxHeader{}, truncated("box %q at %d of %d bytes, but the file has %d", h.typ, off, h.size, size)
	}
	return h, nil
}

func printable(fourcc string) bool {
	for i := 0; i < len(fourcc); i++ {
		if fourcc[i] < 0x20 || fourcc[i] > 0x7e {
			return false
		}
	}
	return true
}

// probeMP4 walks the top-level boxes by their headers only (skipping
// media data of any size), then reads the parts of moov it needs.
func probeMP4(r io.ReaderAt, size int64) (Info, error) {
	var moov *boxHeader
	media := int64(-1) // where the first mdat or moof starts
	for off, n := int64(0), 0; off < size; n++ {
		if n >= maxTopLevel {
			return Info{}, tooComplex("MP4")
		}
		h, err := readBoxHeader(r, off, size)
		if err != nil {
			return Info{}, err
		}
		if n == 0 && h.typ != "ftyp" {
			return Info{}, errNotVideo
		}
		switch h.typ {
		case "moov":
			if moov == nil {
				moov = &h
			}
		case "mdat", "moof":
			if media < 0 {
				media = h.off
			}
		}
		if moov != nil && media >= 0 {
			break
		}
		off += h.size
	}
	if moov == nil {
		return Info{}, &Error{Code: "no_index", Message: notPlayableMP4 +
			"den saknar index (moov). Det händer när en inspelning inte avslutades ordentligt." + exportAgain}
	}
	if media < 0 {
		return Info{}, &Error{Code: "no_media_data", Message: notPlayableMP4 + "den saknar videodata (mdat)." + exportAgain}
	}
	m, err := readMoov(r, *moov)
	if err != nil {
		return Info{}, err
	}
	info, err := m.info()
	if err != nil {
		return Info{}, err
	}
	info.FastStart = moov.off < media
	return info, nil
}

// mp4Track is what moov says about one track.
type mp4Track struct {
	handler       string // "vide", "soun", ...
	timescale     uint32
	duration      uint64
	entry         string // fourcc of the first sample entry
	width, height int    // from the visual sample entry
	tkhdW, tkhdH  int
	codec         string // codecs parameter, when the entry's config says more
}

type mp4Moov struct {
	timescale uint32
	duration  uint64
	fragments uint64 // mehd: duration of a fragmented file
	tracks    []*mp4Track
	boxes     int
}

// readMoov reads the moov box at h, expanding only the boxes on the way to
// the headers and sample descriptions; sample tables are skipped unread.
func readMoov(r io.ReaderAt, h boxHeader) (*mp4Moov, error) {
	sr := io.NewSectionReader(r, h.off, h.size)
	bi := &mp4.BoxInfo{Offset: 0, Size: uint64(h.size), HeaderSize: uint64(h.header), Type: mp4.BoxTypeMoov()}
	m := &mp4Moov{}
	_, err := mp4.ReadBoxStructureFromInternal(sr, bi, m.handle)
	if err != nil {
		if pe, ok := err.(*Error); ok {
			return nil, pe
		}
		return nil, damagedMP4("moov: " + shorten(err.Error()))
	}
	return m, nil
}

func (m *mp4Moov) track() *mp4Track {
	if len(m.tracks) == 0 {
		return nil
	}
	return m.tracks[len(m.tracks)-1]
}

func (m *mp4Moov) handle(h *mp4.ReadHandle) (any, error) {
	m.boxes++
	if m.boxes > maxBoxes {
		return nil, tooComplex("MP4")
	}
	typ := h.BoxInfo.Type.String()
	parent := ""
	if len(h.Path) >= 2 {
		parent = h.Path[len(h.Path)-2].String()
	}
	// Sample entries of any codec are recorded; the ones go-mp4 knows are
	// read for their size and codec configuration.
	if parent == "stsd" {
		t := m.track()
		if t == nil || t.entry != "" {
			return nil, nil
		}
		t.entry = typ
		if !h.BoxInfo.IsSupportedType() || h.BoxInfo.Size > maxSmallBody {
			return nil, nil
		}
		box, _, err := h.ReadPayload()
		if err != nil {
			return nil, err
		}
		if v, ok := box.(*mp4.VisualSampleEntry); ok {
			t.width, t.height = int(v.Width), int(v.Height)
		}
		_, err = h.Expand()
		return nil, err
	}
	switch typ {
	case "moov", "mdia", "minf", "stbl", "mvex":
		_, err := h.Expand()
		return nil, err
	case "trak":
		m.tracks = append(m.tracks, &mp4Track{})
		_, err := h.Expand()
		return nil, err
	case "stsd":
		if h.BoxInfo.Size > maxSmallBody {
			return nil, damagedMP4("stsd box too large")
		}
		_, err := h.Expand()
		return nil, err
	case "mvhd", "mehd", "tkhd", "mdhd", "hdlr", "avcC", "esds":
	default:
		return nil, nil
	}
	if h.BoxInfo.Size > maxSmallBody {
		return nil, damagedMP4(typ + " box too large")
	}
	box, _, err := h.ReadPayload()
	if err != nil {
		return nil, err
	}
	t := m.track()
	switch b := box.(type) {
	case *mp4.Mvhd:
		m.timescale, m.duration = b.Timescale, b.GetDuration()
	case *mp4.Mehd:
		if b.GetVersion() == 0 {
			m.fragments = uint64(b.FragmentDurationV0)
		} else {
			m.fragments = b.FragmentDurationV1
		}
	case *mp4.Tkhd:
		if t != nil {
			t.tkhdW, t.tkhdH = int(b.GetWidthInt()), int(b.GetHeightInt())
		}
	case *mp4.Mdhd:
		if t != nil {
			t.timescale, t.duration = b.Timescale, b.GetDuration()
		}
	case *mp4.Hdlr:
		if t != nil && len(h.Path) >= 2 && h.Path[len(h.Path)-2] == mp4.BoxTypeMdia() {
			t.handler = string(b.HandlerType[:])
		}
	case *mp4.AVCDecoderConfiguration:
		if t != nil && (t.entry == "avc1" || t.entry == "avc3") {
			t.codec = fmt.Sprintf("%s.%02x%02x%02x", t.entry, b.Profile, b.ProfileCompatibility, b.Level)
		}
	case *mp4.Esds:
		if t != nil && t.entry == "mp4a" {
			t.codec = esdsCodec(b)
		}
	}
	return nil, nil
}

// esdsCodec is "mp4a.40.2" for AAC-LC, "mp4a.6b" for MP3 and so on.
func esdsCodec(e *mp4.Esds) string {
	var oti uint8
	var specific []byte
	for _, d := range e.Descriptors {
		switch {
		case d.Tag == mp4.DecoderConfigDescrTag && d.DecoderConfigDescriptor != nil:
			oti = d.DecoderConfigDescriptor.ObjectTypeIndication
		case d.Tag == mp4.DecSpecificInfoTag:
			specific = d.Data
		}
	}
	switch {
	case oti == 0:
		return "mp4a"
	case oti != 0x40:
		return fmt.Sprintf("mp4a.%02x", oti)
	case len(specific) == 0:
		return "mp4a.40"
	}
	aot := specific[0] >> 3
	if aot == 31 && len(specific) >= 2 { // escape: 32 + 6 more bits
		aot = 32 + (specific[0]&7)<<3 | specific[1]>>5
	}
	return fmt.Sprintf("mp4a.40.%d", aot)
}

// playableVideo lists the MP4 video sample entries browsers play.
var playableVideo = map[string]bool{"avc1": true, "avc3": true, "hvc1": true, "hev1": true, "av01": true, "vp09": true}

func (m *mp4Moov) info() (Info, error) {
	var video, audio *mp4Track
	for _, t := range m.tracks {
		switch {
		case t.handler == "vide" && t.entry != "" && video == nil:
			video = t
		case t.handler == "soun" && t.entry != "" && audio == nil:
			audio = t
		}
	}
	if video == nil {
		return Info{}, &Error{Code: "no_video_track", Unsupported: true,
			Message: notPlayableMP4 + "den saknar videospår. Ladda upp en video med bild, inte bara ljud."}
	}
	if !playableVideo[video.entry] {
		return Info{}, unplayableCodec("MP4", cleanFourcc(video.entry))
	}
	info := Info{Container: "mp4", Width: video.width, Height: video.height, VideoCodec: video.codec}
	if info.Width == 0 || info.Height == 0 {
		info.Width, info.Height = video.tkhdW, video.tkhdH
	}
	if info.Width <= 0 || info.Height <= 0 {
		return Info{}, damagedMP4("video track without width or height")
	}
	if info.VideoCodec == "" {
		info.VideoCodec = video.entry
	}
	if audio != nil {
		info.AudioCodec = audio.codec
		if info.AudioCodec == "" {
			info.AudioCodec = cleanFourcc(audio.entry)
			if info.AudioCodec == "Opus" {
				info.AudioCodec = "opus"
			}
		}
	}
	info.Duration = scaled(m.duration, m.timescale)
	if info.Duration == 0 {
		info.Duration = scaled(m.fragments, m.timescale)
	}
	if info.Duration == 0 {
		for _, t := range m.tracks {
			info.Duration = max(info.Duration, scaled(t.duration, t.timescale))
		}
	}
	return info, nil
}

// maxDuration bounds what a header may claim; anything longer is taken
// as unknown rather than believed.
const maxDuration = 1000 * time.Hour

// scaled converts units of 1/timescale seconds, 0 when unknown or absurd.
func scaled(units uint64, timescale uint32) time.Duration {
	if timescale == 0 || units == math.MaxUint64 || units == math.MaxUint32 {
		return 0
	}
	secs := units / uint64(timescale)
	if secs >= uint64(maxDuration/time.Second) {
		return 0
	}
	rest := units % uint64(timescale)
	return time.Duration(secs)*time.Second + time.Duration(rest*uint64(time.Second)/uint64(timescale))
}

// cleanFourcc makes a sample entry type safe to show.
func cleanFourcc(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s))
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

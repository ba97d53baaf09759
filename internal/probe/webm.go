package probe

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"
)

// The EBML subset a WebM probe needs: the header's DocType, the Segment's
// Info (TimecodeScale, Duration) and Tracks (TrackType, CodecID, Video
// PixelWidth/PixelHeight), found by walking the Segment's children or
// through its SeekHead when Clusters come first. No library for this
// small subset was worth a dependency; FuzzProbe covers it.

var ebmlMagic = []byte{0x1A, 0x45, 0xDF, 0xA3}

// Element IDs (with their length marker bits, as the Matroska spec lists them).
const (
	idEBML          = 0x1A45DFA3
	idDocType       = 0x4282
	idSegment       = 0x18538067
	idSeekHead      = 0x114D9B74
	idSeek          = 0x4DBB
	idSeekID        = 0x53AB
	idSeekPosition  = 0x53AC
	idInfo          = 0x1549A966
	idTimecodeScale = 0x2AD7B1
	idDuration      = 0x4489
	idTracks        = 0x1654AE6B
	idTrackEntry    = 0xAE
	idTrackType     = 0x83
	idCodecID       = 0x86
	idVideo         = 0xE0
	idPixelWidth    = 0xB0
	idPixelHeight   = 0xBA
	idCluster       = 0x1F43B675
)

// unknownSize marks an element whose size is "unknown" (all ones), as a
// live recorder such as a browser's MediaRecorder writes.
const unknownSize = -1

type element struct {
	id   uint32
	off  int64 // where the header starts
	data int64 // where the body starts
	size int64 // body size, or unknownSize
}

func (e element) end() int64 { return e.data + e.size }

// readVint decodes an EBML variable-length integer from b. For an ID the
// marker bit is kept; for a size it is dropped and all ones mean unknown.
func readVint(b []byte, maxLen int, isID bool) (value int64, n int, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > maxLen || n > len(b) {
		return 0, 0, false
	}
	v := uint64(b[0])
	if !isID {
		v &= uint64(0xFF >> n)
	}
	allOnes := v == uint64(0xFF>>n)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xFF
	}
	if isID {
		return int64(v), n, true
	}
	if allOnes {
		return unknownSize, n, true
	}
	if v > math.MaxInt64/2 {
		return 0, 0, false
	}
	return int64(v), n, true
}

// readElement reads the element header at off; limit is where the
// enclosing element (or the file) ends.
func readElement(r io.ReaderAt, off, limit int64) (element, error) {
	var b [12]byte
	n := int64(len(b))
	if limit-off < n {
		n = limit - off
	}
	if n < 2 {
		return element{}, truncated("%d bytes for an element header at %d", max(n, 0), off)
	}
	if _, err := r.ReadAt(b[:n], off); err != nil && err != io.EOF {
		return element{}, truncated("element header at %d: %v", off, err)
	}
	id, idLen, ok := readVint(b[:n], 4, true)
	if !ok {
		return element{}, damagedWebM(fmt.Sprintf("invalid element ID at %d", off))
	}
	size, sizeLen, ok := readVint(b[idLen:n], 8, false)
	if !ok {
		if int64(idLen+8) > n {
			return element{}, truncated("element size at %d", off)
		}
		return element{}, damagedWebM(fmt.Sprintf("invalid element size at %d", off))
	}
	e := element{id: uint32(id), off: off, data: off + int64(idLen+sizeLen), size: size}
	if size != unknownSize && e.end() > limit {
		return element{}, truncated("element %x at %d of %d bytes ends after %d", e.id, off, size, limit)
	}
	return e, nil
}

// readBody reads a small element's whole body.
func readBody(r io.ReaderAt, e element) ([]byte, error) {
	if e.size == unknownSize || e.size > maxSmallBody {
		return nil, damagedWebM(fmt.Sprintf("element %x at %d too large", e.id, e.off))
	}
	b := make([]byte, e.size)
	if _, err := r.ReadAt(b, e.data); err != nil {
		return nil, truncated("element %x at %d: %v", e.id, e.off, err)
	}
	return b, nil
}

// children calls fn for each child of a body held in memory.
func children(body []byte, budget *int, fn func(id uint32, data []byte) error) error {
	for len(body) > 0 {
		if *budget--; *budget < 0 {
			return tooComplex("WebM")
		}
		id, idLen, ok := readVint(body, 4, true)
		if !ok {
			return damagedWebM("invalid child element ID")
		}
		size, sizeLen, ok := readVint(body[idLen:], 8, false)
		if !ok || size == unknownSize || size > int64(len(body)-idLen-sizeLen) {
			return damagedWebM("invalid child element size")
		}
		start := idLen + sizeLen
		if err := fn(uint32(id), body[start:start+int(size)]); err != nil {
			return err
		}
		body = body[start+int(size):]
	}
	return nil
}

func readUint(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, damagedWebM("integer longer than 8 bytes")
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func readFloat(b []byte) (float64, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return 0, damagedWebM("float of invalid length")
}

type webmTrack struct {
	typ           uint64 // 1 video, 2 audio
	codecID       string
	width, height uint64
}

type webmProbe struct {
	r        io.ReaderAt
	budget   int
	hasInfo  bool
	scale    uint64 // ns per timestamp unit
	duration float64
	tracks   []webmTrack
	seeks    map[uint32]int64 // element ID -> position in the segment
}

func probeWebM(r io.ReaderAt, size int64) (Info, error) {
	p := &webmProbe{r: r, budget: maxBoxes, scale: 1000000, seeks: map[uint32]int64{}}
	head, err := readElement(r, 0, size)
	if err != nil {
		return Info{}, err
	}
	body, err := readBody(r, head)
	if err != nil {
		return Info{}, err
	}
	docType := ""
	err = children(body, &p.budget, func(id uint32, data []byte) error {
		if id == idDocType {
			docType = string(trimNUL(data))
		}
		return nil
	})
	if err != nil {
		return Info{}, err
	}
	switch docType {
	case "webm":
	case "matroska":
		return Info{}, &Error{Code: "not_webm", Unsupported: true, Message: "Filen är en Matroska-fil (MKV), inte WebM, och kan inte spelas i alla webbläsare. Spara videon som MP4 (H.264) eller WebM och ladda upp den igen."}
	default:
		return Info{}, errNotVideo
	}

	// The Segment follows the header, perhaps after Void elements.
	off := head.end()
	var seg element
	for n := 0; ; n++ {
		if n >= 16 {
			return Info{}, damagedWebM("no Segment")
		}
		e, err := readElement(r, off, size)
		if err != nil {
			return Info{}, err
		}
		if e.id == idSegment {
			seg = e
			break
		}
		if e.size == unknownSize {
			return Info{}, damagedWebM("top-level element of unknown size")
		}
		off = e.end()
	}
	end := size
	if seg.size != unknownSize {
		end = seg.end()
	}
	if err := p.walkSegment(seg, end); err != nil {
		return Info{}, err
	}
	return p.info()
}

// walkSegment reads the Segment's children up to the first Cluster, then
// whatever the SeekHead says is still missing.
func (p *webmProbe) walkSegment(seg element, end int64) error {
	var hasTracks bool
	for off, n := seg.data, 0; off < end && (!p.hasInfo || !hasTracks); n++ {
		if n >= maxTopLevel {
			return tooComplex("WebM")
		}
		e, err := readElement(p.r, off, end)
		if err != nil {
			return err
		}
		if e.id == idCluster {
			break
		}
		if e.size == unknownSize {
			return damagedWebM(fmt.Sprintf("element %x of unknown size", e.id))
		}
		switch e.id {
		case idSeekHead:
			if err := p.readSeekHead(e); err != nil {
				return err
			}
		case idInfo:
			if err := p.readInfo(e); err != nil {
				return err
			}
		case idTracks:
			if err := p.readTracks(e); err != nil {
				return err
			}
			hasTracks = true
		}
		off = e.end()
	}
	if !p.hasInfo {
		if e, ok := p.seekTo(seg, end, idInfo); ok {
			if err := p.readInfo(e); err != nil {
				return err
			}
		}
	}
	if !hasTracks {
		if e, ok := p.seekTo(seg, end, idTracks); ok {
			if err := p.readTracks(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// seekTo finds the element with id where the SeekHead said it is.
func (p *webmProbe) seekTo(seg element, end int64, id uint32) (element, bool) {
	pos, ok := p.seeks[id]
	if !ok || pos < 0 || pos > end-seg.data {
		return element{}, false
	}
	e, err := readElement(p.r, seg.data+pos, end)
	if err != nil || e.id != id || e.size == unknownSize {
		return element{}, false
	}
	return e, true
}

func (p *webmProbe) readSeekHead(e element) error {
	body, err := readBody(p.r, e)
	if err != nil {
		return err
	}
	return children(body, &p.budget, func(id uint32, data []byte) error {
		if id != idSeek {
			return nil
		}
		var target []byte
		pos := int64(-1)
		err := children(data, &p.budget, func(id uint32, data []byte) error {
			switch id {
			case idSeekID:
				target = data
			case idSeekPosition:
				v, err := readUint(data)
				if err != nil {
					return err
				}
				if v <= math.MaxInt64 {
					pos = int64(v)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(target) >= 1 && len(target) <= 4 && pos >= 0 {
			var id uint32
			for _, c := range target {
				id = id<<8 | uint32(c)
			}
			if _, seen := p.seeks[id]; !seen {
				p.seeks[id] = pos
			}
		}
		return nil
	})
}

func (p *webmProbe) readInfo(e element) error {
	body, err := readBody(p.r, e)
	if err != nil {
		return err
	}
	p.hasInfo = true
	return children(body, &p.budget, func(id uint32, data []byte) error {
		var err error
		switch id {
		case idTimecodeScale:
			var v uint64
			if v, err = readUint(data); err == nil && v > 0 {
				p.scale = v
			}
		case idDuration:
			p.duration, err = readFloat(data)
		}
		return err
	})
}

func (p *webmProbe) readTracks(e element) error {
	body, err := readBody(p.r, e)
	if err != nil {
		return err
	}
	return children(body, &p.budget, func(id uint32, data []byte) error {
		if id != idTrackEntry {
			return nil
		}
		var t webmTrack
		err := children(data, &p.budget, func(id uint32, data []byte) error {
			var err error
			switch id {
			case idTrackType:
				t.typ, err = readUint(data)
			case idCodecID:
				t.codecID = string(trimNUL(data))
			case idVideo:
				err = children(data, &p.budget, func(id uint32, data []byte) error {
					var err error
					switch id {
					case idPixelWidth:
						t.width, err = readUint(data)
					case idPixelHeight:
						t.height, err = readUint(data)
					}
					return err
				})
			}
			return err
		})
		if err != nil {
			return err
		}
		p.tracks = append(p.tracks, t)
		return nil
	})
}

// Matroska codec IDs that WebM allows, as codecs parameter values.
var (
	webmVideo = map[string]string{"V_VP8": "vp8", "V_VP9": "vp9", "V_AV1": "av01"}
	webmAudio = map[string]string{"A_OPUS": "opus", "A_VORBIS": "vorbis"}
)

func (p *webmProbe) info() (Info, error) {
	if len(p.tracks) == 0 {
		return Info{}, &Error{Code: "no_tracks", Message: "WebM-filen saknar spår (Tracks) och kan inte spelas." + exportAgain}
	}
	var video, audio *webmTrack
	for i := range p.tracks {
		t := &p.tracks[i]
		switch {
		case t.typ == 1 && video == nil:
			video = t
		case t.typ == 2 && audio == nil:
			audio = t
		}
	}
	if video == nil {
		return Info{}, &Error{Code: "no_video_track", Unsupported: true,
			Message: notPlayableWebM + "den saknar videospår. Ladda upp en video med bild, inte bara ljud."}
	}
	codec, ok := webmVideo[video.codecID]
	if !ok {
		return Info{}, unplayableCodec("WebM", cleanCodecID(video.codecID))
	}
	if video.width == 0 || video.height == 0 || video.width > math.MaxInt32 || video.height > math.MaxInt32 {
		return Info{}, damagedWebM("video track without a valid PixelWidth or PixelHeight")
	}
	info := Info{Container: "webm", Width: int(video.width), Height: int(video.height), VideoCodec: codec, FastStart: true}
	if audio != nil {
		info.AudioCodec = webmAudio[audio.codecID]
		if info.AudioCodec == "" {
			info.AudioCodec = cleanCodecID(audio.codecID)
		}
	}
	// Duration is in TimecodeScale units (nanoseconds each by default).
	if d := p.duration * float64(p.scale); d > 0 && d < float64(maxDuration) {
		info.Duration = time.Duration(d).Round(time.Millisecond)
	}
	return info, nil
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// cleanCodecID makes a codec ID from a file safe and short enough to show.
func cleanCodecID(s string) string {
	s = cleanFourcc(s)
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		return "okänd kodek"
	}
	return s
}

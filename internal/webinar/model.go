// Package webinar holds the webinar model, its MongoDB store and the
// service that staff actions and the public pages go through.
package webinar

import (
	"slices"
	"time"

	"github.com/smakom/webinar-portal/internal/probe"
)

// Visibility says who may see a webinar.
type Visibility string

const (
	Draft    Visibility = "draft"    // staff only
	Public   Visibility = "public"   // everyone, listed in the catalogue
	Members  Visibility = "members"  // logged-in members, listed for them
	Unlisted Visibility = "unlisted" // everyone with the link, not listed
)

// Visibilities in the order staff pages offer them.
var Visibilities = []Visibility{Draft, Public, Members, Unlisted}

// Label is the Swedish name of a visibility.
func (v Visibility) Label() string {
	switch v {
	case Draft:
		return "Utkast"
	case Public:
		return "Publik"
	case Members:
		return "Endast medlemmar"
	case Unlisted:
		return "Olistad (endast med länk)"
	}
	return string(v)
}

// Viewer is who is asking; the zero value is an anonymous visitor.
type Viewer struct {
	LoggedIn bool
	Staff    bool
}

// VisibleTo reports whether the viewer may see the webinar and its media.
func (w *Webinar) VisibleTo(v Viewer) bool {
	switch w.Visibility {
	case Public, Unlisted:
		return true
	case Members:
		return v.LoggedIn
	}
	return v.Staff
}

// ListedFor is the visibilities the catalogue lists for a viewer.
func ListedFor(v Viewer) []Visibility {
	if v.LoggedIn {
		return []Visibility{Public, Members}
	}
	return []Visibility{Public}
}

type Speaker struct {
	Name         string `bson:"name" json:"name"`
	Role         string `bson:"role,omitempty" json:"role,omitempty"`
	Organisation string `bson:"organisation,omitempty" json:"organisation,omitempty"`
}

// Recording is the stored video file. The fields from Container on are
// what probing the file found; they are empty for a recording stored
// before the portal probed uploads.
type Recording struct {
	Key         string    `bson:"key" json:"-"`
	ContentType string    `bson:"content_type" json:"content_type"`
	Size        int64     `bson:"size" json:"size"`
	SHA256      string    `bson:"sha256" json:"sha256"`
	Width       int       `bson:"width,omitempty" json:"width,omitempty"`
	Height      int       `bson:"height,omitempty" json:"height,omitempty"`
	UploadedAt  time.Time `bson:"uploaded_at" json:"uploaded_at"`
	Container   string    `bson:"container,omitempty" json:"container,omitempty"` // mp4 or webm
	DurationMS  int64     `bson:"duration_ms,omitempty" json:"duration_ms,omitempty"`
	VideoCodec  string    `bson:"video_codec,omitempty" json:"video_codec,omitempty"` // codecs parameter: avc1.4d401e, vp9
	AudioCodec  string    `bson:"audio_codec,omitempty" json:"audio_codec,omitempty"` // mp4a.40.2, opus
	// FastStart: players can start before the whole file is loaded (an
	// MP4's index comes first; always so for WebM).
	FastStart bool `bson:"faststart,omitempty" json:"faststart"`
}

// Probed reports whether the file was probed on upload.
func (r *Recording) Probed() bool { return r.Container != "" }

// Duration is the probed length, zero when unknown.
func (r *Recording) Duration() time.Duration { return time.Duration(r.DurationMS) * time.Millisecond }

// NeedsFastStart reports an MP4 whose index sits after its media data, so
// browsers must load to its end before playing; ffmpeg can fix it.
func (r *Recording) NeedsFastStart() bool { return r.Container == "mp4" && !r.FastStart }

// VideoCodecName is the video codec as people know it ("H.264").
func (r *Recording) VideoCodecName() string { return probe.CodecLabel(r.VideoCodec) }

// AudioCodecName is the audio codec as people know it ("AAC"), "" without sound.
func (r *Recording) AudioCodecName() string { return probe.CodecLabel(r.AudioCodec) }

// SlideDeck is one uploaded presentation file.
type SlideDeck struct {
	Key         string    `bson:"key" json:"-"`
	Filename    string    `bson:"filename" json:"filename"`
	ContentType string    `bson:"content_type" json:"content_type"`
	Size        int64     `bson:"size" json:"size"`
	SHA256      string    `bson:"sha256" json:"sha256"`
	UploadedAt  time.Time `bson:"uploaded_at" json:"uploaded_at"`
}

// IsPDF reports whether browsers can show the deck inline.
func (d SlideDeck) IsPDF() bool { return d.ContentType == "application/pdf" }

type Poster struct {
	Key         string `bson:"key" json:"-"`
	ContentType string `bson:"content_type" json:"content_type"`
}

// SubtitleTrack describes one language's track; cues live in the
// subtitles collection.
type SubtitleTrack struct {
	Lang  string `bson:"lang" json:"lang"`
	Label string `bson:"label" json:"label"`
	Kind  string `bson:"kind" json:"kind"` // subtitles or captions
	Cues  int    `bson:"cues" json:"cues"`
}

// Chapter is a titled moment of the recording (see chapters.go). Slide,
// when set, is the page of the first slide deck shown from that moment.
type Chapter struct {
	StartMS int64  `bson:"start_ms" json:"start_ms"`
	Title   string `bson:"title" json:"title"`
	Slide   int    `bson:"slide,omitempty" json:"slide,omitempty"`
}

// Webinar is one recorded webinar with its metadata.
type Webinar struct {
	ID          string          `bson:"_id" json:"id"`
	Slug        string          `bson:"slug" json:"slug"`
	Title       string          `bson:"title" json:"title"`
	Summary     string          `bson:"summary" json:"summary"`
	Description string          `bson:"description" json:"description"`
	Speakers    []Speaker       `bson:"speakers" json:"speakers"`
	Organiser   string          `bson:"organiser" json:"organiser"`
	Topics      []string        `bson:"topics" json:"topics"`
	HeldAt      time.Time       `bson:"held_at" json:"held_at"`
	DurationMS  int64           `bson:"duration_ms" json:"duration_ms"`
	Language    string          `bson:"language" json:"language"`
	Visibility  Visibility      `bson:"visibility" json:"visibility"`
	Recording   *Recording      `bson:"recording,omitempty" json:"recording,omitempty"`
	Slides      []SlideDeck     `bson:"slides" json:"slides"`
	Poster      *Poster         `bson:"poster,omitempty" json:"poster,omitempty"`
	Subtitles   []SubtitleTrack `bson:"subtitle_tracks" json:"subtitles"`
	Chapters    []Chapter       `bson:"chapters" json:"chapters"`
	Views       int64           `bson:"views" json:"views"`
	Demo        bool            `bson:"demo,omitempty" json:"demo,omitempty"`
	CreatedAt   time.Time       `bson:"created_at" json:"created_at"`
	UpdatedAt   time.Time       `bson:"updated_at" json:"updated_at"`
	PublishedAt *time.Time      `bson:"published_at,omitempty" json:"published_at,omitempty"`
}

// Duration is the recording's length, zero when unknown.
func (w *Webinar) Duration() time.Duration { return time.Duration(w.DurationMS) * time.Millisecond }

// HasSubtitles reports whether any subtitle track exists.
func (w *Webinar) HasSubtitles() bool { return len(w.Subtitles) > 0 }

// Track returns the subtitle track for lang.
func (w *Webinar) Track(lang string) (SubtitleTrack, bool) {
	i := slices.IndexFunc(w.Subtitles, func(t SubtitleTrack) bool { return t.Lang == lang })
	if i < 0 {
		return SubtitleTrack{}, false
	}
	return w.Subtitles[i], true
}

// objectKeys lists every object the webinar owns.
func (w *Webinar) objectKeys() []string {
	var keys []string
	if w.Recording != nil {
		keys = append(keys, w.Recording.Key)
	}
	for _, d := range w.Slides {
		keys = append(keys, d.Key)
	}
	if w.Poster != nil {
		keys = append(keys, w.Poster.Key)
	}
	return keys
}

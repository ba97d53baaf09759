package webinar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/probe"
	"github.com/smakom/webinar-portal/internal/subtitle"
)

// ErrTooLarge marks a body that went past its size limit.
var ErrTooLarge = errors.New("upload too large")

// TooLarge is the error shown for a body over limit bytes.
func TooLarge(limit int64) error {
	return &apperr.Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: fmt.Sprintf("Filen är för stor: högst %s.", HumanBytes(limit)), Err: ErrTooLarge}
}

// limitReader fails with ErrTooLarge once more than n bytes are read.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

// uploadRule says what one kind of upload may be.
type uploadRule struct {
	name      string // "recording", "slides", "poster": also in the object key
	allowed   []media.Kind
	wrongType string // the refusal of any other kind
}

var (
	recordingRule = uploadRule{"recording", []media.Kind{media.MP4, media.WebM}, "Inspelningen måste vara en MP4- eller WebM-video."}
	slidesRule    = uploadRule{"slides", []media.Kind{media.PDF, media.PPTX}, "Presentationen måste vara en PDF- eller PPTX-fil."}
	posterRule    = uploadRule{"poster", []media.Kind{media.JPEG, media.PNG}, "Affischbilden måste vara en JPEG- eller PNG-bild."}
	frameRule     = uploadRule{"poster", []media.Kind{media.JPEG}, "Affischbilden måste vara en JPEG-bild."}
)

// sniff tells the kind of a file from its first bytes (media.SniffLen, or
// the whole file when shorter), refusing kinds the rule does not allow.
func (r uploadRule) sniff(head []byte) (media.Kind, error) {
	if len(head) == 0 {
		return media.Kind{}, apperr.New(http.StatusBadRequest, "empty_file", "Filen är tom.")
	}
	kind, ok := media.Sniff(head)
	if !ok || !containsKind(r.allowed, kind) {
		return media.Kind{}, apperr.New(http.StatusUnsupportedMediaType, "wrong_type", r.wrongType)
	}
	return kind, nil
}

// storeUpload checks the kind of r from its first bytes, then streams it
// into a new object. The object is the caller's to commit or delete.
func (s *Service) storeUpload(ctx context.Context, ownerID string, rule uploadRule, r io.Reader, size, limit int64) (media.Object, media.Kind, error) {
	if size > limit {
		return media.Object{}, media.Kind{}, TooLarge(limit)
	}
	r = &limitReader{r: r, n: limit}
	head, r, err := media.Peek(r)
	if errors.Is(err, ErrTooLarge) {
		return media.Object{}, media.Kind{}, TooLarge(limit)
	}
	if err != nil {
		return media.Object{}, media.Kind{}, uploadReadError(err)
	}
	kind, err := rule.sniff(head)
	if err != nil {
		return media.Object{}, media.Kind{}, err
	}
	key := media.NewKey(ownerID, rule.name, kind.Ext)
	obj, err := s.objects.Put(ctx, key, r, size, kind.ContentType)
	if errors.Is(err, ErrTooLarge) {
		return media.Object{}, media.Kind{}, TooLarge(limit)
	}
	if err != nil {
		return media.Object{}, media.Kind{}, uploadReadError(err)
	}
	if obj.Size == 0 {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return media.Object{}, media.Kind{}, apperr.New(http.StatusBadRequest, "empty_file", "Filen är tom.")
	}
	return obj, kind, nil
}

// uploadReadError covers a client that went away or sent less than it
// announced: nothing was stored, and the message says to try again.
func uploadReadError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.Canceled) {
		return &apperr.Error{Status: http.StatusBadRequest, Code: "upload_incomplete",
			Message: "Uppladdningen avbröts innan hela filen kom fram. Inget sparades; försök igen.", Err: err}
	}
	return fmt.Errorf("store upload: %w", err)
}

func containsKind(kinds []media.Kind, k media.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// ReplaceRecording stores a new recording, probes it (refusing a file
// browsers cannot play), improves it with ffmpeg when that is installed
// (see postprocess) and commits it; the old object is deleted only after
// the new one is committed. size is -1 when unknown. durationMS > 0 sets
// the webinar's duration; otherwise the probed duration does.
func (s *Service) ReplaceRecording(ctx context.Context, slug string, r io.Reader, size int64, durationMS int64) (*Webinar, error) {
	w, err := s.uploadTarget(ctx, slug)
	if err != nil {
		return nil, err
	}
	obj, _, err := s.storeUpload(ctx, w.ID, recordingRule, r, size, s.limits.RecordingBytes)
	if err != nil {
		return nil, err
	}
	return s.commitRecording(ctx, w, obj, durationMS)
}

// uploadTarget is the webinar an upload goes to.
func (s *Service) uploadTarget(ctx context.Context, slug string) (*Webinar, error) {
	w, err := s.store.BySlug(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return nil, apperr.NotFound("Webbinariet finns inte.")
	}
	return w, err
}

// commitRecording probes a stored recording (refusing a file browsers
// cannot play), post-processes it and makes it w's recording. The object
// is deleted when anything fails.
func (s *Service) commitRecording(ctx context.Context, w *Webinar, obj media.Object, durationMS int64) (*Webinar, error) {
	slug := w.Slug
	info, err := s.probeStored(ctx, obj)
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), obj.Key)
		return nil, probeRefusal(err)
	}
	obj, info, poster := s.postprocess(ctx, w, obj, info)
	rec := Recording{Key: obj.Key, ContentType: obj.ContentType, Size: obj.Size, SHA256: obj.SHA256,
		Width: info.Width, Height: info.Height, Container: info.Container, DurationMS: info.Duration.Milliseconds(),
		VideoCodec: info.VideoCodec, AudioCodec: info.AudioCodec, FastStart: info.FastStart}
	var oldKey, unusedPoster string
	w, err = s.modify(ctx, slug, nil, func(w *Webinar) error {
		oldKey, unusedPoster = "", ""
		if w.Recording != nil && w.Recording.Key != rec.Key { // the same key: committed once already
			oldKey = w.Recording.Key
		}
		rec.UploadedAt = s.now()
		w.Recording = &rec
		switch {
		case durationMS > 0:
			w.DurationMS = durationMS
		case rec.DurationMS > 0:
			w.DurationMS = rec.DurationMS
		}
		if poster != nil {
			if w.Poster == nil {
				w.Poster = poster
			} else { // staff uploaded one meanwhile
				unusedPoster = poster.Key
			}
		}
		return nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), obj.Key)
		if poster != nil {
			_ = s.objects.Delete(context.WithoutCancel(ctx), poster.Key)
		}
		return nil, err
	}
	s.deleteReplaced(ctx, oldKey)
	s.deleteReplaced(ctx, unusedPoster)
	return w, nil
}

// objectGetter reads stored objects back with ranged requests
// (media.Store has it); probing and ffmpeg need it.
type objectGetter interface {
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// probeStored reads what a stored recording is with a few ranged reads.
func (s *Service) probeStored(ctx context.Context, obj media.Object) (probe.Info, error) {
	g, ok := s.objects.(objectGetter)
	if !ok {
		return probe.Info{}, fmt.Errorf("object storage %T cannot read objects back to probe them", s.objects)
	}
	r := probe.ReaderAt(ctx, func(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
		return g.Get(ctx, obj.Key, offset, length)
	})
	return probe.Probe(r, obj.Size)
}

// probeRefusal turns a probe's verdict into the error shown: 415 for a
// kind or codec the portal does not play, 422 for a damaged file.
func probeRefusal(err error) error {
	var pe *probe.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("probe recording: %w", err)
	}
	status := http.StatusUnprocessableEntity
	if pe.Unsupported {
		status = http.StatusUnsupportedMediaType
	}
	return &apperr.Error{Status: status, Code: pe.Code, Message: pe.Message, Err: err}
}

// AddSlides stores a slide deck (PDF, or PPTX offered as a download).
func (s *Service) AddSlides(ctx context.Context, slug, filename string, r io.Reader, size int64) (*Webinar, error) {
	w, err := s.uploadTarget(ctx, slug)
	if err != nil {
		return nil, err
	}
	obj, kind, err := s.storeUpload(ctx, w.ID, slidesRule, r, size, s.limits.SlidesBytes)
	if err != nil {
		return nil, err
	}
	return s.commitSlides(ctx, slug, cleanFilename(filename, kind.Ext), obj)
}

// commitSlides adds a stored deck to the webinar; the object is deleted
// when that fails.
func (s *Service) commitSlides(ctx context.Context, slug, name string, obj media.Object) (*Webinar, error) {
	w, err := s.modify(ctx, slug, nil, func(w *Webinar) error {
		for _, d := range w.Slides {
			if d.Key == obj.Key {
				return errCommitted // committed once already
			}
		}
		if len(w.Slides) >= 20 {
			return apperr.New(http.StatusBadRequest, "too_many_slides", "Ett webbinarium kan ha högst 20 presentationer.")
		}
		w.Slides = append(w.Slides, SlideDeck{Key: obj.Key, Filename: name, ContentType: obj.ContentType,
			Size: obj.Size, SHA256: obj.SHA256, UploadedAt: s.now()})
		return nil
	})
	if errors.Is(err, errCommitted) {
		return s.store.BySlug(ctx, slug)
	}
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), obj.Key)
		return nil, err
	}
	return w, nil
}

// RemoveSlides deletes deck n (1-based).
func (s *Service) RemoveSlides(ctx context.Context, slug string, n int) (*Webinar, error) {
	var key string
	w, err := s.modify(ctx, slug, nil, func(w *Webinar) error {
		if n < 1 || n > len(w.Slides) {
			return apperr.NotFound("Presentationen finns inte.")
		}
		key = w.Slides[n-1].Key
		w.Slides = append(w.Slides[:n-1], w.Slides[n:]...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.deleteReplaced(ctx, key)
	return w, nil
}

// SetPoster stores a poster image (JPEG or PNG).
func (s *Service) SetPoster(ctx context.Context, slug string, r io.Reader, size int64) (*Webinar, error) {
	w, err := s.uploadTarget(ctx, slug)
	if err != nil {
		return nil, err
	}
	obj, kind, err := s.storeUpload(ctx, w.ID, posterRule, r, size, 20<<20)
	if err != nil {
		return nil, err
	}
	var oldKey string
	w, err = s.modify(ctx, slug, nil, func(w *Webinar) error {
		if w.Poster != nil {
			oldKey = w.Poster.Key
		}
		w.Poster = &Poster{Key: obj.Key, ContentType: kind.ContentType}
		return nil
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), obj.Key)
		return nil, err
	}
	s.deleteReplaced(ctx, oldKey)
	return w, nil
}

func (s *Service) deleteReplaced(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := s.objects.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.ErrorContext(ctx, "delete replaced object", "key", key, "err", err)
	}
}

// SubtitleInput is one uploaded subtitle file.
type SubtitleInput struct {
	Lang     string
	Kind     string // subtitles (default) or captions
	Label    string // default: the language's Swedish name
	Filename string
	// Charset, when set, names the encoding of Data (an HTTP charset
	// label); otherwise it is found from the bytes.
	Charset string
	Data    []byte
}

// SetSubtitles parses a subtitle file in any supported format and stores
// its cues for one language, replacing an earlier track.
func (s *Service) SetSubtitles(ctx context.Context, slug string, in SubtitleInput) (*Webinar, int, error) {
	lang := strings.ToLower(strings.TrimSpace(in.Lang))
	if !subtitle.ValidLang(lang) {
		return nil, 0, apperr.New(http.StatusBadRequest, "unknown_language",
			fmt.Sprintf("Okänd språkkod %q: använd en tvåbokstavskod enligt ISO 639-1, till exempel sv eller en.", in.Lang))
	}
	kind := in.Kind
	if kind == "" {
		kind = "subtitles"
	}
	if kind != "subtitles" && kind != "captions" {
		return nil, 0, apperr.New(http.StatusBadRequest, "unknown_kind", "Typen måste vara undertexter (subtitles) eller textning för hörselskadade (captions).")
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = subtitle.LangLabel(lang)
	}
	if utf8.RuneCountInString(label) > 60 {
		return nil, 0, apperr.New(http.StatusBadRequest, "label_too_long", "Etiketten får ha högst 60 tecken.")
	}
	if len(in.Data) == 0 {
		return nil, 0, apperr.New(http.StatusBadRequest, "empty_file", "Undertextfilen är tom.")
	}
	if limit := s.limits.Subtitles(); int64(len(in.Data)) > limit {
		return nil, 0, TooLarge(limit)
	}
	data, err := subtitle.ConvertCharset(in.Data, in.Charset)
	if err != nil {
		return nil, 0, &apperr.Error{Status: http.StatusBadRequest, Code: "unknown_charset", Message: err.Error(), Err: err}
	}
	cues, format, err := subtitle.Parse(data, in.Filename)
	if err != nil {
		var pe *subtitle.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &apperr.Error{Status: http.StatusBadRequest, Code: "invalid_subtitles", Message: "Fel i undertextfilen: " + pe.Error(), Err: err}
		}
		return nil, 0, err
	}
	w, err := s.store.BySlug(ctx, slug)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, apperr.NotFound("Webbinariet finns inte.")
	}
	if err != nil {
		return nil, 0, err
	}
	track := subtitle.Track{ID: w.ID + ":" + lang, WebinarID: w.ID, Lang: lang, Label: label, Kind: kind,
		Format: format, Cues: cues, UpdatedAt: s.now()}
	if err := s.tracks.Put(ctx, track); err != nil {
		return nil, 0, fmt.Errorf("store subtitles: %w", err)
	}
	w, err = s.modify(ctx, slug, nil, func(w *Webinar) error {
		entry := SubtitleTrack{Lang: lang, Label: label, Kind: kind, Cues: len(cues)}
		for i := range w.Subtitles {
			if w.Subtitles[i].Lang == lang {
				w.Subtitles[i] = entry
				return nil
			}
		}
		w.Subtitles = append(w.Subtitles, entry)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return w, len(cues), nil
}

// RemoveSubtitles deletes one language's track.
func (s *Service) RemoveSubtitles(ctx context.Context, slug, lang string) (*Webinar, error) {
	w, err := s.modify(ctx, slug, nil, func(w *Webinar) error {
		for i := range w.Subtitles {
			if w.Subtitles[i].Lang == lang {
				w.Subtitles = append(w.Subtitles[:i], w.Subtitles[i+1:]...)
				return nil
			}
		}
		return apperr.NotFound("Det finns inga undertexter på det språket.")
	})
	if err != nil {
		return nil, err
	}
	if err := s.tracks.Delete(ctx, w.ID, lang); err != nil {
		// The webinar no longer lists the track, so it is never served.
		s.log.ErrorContext(ctx, "delete subtitle track", "webinar", w.ID, "lang", lang, "err", err)
	}
	return w, nil
}

// Cues returns the cues of a subtitle track the viewer may see.
func (s *Service) Cues(ctx context.Context, w *Webinar, lang string) ([]subtitle.Cue, error) {
	if _, ok := w.Track(lang); !ok {
		return nil, apperr.NotFound("Det finns inga undertexter på det språket.")
	}
	t, err := s.tracks.Get(ctx, w.ID, lang)
	if errors.Is(err, subtitle.ErrNotFound) {
		return nil, apperr.NotFound("Det finns inga undertexter på det språket.")
	}
	if err != nil {
		return nil, err
	}
	return t.Cues, nil
}

// cleanFilename keeps an uploaded file's name for display and download
// (never as a key): the base name, printable, with a fitting extension.
func cleanFilename(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." {
		name = "presentation"
	}
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	if !strings.HasSuffix(strings.ToLower(name), "."+ext) {
		name += "." + ext
	}
	return name
}

// HumanBytes formats a size the Swedish way: "1,5 GB".
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d byte", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	s := fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
	return strings.Replace(strings.Replace(s, ".0 ", " ", 1), ".", ",", 1)
}

package webinar

import (
	"context"
	"errors"
	"net/http"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
)

// A resumable upload sends its bytes into object storage itself, part by
// part (see package upload); the service checks it at its start and
// commits the finished object, with the same rules as ReplaceRecording and
// AddSlides.

// errCommitted: the object was committed before (a retried finish).
var errCommitted = errors.New("object already committed")

func (s *Service) resumableRule(kind string) (uploadRule, int64, error) {
	switch kind {
	case "recording":
		return recordingRule, s.limits.RecordingBytes, nil
	case "slides":
		return slidesRule, s.limits.SlidesBytes, nil
	}
	return uploadRule{}, 0, apperr.New(http.StatusBadRequest, "upload_kind", "Okänd uppladdningstyp.")
}

// BeginUpload checks a resumable upload of kind ("recording" or "slides")
// for the webinar from the file's first bytes (media.SniffLen of them, or
// the whole file when it is shorter) and names the object its bytes go
// to. An error refuses the upload.
func (s *Service) BeginUpload(ctx context.Context, slug, kind string, head []byte) (string, media.Kind, error) {
	rule, _, err := s.resumableRule(kind)
	if err != nil {
		return "", media.Kind{}, err
	}
	w, err := s.uploadTarget(ctx, slug)
	if err != nil {
		return "", media.Kind{}, err
	}
	k, err := rule.sniff(head)
	if err != nil {
		return "", media.Kind{}, err
	}
	return media.NewKey(w.ID, rule.name, k.Ext), k, nil
}

// CommitUpload makes the object of a finished resumable upload the
// webinar's recording (probed and post-processed) or adds it as a slide
// deck. obj carries its key, size, SHA-256 and content type. Unless it
// succeeds, the object is deleted.
func (s *Service) CommitUpload(ctx context.Context, slug, kind, filename string, obj media.Object) error {
	rule, limit, err := s.resumableRule(kind)
	if err == nil && obj.Size > limit {
		err = TooLarge(limit)
	}
	var w *Webinar
	if err == nil {
		w, err = s.uploadTarget(ctx, slug)
	}
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), obj.Key)
		return err
	}
	if rule.name == "recording" {
		_, err = s.commitRecording(ctx, w, obj, 0)
		return err
	}
	ext := ""
	for _, k := range rule.allowed {
		if k.ContentType == obj.ContentType {
			ext = k.Ext
		}
	}
	_, err = s.commitSlides(ctx, slug, cleanFilename(filename, ext), obj)
	return err
}

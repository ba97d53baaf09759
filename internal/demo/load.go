package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/smakom/webinar-portal/internal/webinar"
)

// ErrNotEmpty: the demo archive is only loaded into an empty store.
var ErrNotEmpty = errors.New("the archive already has webinars; demo content is only loaded into an empty store")

// Load puts the demo archive into an empty store, published, with its
// recordings, slides and subtitles. It returns how many it loaded.
func Load(ctx context.Context, svc *webinar.Service) (int, error) {
	n, err := svc.Store().Count(ctx)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, ErrNotEmpty
	}
	list, err := Webinars()
	if err != nil {
		return 0, err
	}
	for i, d := range list {
		if err := loadOne(ctx, svc, d); err != nil {
			return i, fmt.Errorf("demo webinar %q: %w", d.Title, err)
		}
	}
	return len(list), nil
}

// LoadMembersOnly adds the members-only demo webinar (`portal --demo`
// loads it after Load, so that the archive shows what members see).
func LoadMembersOnly(ctx context.Context, svc *webinar.Service) error {
	w, err := MembersOnly()
	if err != nil {
		return err
	}
	if err := loadOne(ctx, svc, w); err != nil {
		return fmt.Errorf("demo webinar %q: %w", w.Title, err)
	}
	return nil
}

func loadOne(ctx context.Context, svc *webinar.Service, d Webinar) error {
	speakers := make([]webinar.Speaker, len(d.Speakers))
	for i, s := range d.Speakers {
		speakers[i] = webinar.Speaker{Name: s.Name, Role: s.Role, Organisation: s.Organisation}
	}
	held := d.HeldAt.Format("2006-01-02")
	vis := string(webinar.Public)
	if d.MembersOnly {
		vis = string(webinar.Members)
	}
	secs := d.VideoDuration.Seconds()
	topics := d.Topics
	w, err := svc.Create(ctx, webinar.Fields{
		Title: &d.Title, Summary: &d.Summary, Description: &d.Description, Organiser: &d.Organiser,
		Speakers: &speakers, Topics: &topics, HeldAt: &held, Language: &d.Language, Visibility: &vis,
		DurationSeconds: &secs, Demo: true,
	})
	if err != nil {
		return err
	}
	if _, err := svc.ReplaceRecording(ctx, w.Slug, bytes.NewReader(d.Video), int64(len(d.Video)), d.VideoDuration.Milliseconds()); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if d.Poster != nil {
		if _, err := svc.SetPoster(ctx, w.Slug, bytes.NewReader(d.Poster), int64(len(d.Poster))); err != nil {
			return fmt.Errorf("poster: %w", err)
		}
	}
	if _, err := svc.AddSlides(ctx, w.Slug, d.SlidesFilename, bytes.NewReader(d.Slides), int64(len(d.Slides))); err != nil {
		return fmt.Errorf("slides: %w", err)
	}
	if len(d.Chapters) > 0 {
		rows := make([]webinar.ChapterRow, len(d.Chapters))
		for i, c := range d.Chapters {
			rows[i] = webinar.ChapterRow{Start: webinar.FormatClock(c.Start), Title: c.Title}
			if c.Slide > 0 {
				rows[i].Slide = strconv.Itoa(c.Slide)
			}
		}
		if _, err := svc.SetChapters(ctx, w.Slug, rows, nil); err != nil {
			return fmt.Errorf("chapters: %w", err)
		}
	}
	for _, lang := range []string{"sv", "en"} {
		data, ok := d.Subtitles[lang]
		if !ok {
			continue
		}
		if _, _, err := svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: lang, Filename: lang + ".srt", Data: data}); err != nil {
			return fmt.Errorf("subtitles %s: %w", lang, err)
		}
	}
	return nil
}

package integrity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// DefaultGrace is how old leftovers must be before Sweep removes them. An
// upload stores its object before it commits the metadata, and a multipart
// upload is unfinished until its last part: younger leftovers may belong
// to work still in progress.
const DefaultGrace = 24 * time.Hour

// DefaultInterval is how often RunPeriodically sweeps when given no interval.
const DefaultInterval = time.Hour

// SweepOptions say what Sweep may remove.
type SweepOptions struct {
	// Grace: only leftovers older than this are removed (0: all of them;
	// callers wanting the default pass DefaultGrace).
	Grace time.Duration
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
}

// Report says what Sweep removed, or would remove in a dry run.
type Report struct {
	DryRun bool
	Grace  time.Duration

	Resumable []upload.Upload // abandoned resumable uploads removed
	Uploads   []media.Upload  // unfinished multipart uploads aborted
	Objects   []media.Object  // orphaned objects removed
	Tracks    []TrackRef      // subtitle tracks of deleted webinars removed

	// Leftovers younger than the grace period, left alone.
	YoungResumable, YoungUploads, YoungObjects, YoungTracks int

	// Warnings explain what Sweep chose not to do.
	Warnings []string
}

// Removed is how many things were (or would be) removed.
func (r Report) Removed() int {
	return len(r.Resumable) + len(r.Uploads) + len(r.Objects) + len(r.Tracks)
}

// Write prints one line per removal and a summary line.
func (r Report) Write(w io.Writer) error {
	abort, remove := "aborted", "removed"
	if r.DryRun {
		abort, remove = "would abort", "would remove"
	}
	var b strings.Builder
	for _, u := range r.Resumable {
		state := fmt.Sprintf("%d of %d bytes", u.Offset, u.Length)
		if u.Finished {
			state = "finished"
		}
		fmt.Fprintf(&b, "%s resumable upload %s for webinar %q (%s, last written %s)\n",
			remove, u.ID, u.Slug, state, u.Touched.UTC().Format(time.RFC3339))
	}
	for _, u := range r.Uploads {
		fmt.Fprintf(&b, "%s unfinished upload of %s (upload id %s, started %s)\n",
			abort, u.Key, u.UploadID, u.Initiated.UTC().Format(time.RFC3339))
	}
	for _, o := range r.Objects {
		fmt.Fprintf(&b, "%s orphaned object %s (%d bytes, modified %s)\n",
			remove, o.Key, o.Size, o.LastModified.UTC().Format(time.RFC3339))
	}
	for _, t := range r.Tracks {
		fmt.Fprintf(&b, "%s subtitle track %s of deleted webinar %s\n", remove, t.Lang, t.WebinarID)
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", s)
	}
	verb := "removed"
	if r.DryRun {
		verb = "would remove (dry run)"
	}
	fmt.Fprintf(&b, "swept: %s %d resumable uploads, %d unfinished uploads, %d orphaned objects, %d subtitle tracks; "+
		"left alone as younger than %s: %d resumable uploads, %d uploads, %d objects, %d tracks\n",
		verb, len(r.Resumable), len(r.Uploads), len(r.Objects), len(r.Tracks),
		r.Grace, r.YoungResumable, r.YoungUploads, r.YoungObjects, r.YoungTracks)
	_, err := io.WriteString(w, b.String())
	return err
}

// Sweep cleans up what crashed or cancelled work left behind, when it is
// older than opts.Grace:
//   - resumable uploads not written to (WithResumable) are removed, and
//     their multipart uploads aborted;
//   - other unfinished multipart uploads anywhere in the bucket are
//     aborted (those of resumable uploads still going on are left alone);
//   - objects under ObjectPrefix that no webinar refers to are removed;
//   - subtitle track documents of webinars that no longer exist are removed.
//
// It carries on past a failed removal and returns what it did with the
// errors joined. When the database holds no webinar at all while objects
// exist, it removes no object: that is more likely a wrong MONGODB_URI or
// MONGODB_DATABASE than an archive whose every webinar was deleted.
func (c *Checker) Sweep(ctx context.Context, opts SweepOptions) (Report, error) {
	rep := Report{DryRun: opts.DryRun, Grace: opts.Grace}
	cutoff := c.now().Add(-opts.Grace)
	var errs []error

	owned, err := c.sweepResumable(ctx, opts, cutoff, &rep)
	if err != nil {
		errs = append(errs, err)
	}
	uploads, err := c.objects.IncompleteUploads(ctx, "")
	if err != nil {
		errs = append(errs, err)
	}
	for _, u := range uploads {
		if owned[u.UploadID] {
			continue
		}
		if !u.Initiated.Before(cutoff) {
			rep.YoungUploads++
			continue
		}
		if !opts.DryRun {
			if err := c.objects.AbortUpload(ctx, u.Key, u.UploadID); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		rep.Uploads = append(rep.Uploads, u)
	}

	// List objects and tracks before reading the webinars: whatever a
	// webinar committed by then is seen as referenced, and whatever is
	// committed later is younger than the listing.
	objects, objErr := c.objects.List(ctx, ObjectPrefix)
	tracks, trackErr := c.tracks.List(ctx)
	inv, err := c.readInventory(ctx)
	if err != nil {
		// Without the metadata everything would look orphaned.
		errs = append(errs, fmt.Errorf("read webinars: %w; no object or subtitle track removed", err))
		return rep, errors.Join(errs...)
	}

	if objErr != nil {
		errs = append(errs, objErr)
	}
	var orphans []media.Object
	for _, o := range objects {
		if _, ok := inv.refs[o.Key]; ok {
			continue
		}
		if !o.LastModified.Before(cutoff) {
			rep.YoungObjects++
			continue
		}
		orphans = append(orphans, o)
	}
	if inv.webinars == 0 && len(orphans) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"the database has no webinars but the bucket has %d objects under %s: not removing them "+
				"(check MONGODB_URI and MONGODB_DATABASE; delete them by hand if they really are unused)",
			len(orphans), ObjectPrefix))
		orphans = nil
	}
	for _, o := range orphans {
		if !opts.DryRun {
			if err := c.objects.Delete(ctx, o.Key); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		rep.Objects = append(rep.Objects, o)
	}

	if trackErr != nil {
		errs = append(errs, trackErr)
	}
	for _, t := range tracks {
		if inv.ids[t.WebinarID] {
			continue
		}
		if !t.UpdatedAt.Before(cutoff) {
			rep.YoungTracks++
			continue
		}
		// A webinar created after the listing cannot own an older track,
		// but ask once more before deleting.
		if _, err := c.webinars.ByID(ctx, t.WebinarID); !errors.Is(err, webinar.ErrNotFound) {
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if !opts.DryRun {
			if err := c.tracks.Delete(ctx, t); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		rep.Tracks = append(rep.Tracks, t)
	}
	return rep, errors.Join(errs...)
}

// sweepResumable removes the resumable uploads last written before cutoff
// (which aborts their multipart uploads) and returns the multipart upload
// ids of all of them, which the bucket-wide step leaves to this one.
func (c *Checker) sweepResumable(ctx context.Context, opts SweepOptions, cutoff time.Time, rep *Report) (map[string]bool, error) {
	owned := map[string]bool{}
	if c.resumable == nil {
		return owned, nil
	}
	ups, err := c.resumable.List()
	if err != nil {
		return owned, fmt.Errorf("list resumable uploads: %w", err)
	}
	var errs []error
	for _, u := range ups {
		if u.UploadID != "" {
			owned[u.UploadID] = true
		}
		if !u.Touched.Before(cutoff) {
			rep.YoungResumable++
			continue
		}
		if !opts.DryRun {
			if err := c.resumable.Delete(ctx, u.ID); err != nil {
				errs = append(errs, fmt.Errorf("remove resumable upload %s: %w", u.ID, err))
				continue
			}
		}
		rep.Resumable = append(rep.Resumable, u)
	}
	return owned, errors.Join(errs...)
}

// Sweeper is what RunPeriodically runs (*Checker).
type Sweeper interface {
	Sweep(ctx context.Context, opts SweepOptions) (Report, error)
}

// RunPeriodically sweeps leftovers older than grace (DefaultGrace when
// grace <= 0) at once and then every interval (DefaultInterval when
// interval <= 0) until ctx ends, logging what it removed and what failed.
// Run it in its own goroutine.
func RunPeriodically(ctx context.Context, s Sweeper, interval, grace time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if grace <= 0 {
		grace = DefaultGrace
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sweepOnce(ctx, s, grace, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepTimeout bounds one periodic sweep.
const sweepTimeout = 30 * time.Minute

func sweepOnce(ctx context.Context, s Sweeper, grace time.Duration, log *slog.Logger) {
	start := time.Now()
	// Bounded, so a store that hangs cannot stop every later sweep.
	sctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	rep, err := s.Sweep(sctx, SweepOptions{Grace: grace})
	if ctx.Err() != nil {
		return // shutting down
	}
	for _, u := range rep.Resumable {
		log.Info("sweep: abandoned resumable upload removed", "upload", u.ID, "webinar", u.Slug,
			"offset", u.Offset, "length", u.Length, "last_written", u.Touched)
	}
	for _, u := range rep.Uploads {
		log.Info("sweep: unfinished upload aborted", "key", u.Key, "upload_id", u.UploadID, "started", u.Initiated)
	}
	for _, o := range rep.Objects {
		log.Info("sweep: orphaned object removed", "key", o.Key, "size", o.Size, "modified", o.LastModified)
	}
	for _, t := range rep.Tracks {
		log.Info("sweep: subtitle track of deleted webinar removed", "webinar", t.WebinarID, "lang", t.Lang)
	}
	for _, w := range rep.Warnings {
		log.Warn("sweep: " + w)
	}
	if err != nil {
		log.Error("sweep", "err", err)
	}
	if rep.Removed() > 0 || err != nil {
		log.Info("sweep done", "resumable", len(rep.Resumable), "uploads", len(rep.Uploads), "objects", len(rep.Objects), "tracks", len(rep.Tracks),
			"duration_ms", time.Since(start).Milliseconds())
	}
}

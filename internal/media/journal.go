package media

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UploadJournal remembers the multipart uploads the portal starts until
// they are completed or aborted. S3 servers do not reliably list their
// unfinished uploads: MinIO lists only those started since it last
// started, so an upload cut off by an S3 outage (or a portal crash just
// before the server restarts) would stay on its disk until MinIO's own
// expiry. With a journal the sweeper aborts it by its id.
type UploadJournal interface {
	Begin(ctx context.Context, u Upload) error
	End(ctx context.Context, uploadID string) error
	List(ctx context.Context) ([]Upload, error)
}

// SetJournal makes the store record its multipart uploads in j. Set it
// before the store is used.
func (s *Store) SetJournal(j UploadJournal) { s.journal = j }

// begin records a started upload; when that fails the upload is aborted,
// since nothing could clean it up later.
func (s *Store) begin(ctx context.Context, key, id string) error {
	if s.journal == nil {
		return nil
	}
	if err := s.journal.Begin(ctx, Upload{Key: key, UploadID: id, Initiated: time.Now().UTC()}); err != nil {
		_ = s.core().AbortMultipartUpload(context.WithoutCancel(ctx), s.bucket, key, id)
		return fmt.Errorf("record multipart upload of %s: %w", key, err)
	}
	return nil
}

// end forgets a completed or aborted upload. A failure only leaves an
// entry the sweeper will find gone from S3 and drop.
func (s *Store) end(ctx context.Context, id string) {
	if s.journal != nil {
		_ = s.journal.End(context.WithoutCancel(ctx), id)
	}
}

// journaled adds the journal's uploads under prefix that the server did
// not list to listed.
func (s *Store) journaled(ctx context.Context, prefix string, listed []Upload) ([]Upload, error) {
	if s.journal == nil {
		return listed, nil
	}
	entries, err := s.journal.List(ctx)
	if err != nil {
		return listed, fmt.Errorf("list recorded multipart uploads: %w", err)
	}
	seen := make(map[string]bool, len(listed))
	for _, u := range listed {
		seen[u.UploadID] = true
	}
	for _, u := range entries {
		if !seen[u.UploadID] && strings.HasPrefix(u.Key, prefix) {
			listed = append(listed, u)
		}
	}
	return listed, nil
}

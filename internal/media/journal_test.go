package media_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/s3journal"
	"github.com/smakom/webinar-portal/internal/testenv"
)

// TestUploadJournal: every multipart upload the store starts is recorded
// until it is completed or aborted, and unfinished ones are listed even
// when the S3 server does not list them.
func TestUploadJournal(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, _ := b.open(t)
			journal := s3journal.New(testenv.MongoDB(t))
			st.SetJournal(journal)
			ctx := testContext(t)
			recorded := func() []media.Upload {
				t.Helper()
				list, err := journal.List(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return list
			}

			// A streamed put that fails midway aborts its upload and
			// forgets it.
			key := media.NewKey(owner(), "recording", "mp4")
			data := randomBytes(40<<20, 1)
			_, err := st.Put(ctx, key, failingReader{r: bytes.NewReader(data[:20<<20])}, int64(len(data)), "video/mp4")
			if err == nil {
				t.Fatal("a put whose stream failed succeeded")
			}
			if l := recorded(); len(l) != 0 {
				t.Fatalf("after an aborted put the journal keeps %v", l)
			}

			// A started upload is recorded and listed...
			key = media.NewKey(owner(), "recording", "mp4")
			id, err := st.NewMultipart(ctx, key, "video/mp4")
			if err != nil {
				t.Fatal(err)
			}
			if l := recorded(); len(l) != 1 || l[0].UploadID != id || l[0].Key != key || l[0].Initiated.IsZero() {
				t.Fatalf("journal after NewMultipart: %+v, want upload %s of %s", l, id, key)
			}
			listed, err := st.IncompleteUploads(ctx, "webinars/")
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, u := range listed {
				if u.UploadID == id {
					found++
				}
			}
			if found != 1 {
				t.Fatalf("IncompleteUploads lists upload %s %d times: %+v", id, found, listed)
			}
			// ...until it completes.
			part, err := st.PutPart(ctx, key, id, 1, bytes.NewReader(data[:1000]), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CompleteMultipart(ctx, key, id, []media.Part{part}); err != nil {
				t.Fatal(err)
			}
			if l := recorded(); len(l) != 0 {
				t.Fatalf("after completing, the journal keeps %v", l)
			}

			// An entry S3 no longer knows (expired by the server) is
			// dropped by the abort the sweeper sends.
			ghost := media.Upload{Key: key + "-ghost", UploadID: "no-such-upload-id"}
			if err := journal.Begin(ctx, ghost); err != nil {
				t.Fatal(err)
			}
			if err := st.AbortUpload(ctx, ghost.Key, ghost.UploadID); err != nil && !errors.Is(err, media.ErrNoUpload) {
				t.Logf("abort of an unknown upload: %v", err)
			}
			if l := recorded(); len(l) != 0 {
				t.Fatalf("an upload S3 does not know stays in the journal: %v", l)
			}
		})
	}
}

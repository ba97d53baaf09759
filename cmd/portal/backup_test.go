package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/resume"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// snapshot is everything a store holds: each collection's documents as
// sorted canonical Extended JSON, and each object's SHA-256.
type snapshot struct {
	docs    map[string][]string
	objects map[string]string
}

func takeSnapshot(t *testing.T, ctx context.Context, db *mongo.Database, objects *media.Store) snapshot {
	t.Helper()
	s := snapshot{docs: map[string][]string{}, objects: map[string]string{}}
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{}, options.Find())
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			b, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				t.Fatal(err)
			}
			s.docs[name] = append(s.docs[name], string(b))
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		cur.Close(ctx)
		sort.Strings(s.docs[name])
	}
	list, err := objects.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list {
		body, _, err := objects.OpenObject(ctx, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, body); err != nil {
			t.Fatal(err)
		}
		body.Close()
		s.objects[o.Key] = hex.EncodeToString(h.Sum(nil))
	}
	return s
}

func (s snapshot) empty() bool {
	for _, d := range s.docs {
		if len(d) > 0 {
			return false
		}
	}
	return len(s.objects) == 0
}

// compareRestored checks that got holds exactly what want held, but
// sessions (never backed up) and the audit entries the restore added.
func compareRestored(t *testing.T, want, got snapshot) {
	t.Helper()
	for name, docs := range want.docs {
		switch name {
		case "sessions":
			if len(got.docs[name]) != 0 {
				t.Errorf("sessions were restored")
			}
		case "audit":
			have := strings.Join(got.docs[name], "\n")
			for _, d := range docs {
				if !strings.Contains(have, d) {
					t.Errorf("audit entry missing after restore: %s", d)
				}
			}
		default:
			if strings.Join(got.docs[name], "\n") != strings.Join(docs, "\n") {
				t.Errorf("collection %s differs after restore: %d documents, want %d\n got %.400s\nwant %.400s",
					name, len(got.docs[name]), len(docs), got.docs[name], docs)
			}
		}
	}
	if len(got.objects) != len(want.objects) {
		t.Errorf("%d objects after restore, want %d", len(got.objects), len(want.objects))
	}
	for key, sum := range want.objects {
		if got.objects[key] != sum {
			t.Errorf("object %s: SHA-256 %q after restore, want %s", key, got.objects[key], sum)
		}
	}
}

// fillStore adds to the demo webinars what a running archive gathers: a
// subtitle revision, accounts with a token and a session, a wish with
// supports and a resume position.
func fillStore(t *testing.T, ctx context.Context, st *stack) {
	t.Helper()
	if _, err := demo.Load(ctx, st.webinars); err != nil {
		t.Fatalf("demo: %v", err)
	}
	var first *webinar.Webinar
	if err := st.webinars.Store().ForEach(ctx, func(w *webinar.Webinar) error {
		if first == nil {
			first = w
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, track, err := st.webinars.SubtitleTrackForStaff(ctx, first.Slug, "sv")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.webinars.ShiftSubtitles(ctx, first.Slug, "sv", -100*time.Millisecond, track.Revision); err != nil {
		t.Fatal(err)
	}
	admin, err := st.accounts.AddUser(ctx, "admin@smakom.example", account.RoleAdmin, "korrekt-häst-batteri")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.accounts.CreateToken(ctx, admin.Email, "skript"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.accounts.StartSession(ctx, admin.ID); err != nil {
		t.Fatal(err)
	}
	wi, err := st.wishes.Create(ctx, wish.Input{Topic: "Reservvatten", Details: "Hur ordnar en liten kommun nödvatten?",
		Name: "Åsa", Email: "asa@kommun.example", Municipality: "Bjurholm"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.wishes.Support(ctx, wi.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := resume.NewStore(st.db).Save(ctx, admin.ID, first.ID, 7.5); err != nil {
		t.Fatal(err)
	}
}

// entryOffset is where an entry's content starts in an uncompressed tar.
func entryOffset(t *testing.T, archive []byte, prefix string) (string, int64) {
	t.Helper()
	r := bytes.NewReader(archive)
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("no entry %s* in the archive: %v", prefix, err)
		}
		if strings.HasPrefix(hdr.Name, prefix) {
			// tar reads headers in whole blocks and nothing ahead.
			return hdr.Name, r.Size() - int64(r.Len())
		}
	}
}

func TestBackupAndRestoreCommands(t *testing.T) {
	source, target := t.TempDir(), t.TempDir()
	archives := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+source, "LOG_LEVEL=error")

	var want snapshot
	withStack(t, func(ctx context.Context, st *stack) {
		fillStore(t, ctx, st)
		want = takeSnapshot(t, ctx, st.db, st.objects)
	})
	if len(want.objects) < 9 || len(want.docs["sessions"]) == 0 || len(want.docs["wish_supporters"]) == 0 {
		t.Fatalf("the source store holds too little to test with: %d objects, %v", len(want.objects), want.docs)
	}

	gz := filepath.Join(archives, "portal.tar.gz")
	plain := filepath.Join(archives, "portal.tar")
	for _, path := range []string{gz, plain} {
		out, err := runCommand(t, "", "backup", "--out", path)
		if err != nil {
			t.Fatalf("backup --out %s: %v", path, err)
		}
		if !strings.Contains(out, "Säkerhetskopian "+path+" är klar") || !strings.Contains(out, "objekt") {
			t.Errorf("backup printed %q", out)
		}
	}
	head := make([]byte, 2)
	f, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadFull(f, head)
	f.Close()
	if !bytes.Equal(head, []byte{0x1f, 0x8b}) {
		t.Errorf("%s is not gzip-compressed (starts %x)", gz, head)
	}
	leftovers, _ := filepath.Glob(filepath.Join(archives, ".*partial*"))
	if len(leftovers) > 0 {
		t.Errorf("backup left %v", leftovers)
	}

	t.Run("existing archive is not overwritten", func(t *testing.T) {
		_, err := runCommand(t, "", "backup", "--out", gz)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("backup onto an existing file: %v", err)
		}
	})

	t.Setenv("DATA_DIR", target)
	t.Run("tampered archive", func(t *testing.T) {
		data, err := os.ReadFile(plain)
		if err != nil {
			t.Fatal(err)
		}
		entry, off := entryOffset(t, data, "objects/")
		data[off+100] ^= 0x01
		bad := filepath.Join(archives, "tampered.tar")
		if err := os.WriteFile(bad, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = runCommand(t, "", "restore", bad)
		if err == nil {
			t.Fatal("restore of a tampered archive succeeded")
		}
		t.Logf("restore said: %v", err)
		if !strings.Contains(err.Error(), entry) || !strings.Contains(err.Error(), "SHA-256") {
			t.Errorf("the error does not name the damaged entry %s: %v", entry, err)
		}
		withStack(t, func(ctx context.Context, st *stack) {
			if s := takeSnapshot(t, ctx, st.db, st.objects); !s.empty() {
				t.Errorf("a failed restore left %d objects and %v", len(s.objects), s.docs)
			}
		})
	})

	t.Run("restore", func(t *testing.T) {
		out, err := runCommand(t, "", "restore", gz)
		if err != nil {
			t.Fatalf("restore: %v", err)
		}
		if !strings.Contains(out, "Återställt från "+gz) || !strings.Contains(out, "dokument") {
			t.Errorf("restore printed %q", out)
		}
		withStack(t, func(ctx context.Context, st *stack) {
			compareRestored(t, want, takeSnapshot(t, ctx, st.db, st.objects))
			if _, err := st.accounts.Authenticate(ctx, "admin@smakom.example", "korrekt-häst-batteri"); err != nil {
				t.Errorf("the admin cannot log in after restore: %v", err)
			}
			n, err := st.webinars.Store().Count(ctx)
			if err != nil || n != 3 {
				t.Errorf("%d webinars after restore (%v), want 3", n, err)
			}
		})
		// The restored store passes the integrity check.
		if out, err := runCommand(t, "", "verify"); err != nil {
			t.Errorf("verify after restore: %v\n%s", err, out)
		}
	})

	t.Run("restore into a store with data is refused", func(t *testing.T) {
		_, err := runCommand(t, "", "restore", plain)
		if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "webinars: 3 documents") {
			t.Fatalf("restore into a filled store: %v", err)
		}
	})
}

func TestBackupUsageErrors(t *testing.T) {
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	for _, args := range [][]string{
		{"backup"},
		{"backup", "--out", "a.tar", "extra"},
		{"restore"},
		{"restore", "a.tar", "b.tar"},
	} {
		if _, err := runCommand(t, "", args...); !isUsageError(err) {
			t.Errorf("portal %s = %v; want a usage error", strings.Join(args, " "), err)
		}
	}
	_, err := runCommand(t, "", "restore", filepath.Join(t.TempDir(), "missing.tar"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("restore of a missing file = %v", err)
	}
}

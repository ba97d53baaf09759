package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/resume"
	"github.com/smakom/webinar-portal/internal/testenv"
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

// TestBackupFailsOnMissingObject: a webinar naming an object the bucket
// lacks makes backup fail (exit status 1) naming it, but keeps the
// archive.
func TestBackupFailsOnMissingObject(t *testing.T) {
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	var gone string
	withStack(t, func(ctx context.Context, st *stack) {
		if _, err := demo.Load(ctx, st.webinars); err != nil {
			t.Fatal(err)
		}
		if err := st.webinars.Store().ForEach(ctx, func(w *webinar.Webinar) error {
			gone = w.Slides[0].Key
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := st.objects.Delete(ctx, gone); err != nil {
			t.Fatal(err)
		}
	})
	path := filepath.Join(t.TempDir(), "x.tar")
	_, err := runCommand(t, "", "backup", "--out", path)
	if err == nil || !strings.Contains(err.Error(), gone) || !strings.Contains(err.Error(), "lacks 1 objects") {
		t.Fatalf("backup with a missing slide deck: %v; want an error naming %s", err, gone)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the archive was not kept: %v", err)
	}
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

// TestBackupWhilePortalServes backs up a portal that runs as its own
// process and serves requests the whole time. A portal on the embedded
// default holds its DATA_DIR locked, so a live backup needs external
// servers: here a FerretDB server (the embedded one, alone, in the test
// process) and a MinIO process. The archive is then restored into a fresh
// embedded store and compared.
func TestBackupWhilePortalServes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ferret, err := embedded.StartOnly(ctx, t.TempDir(), quiet, true, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ferret.Stop()
	s3 := testenv.MinIO(t)
	external := []string{"MONGODB_URI=" + ferret.MongoURI, "S3_ENDPOINT=" + s3.Endpoint,
		"S3_ACCESS_KEY=" + s3.AccessKey, "S3_SECRET_KEY=" + s3.SecretKey, "S3_BUCKET=" + s3.Bucket, "LOG_LEVEL=warn"}

	// The portal process, loading the demo archive into the empty store.
	p := &portalProcess{t: t, bin: buildPortal(t), dataDir: t.TempDir(), port: freeTCPPort(t)}
	cmd := exec.Command(p.bin, "serve", "--demo")
	cmd.Env = append(cleanEnviron(), append(external, "DATA_DIR="+p.dataDir, "PORT="+strconv.Itoa(p.port))...)
	cmd.Stdout, cmd.Stderr = &p.log, &p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cmd = cmd
	defer p.kill()
	slug := waitForDemo(t, p)

	// Admin commands run beside the portal against the same servers.
	setCleanEnv(t, append(external, "DATA_DIR="+t.TempDir())...)
	if _, err := runCommand(t, "korrekt-häst-batteri\n", "user", "add", "--email", "admin@smakom.example",
		"--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user add beside the running portal: %v", err)
	}
	db, objects := openExternal(t, ctx, ferret.MongoURI, s3)
	want := takeSnapshot(t, ctx, db, objects)

	archive := backupWhileServing(t, p, slug, "the running portal")

	// Restore on the embedded default, in a fresh folder, reading the
	// archive from standard input as a pipe into a container would.
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	if out, err := runCommand(t, string(data), "restore", "-"); err != nil || !strings.Contains(out, "Återställt från -") {
		t.Fatalf("restore - < archive: %v\n%s", err, out)
	}
	withStack(t, func(ctx context.Context, st *stack) {
		compareRestored(t, want, takeSnapshot(t, ctx, st.db, st.objects))
		if _, err := st.accounts.Authenticate(ctx, "admin@smakom.example", "korrekt-häst-batteri"); err != nil {
			t.Errorf("the admin cannot log in after restore: %v", err)
		}
	})
}

// cleanEnviron is the environment without any portal setting.
func cleanEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(configVars, name) {
			env = append(env, kv)
		}
	}
	return env
}

// waitForDemo waits until the portal answers with the three demo
// webinars and returns the slug of one of them.
func waitForDemo(t *testing.T, p *portalProcess) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(p.url("/api/v1/webinars")); err == nil {
			var list struct {
				Items []struct {
					Slug string `json:"slug"`
				} `json:"items"`
				Total int `json:"total"`
			}
			err := json.NewDecoder(res.Body).Decode(&list)
			res.Body.Close()
			if err == nil && res.StatusCode == 200 && list.Total == 3 {
				return list.Items[0].Slug
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the portal did not serve the demo webinars within 2 minutes:\n%s", p.log.String())
	return ""
}

// openExternal connects to the external servers as the portal does.
func openExternal(t *testing.T, ctx context.Context, uri string, s3 media.Config) (*mongo.Database, *media.Store) {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	objects, err := media.Open(ctx, s3)
	if err != nil {
		t.Fatal(err)
	}
	return client.Database("portal"), objects
}

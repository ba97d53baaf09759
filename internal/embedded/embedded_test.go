package embedded_test

// These tests start the real servers. versitygw allows one gateway per
// process, so they run one after another (no t.Parallel) and never use
// testenv, which would start its own pair.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start starts the servers on dir and stops them when the test ends (Stop
// is idempotent, so a test may stop them earlier).
func start(t *testing.T, dir string) *embedded.Servers {
	t.Helper()
	s, err := embedded.Start(testCtx(t), dir, quiet)
	if err != nil {
		t.Fatalf("Start(%s): %v", dir, err)
	}
	t.Cleanup(func() { stopWithin(t, s, 30*time.Second) })
	return s
}

// stopWithin fails the test if Stop hangs, as it does while a MongoDB
// client is still connected.
func stopWithin(t *testing.T, s *embedded.Servers, d time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		s.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("Stop did not return within %v", d)
	}
}

func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(20 * time.Second))
	if err != nil {
		t.Fatalf("connect to %s: %v", uri, err)
	}
	return c
}

func disconnect(t *testing.T, c *mongo.Client) {
	t.Helper()
	if err := c.Disconnect(testCtx(t)); err != nil {
		t.Errorf("disconnect: %v", err)
	}
}

func openMedia(t *testing.T, s *embedded.Servers, bucket string) *media.Store {
	t.Helper()
	st, err := media.Open(testCtx(t), media.Config{
		Endpoint: s.S3Endpoint, AccessKey: s.S3AccessKey, SecretKey: s.S3SecretKey,
		Bucket: bucket, Region: "us-east-1",
	})
	if err != nil {
		t.Fatalf("open media store on %s: %v", s.S3Endpoint, err)
	}
	return st
}

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestStartLockRestart(t *testing.T) {
	// Start from one working directory and restart from another: the
	// gateway resolves buckets from the working directory, and the data
	// must still be found under dir.
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	ctx := testCtx(t)
	s := start(t, dir)

	t.Run("settings", func(t *testing.T) {
		if !strings.HasPrefix(s.MongoURI, "mongodb://127.0.0.1:") {
			t.Errorf("MongoURI = %q, want mongodb://127.0.0.1:port", s.MongoURI)
		}
		host, port, err := net.SplitHostPort(s.S3Endpoint)
		if err != nil || host != "127.0.0.1" || port == "" || port == "0" {
			t.Errorf("S3Endpoint = %q, want 127.0.0.1:port without scheme", s.S3Endpoint)
		}
		if s.S3AccessKey == "" || len(s.S3SecretKey) < 16 {
			t.Errorf("S3 credentials %q / %q: want an access key and a long secret", s.S3AccessKey, s.S3SecretKey)
		}
		b, err := os.ReadFile(filepath.Join(dir, "s3-secret"))
		if err != nil {
			t.Fatalf("s3-secret: %v", err)
		}
		if strings.TrimSpace(string(b)) != s.S3SecretKey {
			t.Errorf("s3-secret holds %q, want the secret in use", b)
		}
		if fi, err := os.Stat(filepath.Join(dir, "s3-secret")); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("s3-secret is readable by others: %v %v", fi.Mode(), err)
		}
		for _, sub := range []string{"db", "objects"} {
			if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
				t.Errorf("%s is not a directory: %v", sub, err)
			}
		}
	})

	t.Run("second start on the same directory is locked", func(t *testing.T) {
		second, err := embedded.Start(ctx, dir, quiet)
		if err == nil {
			second.Stop()
			t.Fatal("second Start on a directory in use: no error")
		}
		if !errors.Is(err, embedded.ErrLocked) {
			t.Fatalf("second Start = %v, want ErrLocked", err)
		}
		if !strings.Contains(err.Error(), dir) {
			t.Errorf("error %q does not name the directory %s", err, dir)
		}
		if second != nil {
			t.Errorf("second Start returned servers %+v with its error", second)
		}
		if !listening(s.S3Endpoint) || !listening(strings.Split(s.MongoURI, "/")[2]) {
			t.Error("the refused second Start stopped the first servers")
		}
	})

	// Write one document and one object, then restart.
	client := connect(t, s.MongoURI)
	docs := client.Database("portal").Collection("docs")
	if _, err := docs.InsertOne(ctx, bson.D{{Key: "_id", Value: "w1"}, {Key: "title", Value: "Vattenförsörjning"}}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	disconnect(t, client)

	object := bytes.Repeat([]byte("inspelning "), 1000)
	const key = "webinars/w1/recording-0011223344556677.mp4"
	st := openMedia(t, s, "webinars")
	if _, err := st.Put(ctx, key, bytes.NewReader(object), int64(len(object)), "video/mp4"); err != nil {
		t.Fatalf("put: %v", err)
	}

	t.Run("object stored under the data directory", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "objects", "webinars", filepath.FromSlash(key)))
		if err != nil {
			t.Fatalf("object not in %s/objects/webinars: %v", dir, err)
		}
		if !bytes.Equal(b, object) {
			t.Errorf("file holds %d bytes, want the %d put", len(b), len(object))
		}
	})

	secret, mongoAddr := s.S3SecretKey, strings.Split(s.MongoURI, "/")[2]
	stopWithin(t, s, 30*time.Second)

	t.Run("stopped", func(t *testing.T) {
		if listening(s.S3Endpoint) {
			t.Errorf("S3 server still answers on %s after Stop", s.S3Endpoint)
		}
		if listening(mongoAddr) {
			t.Errorf("MongoDB-wire server still answers on %s after Stop", mongoAddr)
		}
	})
	t.Run("Stop again", func(t *testing.T) {
		stopWithin(t, s, 5*time.Second)
	})

	t.Chdir(t.TempDir())
	again := start(t, dir)
	if again.S3SecretKey != secret {
		t.Errorf("S3 secret changed across restarts: %q → %q", secret, again.S3SecretKey)
	}

	t.Run("document persists", func(t *testing.T) {
		client := connect(t, again.MongoURI)
		defer disconnect(t, client)
		var got struct {
			Title string `bson:"title"`
		}
		err := client.Database("portal").Collection("docs").FindOne(ctx, bson.M{"_id": "w1"}).Decode(&got)
		if err != nil {
			t.Fatalf("find after restart: %v", err)
		}
		if got.Title != "Vattenförsörjning" {
			t.Errorf("title after restart = %q", got.Title)
		}
	})
	t.Run("object persists", func(t *testing.T) {
		st := openMedia(t, again, "webinars")
		keys, err := st.Keys(ctx, "")
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(keys) != 1 || keys[0] != key {
			t.Errorf("keys after restart = %v, want [%s]", keys, key)
		}
		body, err := st.Get(ctx, key, 0, -1)
		if err != nil {
			t.Fatalf("get after restart: %v", err)
		}
		defer body.Close()
		got, err := io.ReadAll(body)
		if err != nil || !bytes.Equal(got, object) {
			t.Errorf("object after restart: %d bytes (want %d), %v", len(got), len(object), err)
		}
	})

	t.Run("concurrent Stop", func(t *testing.T) {
		done := make(chan struct{}, 2)
		for range 2 {
			go func() {
				again.Stop()
				done <- struct{}{}
			}()
		}
		for range 2 {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("concurrent Stop calls did not both return")
			}
		}
		if listening(again.S3Endpoint) {
			t.Error("S3 server still answers after Stop")
		}
	})

	t.Run("lock released after Stop", func(t *testing.T) {
		third := start(t, dir)
		stopWithin(t, third, 30*time.Second)
	})
}

func TestStartRelativeDir(t *testing.T) {
	// DATA_DIR defaults to the relative "storage"; versitygw moves the
	// working directory while it starts, so the path must be resolved first.
	root := t.TempDir()
	t.Chdir(root)
	s := start(t, "storage")
	for _, p := range []string{"s3-secret", ".lock", "db", "objects"} {
		if _, err := os.Stat(filepath.Join(root, "storage", p)); err != nil {
			t.Errorf("%s not under the relative data directory: %v", p, err)
		}
	}
	ctx := testCtx(t)
	st := openMedia(t, s, "relative")
	if _, err := st.Put(ctx, "a.txt", strings.NewReader("hej"), 3, "text/plain"); err != nil {
		t.Fatalf("put: %v", err)
	}
	body, err := st.Get(ctx, "a.txt", 0, -1)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer body.Close()
	if b, err := io.ReadAll(body); err != nil || string(b) != "hej" {
		t.Errorf("read back %q, %v", b, err)
	}
}

func TestStartUnusableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Start(testCtx(t), filepath.Join(file, "data"), quiet)
	if err == nil {
		s.Stop()
		t.Fatal("Start under a regular file: no error")
	}
	if errors.Is(err, embedded.ErrLocked) {
		t.Errorf("Start under a regular file = %v, want a creation error, not ErrLocked", err)
	}
}

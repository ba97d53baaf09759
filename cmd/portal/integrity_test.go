package main

// Tests of `portal verify` and `portal sweep` through run(), against their
// own DATA_DIR. Like the tests in cli_test.go they never run in parallel:
// each command, and withStack, starts and stops the embedded servers.

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// withStack opens the storage of $DATA_DIR as the commands do (from a
// temporary working directory, see runCommand), runs fn and closes it.
func withStack(t *testing.T, fn func(ctx context.Context, st *stack)) {
	t.Helper()
	defer inTempDir(t)()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := adminStack(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	fn(ctx, st)
}

func TestVerifyAndSweepCommands(t *testing.T) {
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")

	t.Run("verify empty archive", func(t *testing.T) {
		out, err := runCommand(t, "", "verify")
		if err != nil || out != "verified 0 objects, 0 problems\n" {
			t.Fatalf("verify of an empty archive = %q, %v", out, err)
		}
	})

	var webinars []*webinar.Webinar
	withStack(t, func(ctx context.Context, st *stack) {
		if _, err := demo.Load(ctx, st.webinars); err != nil {
			t.Fatalf("load demo archive: %v", err)
		}
		if err := st.webinars.Store().ForEach(ctx, func(w *webinar.Webinar) error {
			webinars = append(webinars, w)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	if len(webinars) != 3 {
		t.Fatalf("demo archive has %d webinars, want 3", len(webinars))
	}

	t.Run("verify clean archive", func(t *testing.T) {
		out, err := runCommand(t, "", "verify")
		if err != nil || out != "verified 9 objects, 0 problems\n" {
			t.Fatalf("verify of the demo archive = %q, %v; want 9 objects and no problem", out, err)
		}
	})

	// Damage it: a recording with other bytes of the same size, a deck
	// gone, an orphaned object and an unfinished multipart upload.
	w1, w2 := webinars[0], webinars[1]
	orphan := media.NewKey(w1.ID, "recording", "mp4")
	unfinished := media.NewKey(w2.ID, "recording", "mp4")
	withStack(t, func(ctx context.Context, st *stack) {
		body, err := st.objects.Get(ctx, w1.Recording.Key, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-1] ^= 0x55
		if _, err := st.objects.Put(ctx, w1.Recording.Key, bytes.NewReader(data), int64(len(data)), "video/mp4"); err != nil {
			t.Fatal(err)
		}
		if err := st.objects.Delete(ctx, w2.Slides[0].Key); err != nil {
			t.Fatal(err)
		}
		if _, err := st.objects.Put(ctx, orphan, strings.NewReader("crashed"), 7, "video/mp4"); err != nil {
			t.Fatal(err)
		}
		raw, err := minio.New(st.embedded.S3Endpoint, &minio.Options{
			Creds: credentials.NewStaticV4(st.embedded.S3AccessKey, st.embedded.S3SecretKey, ""), Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		core := minio.Core{Client: raw}
		id, err := core.NewMultipartUpload(ctx, st.objects.Bucket(), unfinished, minio.PutObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := core.PutObjectPart(ctx, st.objects.Bucket(), unfinished, id, 1, strings.NewReader("part"), 4, minio.PutObjectPartOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	verifyProblems := func(t *testing.T, want ...string) {
		t.Helper()
		out, err := runCommand(t, "", "verify")
		if err == nil {
			t.Fatalf("verify of a damaged archive succeeded:\n%s", out)
		}
		if isUsageError(err) {
			t.Errorf("problems found are not a usage error: %v", err)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != len(want)+1 {
			t.Fatalf("verify printed %d lines; want %d problems and a summary:\n%s", len(lines), len(want), out)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("line %d = %q; want it to start with %q", i+1, lines[i], w)
			}
		}
		summary := "verified 9 objects, " + string(rune('0'+len(want))) + " problems"
		if lines[len(lines)-1] != summary {
			t.Errorf("summary = %q; want %q", lines[len(lines)-1], summary)
		}
		if !strings.Contains(err.Error(), "problems found") {
			t.Errorf("error = %q; want it to say problems were found", err)
		}
	}
	checksum := "checksum   " + w1.Recording.Key + " (recording of webinar \"" + w1.Slug + "\""
	missing := "missing    " + w2.Slides[0].Key + " (slides of webinar \"" + w2.Slug + "\""
	orphaned := "orphan     " + orphan + ": no webinar refers to it"
	// Problems with referenced objects come in key order, then orphans.
	referenced := []string{checksum, missing}
	if w2.Slides[0].Key < w1.Recording.Key {
		referenced = []string{missing, checksum}
	}

	t.Run("verify finds the damage", func(t *testing.T) {
		verifyProblems(t, append(referenced, orphaned)...)
	})

	t.Run("sweep dry run with the default grace", func(t *testing.T) {
		out, err := runCommand(t, "", "sweep", "--dry-run")
		if err != nil {
			t.Fatalf("sweep --dry-run: %v\n%s", err, out)
		}
		want := "swept: would remove (dry run) 0 resumable uploads, 0 unfinished uploads, 0 orphaned objects, 0 subtitle tracks; " +
			"left alone as younger than 24h0m0s: 0 resumable uploads, 1 uploads, 1 objects, 0 tracks\n"
		if out != want {
			t.Errorf("sweep --dry-run printed\n%q\nwant\n%q", out, want)
		}
	})

	t.Run("sweep dry run with no grace", func(t *testing.T) {
		out, err := runCommand(t, "", "sweep", "--dry-run", "--grace", "0s")
		if err != nil {
			t.Fatalf("sweep --dry-run --grace 0s: %v\n%s", err, out)
		}
		for _, want := range []string{
			"would abort unfinished upload of " + unfinished,
			"would remove orphaned object " + orphan + " (7 bytes",
			"swept: would remove (dry run) 0 resumable uploads, 1 unfinished uploads, 1 orphaned objects, 0 subtitle tracks",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not contain %q:\n%s", want, out)
			}
		}
		verifyProblems(t, append(referenced, orphaned)...)
	})

	t.Run("sweep", func(t *testing.T) {
		out, err := runCommand(t, "", "sweep", "--grace", "0s")
		if err != nil {
			t.Fatalf("sweep --grace 0s: %v\n%s", err, out)
		}
		for _, want := range []string{
			"aborted unfinished upload of " + unfinished,
			"removed orphaned object " + orphan,
			"swept: removed 0 resumable uploads, 1 unfinished uploads, 1 orphaned objects, 0 subtitle tracks",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not contain %q:\n%s", want, out)
			}
		}
		verifyProblems(t, referenced...)
		out, err = runCommand(t, "", "sweep", "--dry-run", "--grace=0s")
		if err != nil || !strings.Contains(out, "would remove (dry run) 0 resumable uploads, 0 unfinished uploads, 0 orphaned objects, 0 subtitle tracks") {
			t.Errorf("a second sweep finds more: %q, %v", out, err)
		}
	})
}

func TestVerifyAndSweepUsageErrors(t *testing.T) {
	// A DATA_DIR that cannot be created: usage errors come before storage.
	setCleanEnv(t, "DATA_DIR=/dev/null/not-a-directory")
	for _, args := range [][]string{
		{"verify", "now"},
		{"verify", "--dry-run"},
		{"sweep", "now"},
		{"sweep", "--grace", "-1h"},
		{"sweep", "--grace", "tomorrow"},
		{"sweep", "--dry-run=maybe"},
		{"sweep", "--force"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, err := runCommand(t, "", args...)
			if !isUsageError(err) {
				t.Fatalf("run(%q) = %v (%T), stdout %q; want a usage error", args, err, err, out)
			}
		})
	}
	t.Run("help lists the commands", func(t *testing.T) {
		out, err := runCommand(t, "", "help")
		if err != nil || !strings.Contains(out, "portal verify") || !strings.Contains(out, "portal sweep [--dry-run] [--grace 24h]") {
			t.Errorf("help = %q, %v", out, err)
		}
	})
}

package reqid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/reqid"
)

func TestHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(reqid.Handler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	ctx := reqid.With(context.Background(), "abc123")
	log.InfoContext(ctx, "with context")
	log.InfoContext(ctx, "named already", "request_id", "abc123")
	log.Info("without context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, want := range []string{"abc123", "abc123", ""} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		got, _ := rec["request_id"].(string)
		if got != want {
			t.Errorf("line %d: request_id %q, want %q", i, got, want)
		}
		if strings.Count(lines[i], "request_id") > 1 {
			t.Errorf("line %d names the request id twice: %s", i, lines[i])
		}
	}
	if reqid.From(context.Background()) != "" || reqid.From(ctx) != "abc123" {
		t.Error("From does not return what With stored")
	}
}

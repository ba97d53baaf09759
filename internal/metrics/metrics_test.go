package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/smakom/webinar-portal/internal/metrics"
)

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

func TestMetrics(t *testing.T) {
	// A nil *Metrics records nothing and never panics.
	var none *metrics.Metrics
	none.ObserveRequest("/", "GET", 200, time.Millisecond)
	none.MediaBytes("/x", 10)
	none.UploadStarted("raw")(true)
	none.UploadRejected("tus")
	none.S3IdleConnections(func() int { return 1 })
	if none.MongoMonitor() != nil || none.S3Transport(http.DefaultTransport) != http.DefaultTransport {
		t.Error("a nil *Metrics changes the clients")
	}

	m := metrics.New()
	m.ObserveRequest("/webinars/:slug", "BREW", 503, 2*time.Second)
	done := m.UploadStarted("tus")
	done(false)
	idle := 3
	m.S3IdleConnections(func() int { return idle })
	idle = 2 // read at each scrape
	mon := m.MongoMonitor()
	mon.Succeeded(context.Background(), &event.CommandSucceededEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "find", Duration: 3 * time.Millisecond}})
	mon.Failed(context.Background(), &event.CommandFailedEvent{CommandFinishedEvent: event.CommandFinishedEvent{CommandName: "insert", Duration: time.Second}})
	req := httptest.NewRequest(http.MethodHead, "http://s3.example/bucket/key", nil)
	if _, err := m.S3Transport(failingTransport{}).RoundTrip(req); err == nil {
		t.Fatal("the wrapped transport's error was lost")
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`portal_http_requests_total{method="OTHER",route="/webinars/:slug",status="5xx"} 1`,
		`portal_http_server_errors_total{route="/webinars/:slug",status="503"} 1`,
		`portal_uploads_finished_total{kind="tus",result="error"} 1`,
		`portal_uploads_in_flight{kind="tus"} 0`,
		`portal_mongodb_command_duration_seconds_count{command="find",result="ok"} 1`,
		`portal_mongodb_command_duration_seconds_count{command="insert",result="error"} 1`,
		`portal_s3_request_duration_seconds_count{method="HEAD",result="error"} 1`,
		"portal_s3_splice_idle_connections 2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if got := metrics.StatusClass(404); got != "4xx" {
		t.Errorf("StatusClass(404) = %q", got)
	}
}

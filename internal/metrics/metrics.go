// Package metrics keeps the portal's Prometheus metrics: HTTP requests by
// route pattern, media bytes sent, uploads, MongoDB commands and S3
// calls. Every label takes values from a small fixed set (route patterns,
// never raw URLs), so the number of series stays bounded.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.mongodb.org/mongo-driver/v2/event"
)

// Metrics is one registry with the portal's collectors. A nil *Metrics
// records nothing, so tests and tools may leave it out.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	serverErrors    *prometheus.CounterVec
	mediaBytes      *prometheus.CounterVec
	uploadsInFlight *prometheus.GaugeVec
	uploadsFinished *prometheus.CounterVec
	uploadsRejected *prometheus.CounterVec
	mongoDuration   *prometheus.HistogramVec
	s3Duration      *prometheus.HistogramVec
}

// New registers the portal's metrics and the Go runtime and process
// collectors in a registry of its own (no package globals).
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status class.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "portal_http_request_duration_seconds",
		Help:    "Time to handle a request, by route pattern, method and status class; for media, until the body starts streaming.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120},
	}, []string{"route", "method", "status"})
	m.serverErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_http_server_errors_total",
		Help: "Requests answered with a 5xx status, by route pattern and status.",
	}, []string{"route", "status"})
	m.mediaBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_media_bytes_sent_total",
		Help: "Bytes of recordings, slide decks and posters sent to clients, by route pattern (counted as each stream ends).",
	}, []string{"route"})
	m.uploadsInFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "portal_uploads_in_flight",
		Help: "Upload requests whose body is being received: raw (PUT and staff forms) or tus (one resumable chunk).",
	}, []string{"kind"})
	m.uploadsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_uploads_finished_total",
		Help: "Upload requests finished, by kind (raw, tus) and result (ok, error).",
	}, []string{"kind", "result"})
	m.uploadsRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_uploads_rejected_total",
		Help: "Upload requests refused with 503 because MAX_CONCURRENT_UPLOADS were running.",
	}, []string{"kind"})
	m.mongoDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "portal_mongodb_command_duration_seconds",
		Help:    "MongoDB command latency seen by the driver, by command name and result (ok, error).",
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"command", "result"})
	m.s3Duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "portal_s3_request_duration_seconds",
		Help:    "S3 call latency until the response headers, by HTTP method and result (2xx, 3xx, 4xx, 5xx, error).",
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"method", "result"})
	m.reg.MustRegister(m.requests, m.duration, m.serverErrors, m.mediaBytes, m.uploadsInFlight,
		m.uploadsFinished, m.uploadsRejected, m.mongoDuration, m.s3Duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// S3IdleConnections reports how many connections to a plain-HTTP S3
// server the portal keeps open for the next media range (see
// media.RangeProxy); count is asked at each scrape.
func (m *Metrics) S3IdleConnections(count func() int) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "portal_s3_splice_idle_connections",
		Help: "Connections to a plain-HTTP S3 server kept open for the next spliced media range.",
	}, func() float64 { return float64(count()) }))
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// StatusClass is "2xx" for 200-299 and so on.
func StatusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// knownMethods bounds the method label: anything else is "OTHER".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func methodLabel(m string) string {
	if knownMethods[m] {
		return m
	}
	return "OTHER"
}

// ObserveRequest records one answered request. route must be a route
// pattern such as /webinars/:slug, never the URL asked for.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	class, method := StatusClass(status), methodLabel(method)
	m.requests.WithLabelValues(route, method, class).Inc()
	m.duration.WithLabelValues(route, method, class).Observe(d.Seconds())
	if status >= 500 {
		m.serverErrors.WithLabelValues(route, strconv.Itoa(status)).Inc()
	}
}

// MediaBytes adds bytes sent for a media route.
func (m *Metrics) MediaBytes(route string, n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.mediaBytes.WithLabelValues(route).Add(float64(n))
}

// UploadStarted counts an upload request of kind (raw or tus) in flight;
// the returned func ends it with its result.
func (m *Metrics) UploadStarted(kind string) (finished func(ok bool)) {
	if m == nil {
		return func(bool) {}
	}
	m.uploadsInFlight.WithLabelValues(kind).Inc()
	return func(ok bool) {
		m.uploadsInFlight.WithLabelValues(kind).Dec()
		result := "error"
		if ok {
			result = "ok"
		}
		m.uploadsFinished.WithLabelValues(kind, result).Inc()
	}
}

// UploadRejected counts an upload refused for lack of a free slot.
func (m *Metrics) UploadRejected(kind string) {
	if m == nil {
		return
	}
	m.uploadsRejected.WithLabelValues(kind).Inc()
}

// MongoMonitor times every command the MongoDB driver runs; set it with
// options.Client().SetMonitor.
func (m *Metrics) MongoMonitor() *event.CommandMonitor {
	if m == nil {
		return nil
	}
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			m.mongoDuration.WithLabelValues(e.CommandName, "ok").Observe(e.Duration.Seconds())
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			m.mongoDuration.WithLabelValues(e.CommandName, "error").Observe(e.Duration.Seconds())
		},
	}
}

// S3Transport wraps the S3 client's transport to time each call.
func (m *Metrics) S3Transport(next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return next
	}
	return roundTripper{next: next, m: m}
}

type roundTripper struct {
	next http.RoundTripper
	m    *Metrics
}

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := rt.next.RoundTrip(r)
	result := "error"
	if err == nil {
		result = StatusClass(res.StatusCode)
	}
	rt.m.s3Duration.WithLabelValues(methodLabel(r.Method), result).Observe(time.Since(start).Seconds())
	return res, err
}

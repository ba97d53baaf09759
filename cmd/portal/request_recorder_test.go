package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// seenRequest is one request that reached the portal through a
// requestRecorder, with the head of its answer.
type seenRequest struct {
	Method, Path, Range string
	Body                []byte // only for requests the recorder was told to keep the body of
	Status              int    // 0 until the answer's head is written
	ContentType         string
	ContentRange        string
	// Arrived and Answered number arrivals and finished answers in one
	// sequence, so a test can tell what was answered before what
	// arrived. Answered is 0 while the request is in flight.
	Arrived, Answered int
}

// requestRecorder is a reverse proxy in front of the portal that notes
// every request the portal receives and the head of its answer. The
// browser talks to the proxy, so the test sees what reached the server,
// not what the browser says it sent.
type requestRecorder struct {
	url string
	mu  sync.Mutex
	log []*seenRequest
	seq int
}

// startRequestRecorder puts a recorder before the portal at target.
// keepBody, when not nil, picks the requests whose body is kept.
func startRequestRecorder(t *testing.T, target string, keepBody func(*http.Request) bool) *requestRecorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rr := &requestRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.FlushInterval = -1                    // media stream as they come
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a player that stops reading cancels its request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := &seenRequest{Method: r.Method, Path: r.URL.Path, Range: r.Header.Get("Range")}
		if keepBody != nil && keepBody(r) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			seen.Body = b
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		rr.mu.Lock()
		rr.seq++
		seen.Arrived = rr.seq
		rr.log = append(rr.log, seen)
		rr.mu.Unlock()
		proxy.ServeHTTP(&recordingWriter{ResponseWriter: w, rr: rr, seen: seen}, r)
		rr.mu.Lock()
		rr.seq++
		seen.Answered = rr.seq
		if seen.Status == 0 {
			seen.Status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
		rr.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rr.url = srv.URL
	return rr
}

// since returns copies of the requests from the n-th on, in order of
// arrival.
func (rr *requestRecorder) since(n int) []seenRequest {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	var out []seenRequest
	for _, s := range rr.log[min(n, len(rr.log)):] {
		out = append(out, *s)
	}
	return out
}

func (rr *requestRecorder) count() int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return len(rr.log)
}

// recordingWriter notes the head of the answer as it is written.
type recordingWriter struct {
	http.ResponseWriter
	rr   *requestRecorder
	seen *seenRequest
}

func (w *recordingWriter) WriteHeader(status int) {
	h := w.Header()
	w.rr.mu.Lock()
	w.seen.Status, w.seen.ContentType, w.seen.ContentRange = status, h.Get("Content-Type"), h.Get("Content-Range")
	w.rr.mu.Unlock()
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.rr.mu.Lock()
	implicit := w.seen.Status == 0
	w.rr.mu.Unlock()
	if implicit {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

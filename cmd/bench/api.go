package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// portalClient calls the portal's JSON API with a staff token.
type portalClient struct {
	base, token string
	http        *http.Client
}

type storedRecording struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type webinarJSON struct {
	ID        string           `json:"id"`
	Slug      string           `json:"slug"`
	Recording *storedRecording `json:"recording"`
}

func (c *portalClient) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	return req, nil
}

// do sends req and decodes a JSON answer of status want into out (nil:
// discard it); any other status is an error with the portal's message.
func (c *portalClient) do(req *http.Request, want int, out any) (*http.Response, error) {
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
		return res, fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, res.Status, bytes.TrimSpace(msg))
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return res, fmt.Errorf("%s %s: decode answer: %w", req.Method, req.URL.Path, err)
		}
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res, nil
}

func (c *portalClient) createWebinar(ctx context.Context, title, visibility string) (webinarJSON, error) {
	body, _ := json.Marshal(map[string]string{"title": title, "visibility": visibility, "held_at": time.Now().Format("2006-01-02")})
	req, err := c.request(ctx, http.MethodPost, "/api/v1/webinars", bytes.NewReader(body))
	if err != nil {
		return webinarJSON{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	var w webinarJSON
	_, err = c.do(req, http.StatusCreated, &w)
	if err == nil && (w.Slug == "" || w.ID == "") {
		err = fmt.Errorf("create webinar: answer without slug or id")
	}
	return w, err
}

func (c *portalClient) webinar(ctx context.Context, slug string) (webinarJSON, error) {
	req, err := c.request(ctx, http.MethodGet, "/api/v1/webinars/"+url.PathEscape(slug), nil)
	if err != nil {
		return webinarJSON{}, err
	}
	var w webinarJSON
	_, err = c.do(req, http.StatusOK, &w)
	return w, err
}

func (c *portalClient) deleteWebinar(ctx context.Context, slug string) error {
	req, err := c.request(ctx, http.MethodDelete, "/api/v1/webinars/"+url.PathEscape(slug), nil)
	if err != nil {
		return err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("delete webinar %s: %s", slug, res.Status)
	}
	return nil
}

// putRecording uploads through the raw API (PUT, body streamed).
func (c *portalClient) putRecording(ctx context.Context, slug string, body io.Reader, size int64) (storedRecording, error) {
	req, err := c.request(ctx, http.MethodPut, "/api/v1/webinars/"+url.PathEscape(slug)+"/recording", body)
	if err != nil {
		return storedRecording{}, err
	}
	req.ContentLength = size
	var w webinarJSON
	if _, err := c.do(req, http.StatusOK, &w); err != nil {
		return storedRecording{}, err
	}
	if w.Recording == nil {
		return storedRecording{}, fmt.Errorf("upload answered without a recording")
	}
	return *w.Recording, nil
}

// tusTiming splits a resumable upload's time: all of it, and the last
// chunk's answer, which waits for the object to be completed in S3,
// probed and committed.
type tusTiming struct {
	total, finish time.Duration
}

// tusUpload sends g through the resumable path (tus 1.0.0): a POST with
// the length and metadata, then PATCHes of chunk bytes.
func (c *portalClient) tusUpload(ctx context.Context, slug, filename string, g *recording, chunk int64) (tusTiming, error) {
	start := time.Now()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	req, err := c.request(ctx, http.MethodPost, "/api/v1/uploads", nil)
	if err != nil {
		return tusTiming{}, err
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(g.size, 10))
	req.Header.Set("Upload-Metadata", "slug "+b64(slug)+",kind "+b64("recording")+",filename "+b64(filename))
	res, err := c.do(req, http.StatusCreated, nil)
	if err != nil {
		return tusTiming{}, err
	}
	loc, err := res.Location()
	if err != nil {
		return tusTiming{}, fmt.Errorf("tus create: no Location: %w", err)
	}
	var last time.Duration
	for off := int64(0); off < g.size; {
		n := min(chunk, g.size-off)
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, loc.String(), g.reader(off, n))
		if err != nil {
			return tusTiming{}, err
		}
		req.ContentLength = n
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.Header.Set("Upload-Offset", strconv.FormatInt(off, 10))
		t0 := time.Now()
		res, err := c.do(req, http.StatusNoContent, nil)
		if err != nil {
			return tusTiming{}, fmt.Errorf("tus chunk at %d: %w", off, err)
		}
		last = time.Since(t0)
		got, err := strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
		if err != nil || got != off+n {
			return tusTiming{}, fmt.Errorf("tus chunk at %d: Upload-Offset %q, want %d", off, res.Header.Get("Upload-Offset"), off+n)
		}
		off += n
	}
	return tusTiming{total: time.Since(start), finish: last}, nil
}

package server

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/media"
)

// TestRedirectDelivery: public media answer with a 302 to a presigned URL
// that the real S3 server honours; members-only media stay proxied.
func TestRedirectDelivery(t *testing.T) {
	p := newPortal(t)
	cfg := p.s3
	presigner, err := media.NewPresigner(cfg, "", false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p.srv.deps.Presigner = presigner

	api := p.apiClient()
	public := api.createWebinar("Publik inspelning", "public")
	members := api.createWebinar("Medlemsinspelning", "members")
	data := fakeMP4(200000)
	for _, slug := range []string{public, members} {
		expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(data), int64(len(data))), http.StatusOK)
	}
	anon := p.anonymous()
	r := anon.get("/webinars/" + public + "/recording")
	expectStatus(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.Contains(loc, "X-Amz-Signature=") || !strings.Contains(loc, cfg.Endpoint) {
		t.Fatalf("Location %q is not a presigned URL on the S3 server", loc)
	}
	cc := r.Header.Get("Cache-Control")
	maxAge, _ := strconv.Atoi(strings.TrimPrefix(cc, "public, max-age="))
	if maxAge < 40*60 || maxAge > 45*60 {
		t.Errorf("Cache-Control %q: want a max-age below the URL's hour of validity", cc)
	}
	if again := anon.get("/webinars/" + public + "/recording"); again.Header.Get("Location") != loc {
		t.Error("the presigned URL is not reused while it is fresh")
	}
	res, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || sha(body) != sha(data) {
		t.Fatalf("presigned URL: status %d, %d bytes", res.StatusCode, len(body))
	}

	// Slide decks redirect too, with their file name for the download.
	deck := []byte("%PDF-1.4\n%%EOF\n")
	expectStatus(t, api.put("/api/v1/webinars/"+public+"/slides?filename=Bilder%20%C3%A5%C3%A4%C3%B6.pdf", bytes.NewReader(deck), int64(len(deck))), http.StatusOK)
	r = anon.get("/webinars/" + public + "/slides/1?download=1")
	expectStatus(t, r, http.StatusFound)
	res, err = http.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("presigned slide download: %s, Content-Disposition %q", res.Status, res.Header.Get("Content-Disposition"))
	}

	member := p.loginAs(account.RoleMember)
	r = member.get("/webinars/" + members + "/recording")
	expectStatus(t, r, http.StatusOK)
	if sha(r.Body) != sha(data) {
		t.Error("members-only recording not proxied whole")
	}
	expectStatus(t, anon.get("/webinars/"+members+"/recording"), http.StatusNotFound)
}

// TestPageETag: pages answer If-None-Match with 304.
func TestPageETag(t *testing.T) {
	p := newPortal(t)
	anon := p.anonymous()
	anon.get("/") // sets the CSRF cookie the page embeds
	first := anon.get("/")
	tag := first.Header.Get("ETag")
	if tag == "" {
		t.Fatal("catalogue has no ETag")
	}
	expectStatus(t, anon.get("/", "If-None-Match", tag), http.StatusNotModified)
	expectStatus(t, anon.get("/", "If-None-Match", `W/"1-1"`), http.StatusOK)
}

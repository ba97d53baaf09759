package server

import (
	"bytes"
	"net/http"
	"os"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// moovAtEndMP4 is an MP4 whose index comes after its media data, read at
// package start before the embedded S3 server moves the working directory.
var moovAtEndMP4 = func() []byte {
	b, err := os.ReadFile("../probe/testdata/moov-at-end.mp4")
	if err != nil {
		panic(err)
	}
	return b
}()

// The staff page shows what probing found, and says when the recording
// does not stream well because ffmpeg was missing.
func TestStaffPageShowsProbe(t *testing.T) {
	saved := webinar.LookFFmpeg
	webinar.LookFFmpeg = func() string { return "" }
	t.Cleanup(func() { webinar.LookFFmpeg = saved })
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Probad sida", "draft")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(moovAtEndMP4), int64(len(moovAtEndMP4))), http.StatusOK)
	staff := p.loginAs(account.RoleStaff)
	r := staff.get("/staff/webinars/" + slug + "/edit")
	expectStatus(t, r, http.StatusOK)
	expectContains(t, r, "0:03", "320 × 180 pixlar", "H.264", "(avc1.64000c)", "AAC", "inte optimerad för strömning", "ffmpeg")

	slug = api.createWebinar("Snabbstart", "draft")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(demoClip), int64(len(demoClip))), http.StatusOK)
	r = staff.get("/staff/webinars/" + slug + "/edit")
	expectContains(t, r, "0:14", "480 × 270 pixlar", "optimerad: uppspelningen kan börja direkt")
	if bytes.Contains(r.Body, []byte("faststart-note")) {
		t.Error("the faststart note is shown for a faststart MP4")
	}
}

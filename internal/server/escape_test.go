package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestHTMLInjection checks that text from staff and visitors is escaped
// wherever pages show it.
func TestHTMLInjection(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	evil := `<script>alert("x")</script>`
	r := api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{
		"title": "Titel " + evil, "summary": evil, "description": evil + "\n\nstycke", "organiser": evil,
		"topics": []string{evil}, "visibility": "public",
		"speakers": []map[string]string{{"name": evil, "role": evil, "organisation": evil}},
	})
	expectStatus(t, r, http.StatusCreated)
	sub := "1\n00:00:01,000 --> 00:00:02,000\n" + evil + "\n"
	expectStatus(t, api.put("/api/v1/webinars/titel-script-alert-x-script/subtitles/sv", strings.NewReader(sub), int64(len(sub))), http.StatusOK)
	anon := p.anonymous()
	for _, path := range []string{"/", "/webinars/titel-script-alert-x-script", "/?q=" + "%3Cscript%3E", "/?topic=%3Cscript%3E"} {
		r := anon.get(path)
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.text(), "<script>") {
			t.Errorf("%s: unescaped <script> in page", path)
		}
	}
	vtt := anon.get("/webinars/titel-script-alert-x-script/subtitles/sv.vtt")
	if strings.Contains(vtt.text(), "<script>") {
		t.Errorf("subtitle track carries markup: %s", vtt.Body)
	}
	r = anon.postForm("/wishes", map[string][]string{"topic": {evil}})
	expectStatus(t, r, http.StatusSeeOther)
	r = anon.get("/wishes/thanks")
	expectContains(t, r, "&lt;script&gt;")
	if strings.Contains(r.text(), "<script>") {
		t.Error("wish thank-you page echoes markup")
	}
}

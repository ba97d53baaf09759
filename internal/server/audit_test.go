package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
)

func TestStaffChangesAreLogged(t *testing.T) {
	p := newPortal(t)
	log := p.srv.deps.Audit

	api := p.apiClient()
	slug := api.createWebinar("Loggat webbinarium", "draft")
	staff := p.loginAs(account.RoleStaff)
	expectStatus(t, staff.postForm("/staff/webinars/"+slug+"/publish", url.Values{"visibility": {"public"}}), http.StatusSeeOther)
	// Refused and read-only requests are not changes.
	expectStatus(t, api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+slug, map[string]any{"visibility": "nonsense"}), http.StatusUnprocessableEntity)
	expectStatus(t, staff.get("/staff/webinars/"+slug+"/edit"), http.StatusOK)

	entries, err := log.Recent(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Target)
		if e.Actor == "" || !strings.Contains(e.Actor, "@") {
			t.Errorf("entry without an actor: %+v", e)
		}
	}
	want := []string{"publicerade webbinariet " + slug, "skapade webbinariet "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("log %q, want %q", got, want)
	}

	page := staff.get("/staff/audit")
	expectStatus(t, page, http.StatusOK)
	expectContains(t, page, "publicerade webbinariet", `href="/staff/webinars/`+slug+`/edit"`, "POST /staff/webinars/"+slug+"/publish")
	// Members do not see it.
	if r := p.loginAs(account.RoleMember).get("/staff/audit"); r.StatusCode == http.StatusOK {
		t.Errorf("a member reads the audit log: %d", r.StatusCode)
	}
}

// TestFinishedResumableUploadIsLogged: the chunks of a resumable upload
// are not changes; the one that finishes it is.
func TestFinishedResumableUploadIsLogged(t *testing.T) {
	p := newPortal(t)
	log := p.srv.deps.Audit
	api := p.apiClient()
	slug := api.createWebinar("Bilder i delar", "public")
	addr := p.listen(t)
	tc := &tusClient{t: t, base: "http://" + addr, addr: addr, token: api.token}
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("vattenförsörjning "), 400000)...)
	loc := tc.create(slug, "slides", len(pdf))
	for off := 0; off < len(pdf); off += 3 << 20 {
		end := min(off+3<<20, len(pdf))
		if res := tc.patch(loc, off, pdf[off:end]); res.StatusCode != http.StatusNoContent {
			t.Fatalf("chunk at %d: %s", off, res.Status)
		}
	}
	entries, err := log.Recent(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Target)
	}
	want := []string{"laddade upp en presentation (återupptagbar uppladdning) " + slug, "började en återupptagbar uppladdning ", "skapade webbinariet "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("log %q, want %q", got, want)
	}
}

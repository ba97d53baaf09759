package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/audit"
)

func TestStaffChangesAreLogged(t *testing.T) {
	log := &lateAudit{}
	p := newPortal(t, func(d *Deps) { d.Audit = log })
	log.Log = audit.New(p.db)

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

// lateAudit lets the test build the log on the portal's database.
type lateAudit struct{ *audit.Log }

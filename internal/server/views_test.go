package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/views"
)

func TestWatchPageCountsViewsButNotStaff(t *testing.T) {
	p := newPortal(t)
	counter := p.srv.deps.Views.(*views.Counter)
	api := p.apiClient()
	slug := api.createWebinar("Räknas", "public")
	clip := fakeMP4(2048)
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/recording", bytes.NewReader(clip), int64(len(clip))), http.StatusOK)

	anon := p.anonymous()
	for i := 0; i < 3; i++ {
		expectStatus(t, anon.get("/webinars/"+slug), http.StatusOK)
	}
	expectStatus(t, p.loginAs("staff").get("/webinars/"+slug), http.StatusOK)
	if err := counter.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	body := string(anon.get("/webinars/" + slug).Body)
	if !strings.Contains(body, "<dt>Visningar</dt><dd>3</dd>") {
		t.Errorf("the page does not show 3 views (staff not counted):\n%s", body)
	}
}

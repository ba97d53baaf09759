package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestWebinarAPI(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	first := api.createWebinar("Krisberedskap i små kommuner", "public")
	second := api.createWebinar("Krisberedskap i små kommuner", "draft")
	if first != "krisberedskap-i-sma-kommuner" || second != "krisberedskap-i-sma-kommuner-2" {
		t.Fatalf("duplicate titles got slugs %q and %q", first, second)
	}

	t.Run("list", func(t *testing.T) {
		var list struct {
			Items []struct{ Slug, Visibility string }
			Total int
		}
		r := api.get("/api/v1/webinars")
		expectStatus(t, r, http.StatusOK)
		if err := json.Unmarshal(r.Body, &list); err != nil || list.Total != 2 || len(list.Items) != 2 {
			t.Fatalf("staff list: %v %s", err, r.Body)
		}
		r = p.anonymous().get("/api/v1/webinars")
		if err := json.Unmarshal(r.Body, &list); err != nil || list.Total != 1 || list.Items[0].Slug != first {
			t.Fatalf("public list shows drafts: %s", r.Body)
		}
	})
	t.Run("get", func(t *testing.T) {
		r := api.get("/api/v1/webinars/" + first)
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `"held_at":"2024-05-06T00:00:00Z"`, `"Ulf Thysell"`)
		if strings.Contains(r.text(), `"key"`) {
			t.Error("API exposes object keys")
		}
		r = api.get("/api/v1/webinars/finns-inte")
		expectStatus(t, r, http.StatusNotFound)
		expectContains(t, r, `{"error":{"code":"not_found"`)
	})
	t.Run("patch", func(t *testing.T) {
		r := api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+second, map[string]any{"summary": "Ny sammanfattning", "visibility": "members"})
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `"summary":"Ny sammanfattning"`, `"visibility":"members"`, `"title":"Krisberedskap i små kommuner"`)
		r = api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+second, map[string]any{"held_at": "6 maj", "language": "xx"})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, `"held_at"`, `"language"`)
		r = api.sendJSON(http.MethodPatch, "/api/v1/webinars/"+second, map[string]any{"titel": "stavfel"})
		expectStatus(t, r, http.StatusBadRequest)
		expectContains(t, r, "invalid_json")
	})
	t.Run("bad create", func(t *testing.T) {
		r := api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{"summary": "utan titel"})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, `"title"`)
		r = api.sendJSON(http.MethodPost, "/api/v1/webinars", map[string]any{"title": strings.Repeat("x", 201)})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		r = api.put("/api/v1/webinars", strings.NewReader("{"), 1)
		if r.StatusCode < 400 || r.StatusCode >= 500 {
			t.Errorf("PUT on the collection: %d", r.StatusCode)
		}
		req := api.sendJSON(http.MethodPost, "/api/v1/webinars", "not an object")
		expectStatus(t, req, http.StatusBadRequest)
	})
	t.Run("subtitles count", func(t *testing.T) {
		r := api.put("/api/v1/webinars/"+first+"/subtitles/en?kind=captions", strings.NewReader(svSRT), int64(len(svSRT)))
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `"cues":2`, `"kind":"captions"`, `"label":"Engelska"`)
	})
	t.Run("delete", func(t *testing.T) {
		expectStatus(t, api.sendJSON(http.MethodDelete, "/api/v1/webinars/"+second, nil), http.StatusNoContent)
		expectStatus(t, api.get("/api/v1/webinars/"+second), http.StatusNotFound)
		expectStatus(t, api.sendJSON(http.MethodDelete, "/api/v1/webinars/"+second, nil), http.StatusNotFound)
	})
}

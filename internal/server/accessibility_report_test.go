package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A report from the accessibility statement that comes back with an
// error stays a report: the form keeps its kind (the hidden category and
// the report's heading), shows the topic as typed (without the marker),
// and sent again it is stored marked once.
func TestAccessibilityReportKeepsItsKindAfterAnError(t *testing.T) {
	p := newPortal(t)
	anon := p.anonymous()
	expectStatus(t, anon.get("/tillganglighet"), http.StatusOK) // the CSRF cookie

	r := anon.postForm("/wishes", url.Values{"category": {"a11y"}, "topic": {"Sökrutan"}, "email": {"inte en adress"},
		"details": {"Ingen etikett i skärmläsaren."}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, `<input type="hidden" name="category" value="a11y">`,
		"<h1>Rapportera brister i webbplatsens tillgänglighet</h1>", "Din rapport om tillgängligheten är inte skickad än.",
		`<label for="topic">Vilken sida eller funktion gäller det?`, `value="Sökrutan"`, `id="email-error"`,
		"Ingen etikett i skärmläsaren.", ">Skicka rapporten</button>",
		"<title>Rätta formuläret – Rapportera brister i tillgängligheten")
	// Like the statement's form: its labels, no name or municipality.
	expectContains(t, r, `<label for="details">Beskriv problemet</label>`, "Frivilligt. Används bara för att svara dig.")
	if strings.Contains(r.text(), `id="name"`) || strings.Contains(r.text(), `id="municipality"`) {
		t.Error("the report shown again asks for a name or municipality, which the statement's form does not")
	}
	if strings.Contains(r.text(), "Tillgänglighet: Sökrutan") {
		t.Error("the topic is shown with the marker; sent again it would be marked twice")
	}

	// An empty topic too.
	r = anon.postForm("/wishes", url.Values{"category": {"a11y"}, "topic": {""}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, `name="category" value="a11y"`, "<h1>Rapportera brister i webbplatsens tillgänglighet</h1>",
		`<a href="#topic">Vilken sida eller funktion gäller det?: Fältet måste fyllas i.</a>`)

	// Corrected and sent again (as the form would, with the category).
	r = anon.postForm("/wishes", url.Values{"category": {"a11y"}, "topic": {"Sökrutan"}, "email": {"asa@kommun.se"}})
	expectStatus(t, r, http.StatusSeeOther)
	list, err := p.srv.deps.Wishes.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, w := range list {
		topics = append(topics, w.Topic)
	}
	if len(topics) != 1 || topics[0] != "Tillgänglighet: Sökrutan" {
		t.Errorf("stored wishes %q; want one, %q", topics, "Tillgänglighet: Sökrutan")
	}

	// The plain wish form is unchanged: no category, the wish heading.
	r = anon.postForm("/wishes", url.Values{"topic": {""}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	expectContains(t, r, "<h1>Önska ett webbinarium</h1>", ">Skicka önskemål</button>")
	if strings.Contains(r.text(), `name="category"`) {
		t.Error("a plain wish with an error got a category field")
	}
	// A category the portal does not know is not echoed back.
	r = anon.postForm("/wishes", url.Values{"topic": {""}, "category": {`"><script>x</script>`}})
	expectStatus(t, r, http.StatusUnprocessableEntity)
	if strings.Contains(r.text(), `name="category"`) || strings.Contains(r.text(), "<script>x") {
		t.Error("an unknown category was put back into the form")
	}
}

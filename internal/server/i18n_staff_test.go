package server

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/web"
)

// staffSwedish are Swedish words and phrases the staff pages used to have
// hard-coded; none may be left on an English staff page.
var staffSwedish = []string{
	"Redaktion:", "Nytt webbinarium", "Ändringslogg", "Önskemål (", "Konton", "Titel", "Synlighet", "Inspelning",
	"Undertexter", "Åtgärder<", "Saknas", "Redigera", "Visa webbinariet", "Sammanfattning", "Beskrivning",
	"Talare", "Arrangör", "Ämnen", "Datum", "Språk", "Spara ändringar", "Publicering", "Publicera för alla",
	"Avpublicera", "Ladda upp", "Presentationer", "Affischbild", "Ta bort", "Pausa", "Avbryt",
	"Tomma rader", "Separera med", "obligatoriskt", "Slå ihop", "Dubblett", "Publikt svar", "Besvarat i",
	"Bjud in", "E-post", "Kommun", "Roll", "Senast inloggad", "Aldrig", "Stäng av", "Administratör",
	"Ditt konto", "Kapitel", "Rubrik", "Bild (valfri)", "Flytta", "Lägg till rad", "Spara kapitel",
	"Förskjut", "Uppspelningsposition", "Redigeraren", "Tillbaka till", "Vem", "Förfrågan",
	"Hoppa till", "Logga ut", "Inloggad som", " nya)", "Ändringarna är sparade", "Webbinariet är",
	"Status ändrad", "Önskemålet är sparat", "Kontot ", "Mejl är inte", "Länk att kopiera",
	"textning", "rader)", "pixlar", "Utkast", "Publik<", "Ny<", "Planerad", "Genomförd", "Avböjd",
	"In English", "Fältet måste", "Högst ", "Kapitlen",
}

// TestStaffPagesFollowLanguage: staff pages are Swedish by default and
// English once English is chosen, with the switch on every page, and no
// Swedish left but the content staff typed.
func TestStaffPagesFollowLanguage(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Vatten", "draft")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	visitor := p.anonymous()
	visitor.get("/wishes/new")
	expectStatus(t, visitor.postForm("/wishes", url.Values{"topic": {"Reservvatten"}}), http.StatusSeeOther)
	expectStatus(t, visitor.postForm("/wishes", url.Values{"topic": {"Reservvatten igen"}}), http.StatusSeeOther)
	admin := p.loginAs(account.RoleAdmin)
	p.loginAs(account.RoleMember)

	t.Run("Swedish by default, with a switch to English", func(t *testing.T) {
		r := admin.get("/staff")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, `<html lang="sv">`, "Hoppa till innehållet", ">Redaktion</a>", "Önskemål (2 nya)", ">Konton</a>",
			"<h1>Redaktion: webbinarier</h1>", `href="/staff?lang=en"`, `lang="en" hreflang="en">In English</a>`,
			`<p lang="en">SmåKom webinar archive – recordings with subtitles and slides.</p>`)
		expectContains(t, admin.get("/staff/webinars/"+slug+"/edit"), "Publicera för alla", "Ladda upp inspelning")
	})

	pages := map[string][]string{
		"/staff": {"<h1>Editorial: webinars</h1>", ">New webinar</a>", "Suggestions (2 new)", ">Accounts</a>",
			"All webinars, drafts included (1)", "<th scope=\"col\">Visibility</th>", "<td>Draft</td>", "Missing", ">Change log</a>"},
		"/staff/webinars/" + slug + "/edit": {"<h1>Edit “Vatten”</h1>", "Publish for everyone", "Upload recording",
			"Title <span class=\"req\">(required)</span>", "Poster image", "Delete the webinar…", ">Pause</button>", ">Cancel</button>",
			"(sv, subtitles, 2 cues)", `"pause":"Pause"`, `"progress_left":"{pct} % ({loaded} of {total}, {speed}/s, {left} left)"`},
		"/staff/webinars/new":                            {"<h1>New webinar</h1>", ">Create</button>", "Members only"},
		"/staff/webinars/" + slug + "/delete":            {"<h1>Delete “Vatten”?</h1>", "Yes, delete the webinar"},
		"/staff/webinars/" + slug + "/chapters":          {"<h1>Chapters: “Vatten”</h1>", "Save chapters", "Add a row", "<legend>Chapter 1</legend>"},
		"/staff/webinars/" + slug + "/subtitles/sv/edit": {"Edit subtitles:", "Shift all times", "The editor is loading", `"save":"Save changes"`, `"cue_n":"Cue {n}"`},
		"/staff/wishes":                                  {"<h1>Suggestions</h1>", "Merge duplicates", "Public answer", ">New</option>", "0 supporters"},
		"/staff/accounts":                                {"<h1>Accounts</h1>", "Invite a member", "Last login", "Administrator", "Member", "Never", "Your account"},
		"/staff/audit":                                   {"<h1>Change log</h1>", "<th scope=\"col\">Who</th>"},
	}
	admin.get("/staff?lang=en")
	for path, want := range pages {
		t.Run("English "+path, func(t *testing.T) {
			r := admin.get(path)
			expectStatus(t, r, http.StatusOK)
			expectContains(t, r, append([]string{`<html lang="en">`, "Skip to content", `lang="sv" hreflang="sv">På svenska</a>`}, want...)...)
			text := visibleText(r.text())
			for _, sv := range staffSwedish {
				if strings.Contains(text, sv) {
					t.Errorf("%s: Swedish %q left on the English page", path, sv)
				}
			}
		})
	}

	t.Run("English flash messages and form errors", func(t *testing.T) {
		r := admin.postForm("/staff/webinars/"+slug+"/publish", url.Values{})
		expectStatus(t, r, http.StatusSeeOther)
		expectContains(t, admin.get("/staff/webinars/"+slug+"/edit"), "The webinar is published.")
		r = admin.postForm("/staff/webinars/"+slug, url.Values{"title": {" "}, "visibility": {"public"}, "language": {"sv"}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, `<html lang="en">`, "<h2>Some fields need correcting.</h2>", "This field is required.", `href="/staff/webinars/`+slug+`/edit?lang=sv"`)
		r = admin.postForm("/staff/webinars/"+slug+"/subtitles/sv/shift", url.Values{"offset_ms": {"-5000"}, "revision": {"1"}})
		expectStatus(t, r, http.StatusBadRequest)
		expectContains(t, r, "The times were not moved", "A shift of -5000 ms would give cue 1 a negative start time (00:00:01,000 becomes -00:00:04,000). The cues can move back at most 1000 ms.")
		r = admin.postForm("/staff/accounts/invite", url.Values{"email": {"inte-en-adress"}, "municipality": {"Ydre"}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, "Enter a valid email address", `href="/staff/accounts?lang=sv"`)
		r = admin.postForm("/staff/accounts/invite", url.Values{"email": {"ny@ydre.se"}, "municipality": {"Ydre"}})
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Invitation link for ny@ydre.se", "Mail is not set up: copy the link and send it to ny@ydre.se yourself.", "It works once and is valid until ")
		r = admin.postForm("/staff/webinars/"+slug+"/chapters", url.Values{"op": {"add"}, "chapter_start": {""}, "chapter_title": {""}, "chapter_slide": {""}})
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Row 2 is added. The changes are saved when you choose Save chapters.")
		r = admin.postForm("/staff/webinars/"+slug+"/chapters", url.Values{"op": {"save"}, "chapter_start": {"x"}, "chapter_title": {""}, "chapter_slide": {""}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		expectContains(t, r, "The chapters need correcting.", "Row 1, start: Write the time as 12:34")
	})

	t.Run("English answers to the upload script, Swedish ones from the API", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("_csrf", admin.cookies[csrfCookie])
		_ = mw.WriteField("lang", "sv")
		fw, _ := mw.CreateFormFile("file", "tom.srt")
		_, _ = fw.Write(nil)
		_ = mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/staff/webinars/"+slug+"/subtitles", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Accept", "application/json")
		r := admin.do(req)
		expectStatus(t, r, http.StatusBadRequest)
		expectContains(t, r, `"code":"empty_file"`, `"message":"The subtitle file is empty."`)
		r = api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(""), 0)
		expectContains(t, r, `"code":"empty_file"`, `"message":"Undertextfilen är tom."`)
	})

	t.Run("English CSV header", func(t *testing.T) {
		r := admin.get("/staff/wishes.csv")
		expectStatus(t, r, http.StatusOK)
		expectContains(t, r, "Date;Topic;Description;Name;Email;Municipality;Status;Supporters;Answer;Answered in webinar\r\n", ";New;0;")
		if got := strings.Join(csvHeaderIn(langSV), ";"); got != strings.Join(csvHeader, ";") {
			t.Errorf("Swedish CSV header %q, want %q", got, strings.Join(csvHeader, ";"))
		}
	})

	t.Run("?lang=sv switches staff pages back", func(t *testing.T) {
		r := admin.get("/staff/wishes?lang=sv")
		expectContains(t, r, `<html lang="sv">`, "<h1>Önskemål</h1>", "Slå ihop dubbletter")
	})
}

// visibleText is a page without its tags, scripts' JSON and attribute
// values that are not read out (roughly what a person sees or hears).
func visibleText(html string) string {
	html = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(html, " ")
	html = regexp.MustCompile(`(?s)<textarea[^>]*>.*?</textarea>`).ReplaceAllString(html, " ")
	html = regexp.MustCompile(`(?s)<input[^>]*>`).ReplaceAllString(html, " ")
	return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, "<")
}

// TestTemplatesHaveNoHardCodedText: text a person reads in a template
// comes from the message catalogue ({{.T "key"}}), so it exists in both
// languages. Only names and symbols that are not language may be written
// out.
func TestTemplatesHaveNoHardCodedText(t *testing.T) {
	allowed := map[string]bool{
		"SmåKom": true, "SHA-256": true, "WebVTT": true, "SRT": true, "VTT": true, "apt-get install ffmpeg": true,
		"12:34": true, "1:02:03": true, "00:00:00,000": true, "RSS": true, "Atom": true, "PDF": true, "PowerPoint": true,
	}
	action := regexp.MustCompile(`(?s){{.*?}}`)
	comment := regexp.MustCompile(`(?s)<!--.*?-->`)
	tag := regexp.MustCompile(`(?s)<[^>]*>`)
	readAttr := regexp.MustCompile(`\b(aria-label|alt|title|placeholder)="([^"]*)"`)
	letters := regexp.MustCompile(`\pL{2,}`)
	files, err := fs.Glob(web.FS, "templates/*.html")
	if err != nil || len(files) < 10 {
		t.Fatalf("templates: %v %v", files, err)
	}
	check := func(f, s string) {
		s = strings.Trim(s, " \t\n,.·()–:;")
		if s == "" || allowed[s] || !letters.MatchString(s) {
			return
		}
		t.Errorf("%s: hard-coded text %q; put it in the message catalogue", f, s)
	}
	for _, f := range files {
		b, err := fs.ReadFile(web.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		src := comment.ReplaceAllString(string(b), "")
		src = action.ReplaceAllString(src, "\x00")
		for _, m := range readAttr.FindAllStringSubmatch(src, -1) {
			for _, part := range strings.Split(m[2], "\x00") {
				check(f, part)
			}
		}
		for _, piece := range tag.Split(src, -1) {
			for _, part := range strings.Split(piece, "\x00") {
				check(f, part)
			}
		}
	}
}

// TestTemplateKeysExistInScripts: every text the staff scripts ask for is
// in the catalogue, in both languages, and reaches them through the JSON
// block of their page.
func TestTemplateKeysExistInScripts(t *testing.T) {
	key := regexp.MustCompile(`\btx\(\s*"([a-z_]+)"`)
	cond := regexp.MustCompile(`\btx\([^")]*\?\s*"([a-z_]+)"\s*:\s*"([a-z_]+)"`)
	for script, prefix := range map[string]string{"static/upload.js": "upload.", "static/caption-editor.js": "ce."} {
		b, err := fs.ReadFile(web.FS, script)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		for _, m := range cond.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1], m[2])
		}
		if len(keys) < 10 {
			t.Errorf("%s: only %d texts found", script, len(keys))
		}
		for _, k := range keys {
			if m, ok := messages[prefix+k]; !ok || m.sv == "" || m.en == "" {
				t.Errorf("%s asks for %q, which is not in the catalogue in both languages", script, prefix+k)
			}
		}
		// Swedish text in the script itself would not follow the page.
		if sv := regexp.MustCompile(`"[^"\n]*[åäöÅÄÖ][^"\n]*"`).FindString(string(b)); sv != "" {
			t.Errorf("%s still has Swedish text %s", script, sv)
		}
	}
	en := Base{Lang: langEN}.JSTexts("ce.")
	if en["save"] != "Save changes" || strings.Contains(strings.Join(mapValues(en), " "), "Spara") {
		t.Errorf("English caption-editor texts: %v", en["save"])
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestErrorTextsAllHaveEnglish reads the Go sources for the messages a
// person can be shown (apperr errors and form field errors) and checks
// that each has English, by its text or pattern and by its code.
func TestErrorTextsAllHaveEnglish(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	fset := token.NewFileSet()
	type found struct{ where, code, text string }
	var msgs []found
	var codes []string
	lit := func(e ast.Expr) (string, bool) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		return "", false
	}
	// message adds a message argument: a literal, or the format of a
	// fmt.Sprintf; a literal followed by other text (an error's own words)
	// is checked as "literal%s".
	consts := map[string]string{} // the string constants of the package being read
	message := func(pos token.Pos, code string, e ast.Expr) {
		var text string
		switch v := e.(type) {
		case *ast.BasicLit:
			text, _ = lit(v)
		case *ast.Ident:
			text = consts[v.Name]
		case *ast.CallExpr:
			if sel, ok := v.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(v.Args) > 0 {
				text, _ = lit(v.Args[0])
			}
		case *ast.BinaryExpr:
			if s, ok := lit(v.X); ok {
				text = s + "%s"
			}
		}
		if text != "" {
			msgs = append(msgs, found{fset.Position(pos).String(), code, text})
		}
	}
	subtitleMessages := 0
	for _, dir := range []string{"internal/server", "internal/wish", "internal/webinar", "internal/account", "internal/apperr", "internal/probe", "internal/subtitle"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		clear(consts)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "i18n") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, spec := range g.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								if s, ok := lit(vs.Values[i]); ok {
									consts[name.Name] = s
								}
							}
						}
					}
				}
			}
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch v := n.(type) {
				case *ast.CallExpr:
					// A subtitle ParseError: parseErrorf(cause, format, …)
					// or cueErrorf(n, format, …). It has no code of its own
					// (an upload falls back on invalid_subtitles), so each
					// needs its own English.
					if id, ok := v.Fun.(*ast.Ident); ok && (id.Name == "parseErrorf" || id.Name == "cueErrorf") && len(v.Args) >= 2 {
						message(v.Pos(), "", v.Args[1])
						subtitleMessages++
					}
					if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "tusError" && len(v.Args) == 3 {
						c, _ := lit(v.Args[1])
						codes = append(codes, c)
						message(v.Pos(), c, v.Args[2])
					}
					sel, ok := v.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" {
						switch sel.Sel.Name {
						case "New":
							// apperr.New(status, code, msg) with a literal code;
							// helpers that pass theirs on are read at their callers.
							if c, ok := lit(v.Args[1]); ok && len(v.Args) == 3 {
								codes = append(codes, c)
								message(v.Pos(), c, v.Args[2])
							}
						case "NotFound":
							message(v.Pos(), "not_found", v.Args[0])
						}
					}
				case *ast.CompositeLit:
					if isErrorType(v.Type) {
						var code string
						var msg ast.Expr
						for _, el := range v.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								switch kv.Key.(*ast.Ident).Name {
								case "Code":
									// pe.Code passes on a probe's code, read there
									if c, ok := lit(kv.Value); ok {
										code = c
										codes = append(codes, c)
									}
								case "Message":
									msg = kv.Value
								}
							}
						}
						if msg != nil {
							message(msg.Pos(), code, msg)
						}
					}
				case *ast.AssignStmt:
					// errs[field] = "..." in the validation functions
					if len(v.Lhs) == 1 && len(v.Rhs) == 1 {
						if ix, ok := v.Lhs[0].(*ast.IndexExpr); ok {
							if id, ok := ix.X.(*ast.Ident); ok && (id.Name == "errs" || id.Name == "fields") {
								message(v.Pos(), "", v.Rhs[0])
							}
						}
					}
				}
				return true
			})
		}
	}
	if subtitleMessages < 50 {
		t.Fatalf("found only %d subtitle file messages; is the scan broken?", subtitleMessages)
	}
	if len(msgs) < 60 || len(codes) < 40 {
		t.Fatalf("found only %d messages and %d codes; is the scan broken?", len(msgs), len(codes))
	}
	for _, c := range codes {
		if _, ok := englishErrors[c]; !ok {
			t.Errorf("error code %q has no English (englishErrors)", c)
		}
	}
	// A pattern stands for its values: fill in sample ones. A message
	// with a code may fall back on the code's English; a form field's
	// message has no code and needs its own.
	sample := strings.NewReplacer("%d", "7", "%s", "x", "%q", `"x"`)
	for _, m := range msgs {
		if strings.HasPrefix(m.text, "sacct.") {
			continue // a message key, translated by the template
		}
		s := sample.Replace(m.text)
		if _, ok := englishByText(s); ok {
			continue
		}
		if _, ok := fieldErrorText(langEN, s); ok {
			continue
		}
		if _, ok := englishErrors[m.code]; ok && m.code != "" {
			continue
		}
		t.Errorf("%s: %q has no English", m.where, m.text)
	}
}

// isErrorType: apperr.Error, or probe's own Error (its codes reach pages
// through webinar.probeRefusal).
func isErrorType(e ast.Expr) bool {
	switch v := e.(type) {
	case *ast.SelectorExpr:
		return v.Sel.Name == "Error"
	case *ast.Ident:
		return v.Name == "Error"
	}
	return false
}

// TestSubtitleFileErrorsInEnglish: an upload's subtitle error keeps its
// detail in English (line, cue, times), and a detail without English
// leaves the whole message to the code's general text.
func TestSubtitleFileErrorsInEnglish(t *testing.T) {
	for sv, want := range map[string]string{
		"Fel i undertextfilen: Rad 12: ogiltig tidskod":                                                                "Error in the subtitle file: Line 12: invalid timecode",
		"Fel i undertextfilen: Text 3: sluttiden ligger före starttiden (00:00:05,000 --> 00:00:04,000)":               "Error in the subtitle file: Cue 3: the end time is before the start time (00:00:05,000 --> 00:00:04,000)",
		"Fel i undertextfilen: Okänd teckenkodning \"koi8\": använd till exempel utf-8, windows-1252 eller iso-8859-1": "Error in the subtitle file: Unknown character encoding \"koi8\": use, for example, utf-8, windows-1252 or iso-8859-1",
		"Text 4 börjar 00:00:09,000, innan text 3 slutar 00:00:10,000; texter får inte överlappa":                      "Cue 4 starts at 00:00:09,000, before cue 3 ends at 00:00:10,000; cues may not overlap",
	} {
		if got, ok := englishByText(sv); !ok || got != want {
			t.Errorf("English of %q = %q (%v), want %q", sv, got, ok, want)
		}
	}
	if got, ok := englishByText("Fel i undertextfilen: något helt okänt"); ok {
		t.Errorf("an untranslated detail gave %q; want no text, so the code's general English is used", got)
	}
	if got := (Base{Lang: langEN}).ErrorMessage("Fel i undertextfilen: Rad 2: negativ tidskod"); got != "Error in the subtitle file: Line 2: negative timecode" {
		t.Errorf("English error page text: %q", got)
	}
}

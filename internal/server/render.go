package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/web"
)

// Base is what every page needs: the layout fills header, menu and forms
// from it.
type Base struct {
	Title string
	Nav   string
	User  *account.User
	CSRF  string
	Flash string
	// Lang is the page language, "sv" or "en" (see i18n.go).
	Lang string
	// SwitchURL is this page in the other language, SwitchLang that
	// language.
	SwitchURL, SwitchLang string
	// NewWishes is how many wishes wait for staff, for the staff menu.
	NewWishes int64
}

// base fills the common part of a page. It also takes ?lang=, so any
// page can switch the language without a route of its own.
func (s *Server) base(c *fiber.Ctx, title, nav string) Base {
	b := Base{Title: title, Nav: nav, CSRF: csrfToken(c), Flash: takeFlash(c), Lang: s.pageLang(c)}
	if u := currentUser(c); u != nil {
		b.User = u
	}
	b.SwitchLang = langEN
	if b.Lang == langEN {
		b.SwitchLang = langSV
	}
	b.SwitchURL = langSwitchURL(c, b.SwitchLang)
	if nav == "staff" && b.User != nil && b.User.Role.IsStaff() {
		b.NewWishes = s.countNewWishes(c)
	}
	if nav == "catalogue" && c.Path() == "/" {
		// catalogue.go passes its title in Swedish.
		b.Title = catalogueTitle(b.Lang, title)
	}
	return b
}

// localBase is base with the title looked up by key.
func (s *Server) localBase(c *fiber.Ctx, titleKey, nav string) Base {
	b := s.base(c, "", nav)
	b.Title = b.T(titleKey)
	return b
}

type renderer struct {
	dir   string // non-empty: re-read from disk (development)
	mu    sync.Mutex
	pages map[string]*template.Template
}

var pageNames = []string{"catalogue", "watch", "wish_new", "wish_thanks", "wishes", "login", "error",
	"staff_list", "staff_edit", "staff_delete", "staff_wishes"}

// standalonePages are whole documents of their own (the embeddable player).
var standalonePages = []string{"embed"}

func newRenderer(dir string) (*renderer, error) {
	r := &renderer{dir: dir}
	pages, err := r.parse()
	if err != nil {
		return nil, err
	}
	r.pages = pages
	return r, nil
}

func (r *renderer) parse() (map[string]*template.Template, error) {
	var fsys fs.FS = web.FS
	if r.dir != "" {
		fsys = os.DirFS(r.dir)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout").Funcs(templateFuncs).ParseFS(fsys, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	// Pages without the site's header and footer define "layout" themselves.
	for _, name := range standalonePages {
		t, err := template.New("layout").Funcs(templateFuncs).ParseFS(fsys, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

func (r *renderer) page(name string) (*template.Template, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dir != "" {
		pages, err := r.parse()
		if err != nil {
			return nil, err
		}
		r.pages = pages
	}
	t, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	return t, nil
}

// render writes a page with status. Rendering into a buffer first means a
// template error never leaves half a page.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	t, err := s.pages.page(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if p, ok := data.(interface{ uiLang() string }); ok && p.uiLang() != "" {
		c.Set(fiber.HeaderContentLanguage, p.uiLang())
	}
	return c.Status(status).Send(buf.Bytes())
}

var swedishMonths = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli",
	"augusti", "september", "oktober", "november", "december"}

var templateFuncs = template.FuncMap{
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"isodate": func(t time.Time) string { return t.Format("2006-01-02") },
	// Pages show dates, durations and sizes in their language with
	// Base.Date, Base.DateTime, Base.Duration and Base.Bytes.
	"clock":    clock,
	"duration": spokenDuration,
	"bytes":    webinar.HumanBytes,
	"join":     strings.Join,
	"static":   staticURL,
	"paragraphs": func(s string) template.HTML {
		var b strings.Builder
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				b.WriteString("<p>")
				b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(p), "\n", "<br>"))
				b.WriteString("</p>")
			}
		}
		return template.HTML(b.String())
	},
}

// clock shows a duration as 1:02:03 or 2:03.
func clock(d time.Duration) string {
	sec := int(d.Round(time.Second).Seconds())
	h, m, s := sec/3600, sec/60%60, sec%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// spokenDuration reads well to a screen reader: "1 tim 5 min".
func spokenDuration(d time.Duration) string { return spokenDurationIn(d, "tim") }

// spokenDurationIn names hours with hourUnit ("tim" in Swedish, "h").
func spokenDurationIn(d time.Duration, hourUnit string) string {
	sec := int(d.Round(time.Second).Seconds())
	h, m, s := sec/3600, sec/60%60, sec%60
	switch {
	case h > 0:
		return fmt.Sprintf("%d %s %d min", h, hourUnit, m)
	case m > 0:
		return fmt.Sprintf("%d min %d s", m, s)
	}
	return fmt.Sprintf("%d s", s)
}

package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func init() { pageNames = append(pageNames, "staff_chapters") }

// The chapter editor is a plain form: adding, removing and moving rows
// are submit buttons that send the rows back as typed, so it works the
// same with and without JavaScript, and nothing is saved until "Spara".

type staffChaptersPage struct {
	Base
	Webinar      *webinar.Webinar
	Version      string
	Rows         []chapterRowView
	Errors       map[string]string
	ErrorList    []chapterError // the same errors in row order, for the summary
	ErrorHeading string
	Status       string // what the last row action did, announced politely
	Length       string // the recording's length as 1:02:03, "" when unknown
	Focus        string // id of the control to focus after a row action
}

type chapterRowView struct {
	webinar.ChapterRow
	Index int // 0-based: field names and error keys
	N     int // 1-based, as shown
}

type chapterError struct{ Field, Message string }

func (s *Server) chaptersPage(c *fiber.Ctx, w *webinar.Webinar, rows []webinar.ChapterRow) staffChaptersPage {
	page := staffChaptersPage{Base: s.base(c, s.tr(c, "staff.title_chapters", w.Title), "staff"), Webinar: w,
		Version: w.UpdatedAt.Format(time.RFC3339Nano)}
	if l := w.Length(); l > 0 {
		page.Length = webinar.FormatClock(l)
	}
	for i, r := range rows {
		page.Rows = append(page.Rows, chapterRowView{ChapterRow: r, Index: i, N: i + 1})
	}
	return page
}

// storedRows are a webinar's chapters as the form shows them, plus empty
// rows to type new ones into.
func storedRows(w *webinar.Webinar) []webinar.ChapterRow {
	rows := make([]webinar.ChapterRow, 0, len(w.Chapters)+3)
	for _, ch := range w.Chapters {
		r := webinar.ChapterRow{Start: webinar.FormatClock(ch.Start()), Title: ch.Title}
		if ch.Slide > 0 {
			r.Slide = strconv.Itoa(ch.Slide)
		}
		rows = append(rows, r)
	}
	blank := 1
	if len(rows) == 0 {
		blank = 3
	}
	for range blank {
		rows = append(rows, webinar.ChapterRow{})
	}
	return rows
}

func (s *Server) editChaptersForm(c *fiber.Ctx) error {
	w, err := s.staffWebinar(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_chapters", s.chaptersPage(c, w, storedRows(w)))
}

// chapterRowsFromForm reads the rows in the order they were sent.
func chapterRowsFromForm(c *fiber.Ctx) []webinar.ChapterRow {
	args := c.Request().PostArgs()
	starts, titles, slides := args.PeekMulti("chapter_start"), args.PeekMulti("chapter_title"), args.PeekMulti("chapter_slide")
	n := max(len(starts), len(titles), len(slides))
	if n > 500 {
		n = 500 // a form never has this many; the rest is ignored
	}
	at := func(list [][]byte, i int) string {
		if i < len(list) {
			return string(list[i])
		}
		return ""
	}
	rows := make([]webinar.ChapterRow, n)
	for i := range rows {
		rows[i] = webinar.ChapterRow{Start: at(starts, i), Title: at(titles, i), Slide: at(slides, i)}
	}
	return rows
}

func (s *Server) saveChaptersForm(c *fiber.Ctx) error {
	rows := chapterRowsFromForm(c)
	op, arg, _ := strings.Cut(c.FormValue("op"), ":")
	if op != "" && op != "save" {
		return s.chapterRowAction(c, rows, op, arg)
	}
	var expected *time.Time
	if v, err := time.Parse(time.RFC3339Nano, c.FormValue("updated_at")); err == nil {
		expected = &v
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.SetChapters(ctx, c.Params("slug"), rows, expected)
	if ae, ok := apperr.As(err); ok && (ae.Fields != nil || ae.Status == http.StatusConflict) {
		current, gerr := s.staffWebinar(c)
		if gerr != nil {
			return gerr
		}
		page := s.chaptersPage(c, current, rows)
		page.ErrorHeading = page.ErrorMessage(ae.Message)
		if ae.Status == http.StatusConflict {
			// Keep what this person typed and let them decide: the form
			// now carries the new version, so saving again replaces the
			// other change knowingly.
			page.ErrorHeading = page.T("schap.conflict")
			page.ErrorList = []chapterError{{Field: "chapter-0-start", Message: page.Tf("schap.saved_now", chapterSummary(page.Base, current.Chapters))}}
		} else {
			page.Errors = ae.Fields
			page.ErrorList = orderedErrors(page.Base, ae.Fields, len(rows))
		}
		return s.render(c, ae.Status, "staff_chapters", page)
	}
	if err != nil {
		return err
	}
	switch n := len(w.Chapters); n {
	case 0:
		s.setFlash(c, s.tr(c, "flash.chapters_removed"))
	case 1:
		s.setFlash(c, s.tr(c, "flash.chapters_one"))
	default:
		s.setFlash(c, s.tr(c, "flash.chapters_saved", n))
	}
	return c.Redirect("/staff/webinars/"+w.Slug+"/chapters", http.StatusSeeOther)
}

// chapterRowAction adds, removes or moves a row and shows the form again,
// unsaved, with focus where the person was.
func (s *Server) chapterRowAction(c *fiber.Ctx, rows []webinar.ChapterRow, op, arg string) error {
	w, err := s.staffWebinar(c)
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(arg)
	if op != "add" && (err != nil || i < 0 || i >= len(rows)) {
		return apperr.New(http.StatusBadRequest, "bad_request", "Okänd rad.")
	}
	var status, focus string
	switch op {
	case "add":
		rows = append(rows, webinar.ChapterRow{})
		status = s.tr(c, "schap.row_added", len(rows))
		focus = webinar.ChapterField(len(rows)-1, "start")
	case "remove":
		rows = append(rows[:i], rows[i+1:]...)
		if len(rows) == 0 {
			rows = append(rows, webinar.ChapterRow{})
		}
		status = s.tr(c, "schap.row_removed", i+1)
		focus = webinar.ChapterField(min(i, len(rows)-1), "start")
	case "up", "down":
		j := i - 1
		if op == "down" {
			j = i + 1
		}
		if j < 0 || j >= len(rows) {
			return apperr.New(http.StatusBadRequest, "bad_request", "Raden kan inte flyttas dit.")
		}
		rows[i], rows[j] = rows[j], rows[i]
		status = s.tr(c, "schap.row_moved", j+1)
		focus = fmt.Sprintf("chapter-%d-%s", j, op)
		if (op == "up" && j == 0) || (op == "down" && j == len(rows)-1) {
			// That button is gone at the end of the list: take the other.
			focus = webinar.ChapterField(j, "start")
		}
	default:
		return apperr.New(http.StatusBadRequest, "bad_request", "Okänd åtgärd.")
	}
	page := s.chaptersPage(c, w, rows)
	page.Version = c.FormValue("updated_at") // still the version the person started from
	page.Status, page.Focus = status+" "+page.T("schap.unsaved"), focus
	return s.render(c, http.StatusOK, "staff_chapters", page)
}

// orderedErrors lists field errors by row, then start, title, slide.
func orderedErrors(b Base, fields map[string]string, rows int) []chapterError {
	var out []chapterError
	if m, ok := fields["chapters"]; ok {
		out = append(out, chapterError{Field: webinar.ChapterField(0, "start"), Message: b.FieldError(m)})
	}
	names := map[string]string{"start": b.T("schap.field_start"), "title": b.T("schap.field_title"), "slide": b.T("schap.field_slide")}
	for i := range rows {
		for _, name := range []string{"start", "title", "slide"} {
			if m, ok := fields[webinar.ChapterField(i, name)]; ok {
				out = append(out, chapterError{Field: webinar.ChapterField(i, name), Message: b.Tf("schap.row_error", i+1, names[name], b.FieldError(m))})
			}
		}
	}
	return out
}

// chapterSummary is stored chapters on one line: "0:00 Inledning; 12:34 Frågor".
func chapterSummary(b Base, chapters []webinar.Chapter) string {
	if len(chapters) == 0 {
		return b.T("schap.none_saved")
	}
	parts := make([]string, len(chapters))
	for i, ch := range chapters {
		parts[i] = webinar.FormatClock(ch.Start()) + " " + ch.Title
	}
	return strings.Join(parts, "; ")
}

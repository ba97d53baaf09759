package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

type staffListPage struct {
	Base
	Items     []*webinar.Webinar
	Total     int64
	NewWishes int
}

func (s *Server) listStaffWebinars(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	items, total, err := s.deps.Webinars.Store().List(ctx, webinar.Filter{PerPage: 500})
	if err != nil {
		return err
	}
	newWishes, err := s.deps.Wishes.List(ctx, wish.New)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_list", staffListPage{Base: s.localBase(c, "staff.title_list", "staff"),
		Items: items, Total: total, NewWishes: len(newWishes)})
}

type staffEditPage struct {
	Base
	IsNew        bool
	Webinar      *webinar.Webinar
	Version      string
	SpeakerRows  []webinar.Speaker
	Visibilities []webinar.Visibility
	Errors       map[string]string
	ErrorHeading string
	Limits       webinar.Limits
}

func (s *Server) editPage(c *fiber.Ctx, w *webinar.Webinar, isNew bool, errs map[string]string, heading string) staffEditPage {
	title := s.tr(c, "staff.title_edit", w.Title)
	if isNew {
		title = s.tr(c, "sedit.new")
	}
	rows := append([]webinar.Speaker{}, w.Speakers...)
	rows = append(rows, webinar.Speaker{}, webinar.Speaker{})
	b := s.base(c, title, "staff")
	return staffEditPage{Base: b, IsNew: isNew, Webinar: w,
		Version: w.UpdatedAt.Format(time.RFC3339Nano), SpeakerRows: rows,
		Visibilities: webinar.Visibilities, Errors: errs, ErrorHeading: b.ErrorMessage(heading), Limits: s.deps.Webinars.Limits()}
}

func (s *Server) newWebinarForm(c *fiber.Ctx) error {
	w := &webinar.Webinar{Language: "sv", Visibility: webinar.Draft, Organiser: "SmåKom"}
	return s.render(c, http.StatusOK, "staff_edit", s.editPage(c, w, true, nil, ""))
}

// fieldsFromForm reads the metadata form.
func fieldsFromForm(c *fiber.Ctx) webinar.Fields {
	str := func(name string) *string { v := c.FormValue(name); return &v }
	var speakers []webinar.Speaker
	args := c.Request().PostArgs()
	names, roles, orgs := args.PeekMulti("speaker_name"), args.PeekMulti("speaker_role"), args.PeekMulti("speaker_organisation")
	for i := range names {
		sp := webinar.Speaker{Name: string(names[i])}
		if i < len(roles) {
			sp.Role = string(roles[i])
		}
		if i < len(orgs) {
			sp.Organisation = string(orgs[i])
		}
		speakers = append(speakers, sp)
	}
	topics := strings.Split(c.FormValue("topics"), ",")
	return webinar.Fields{Title: str("title"), Summary: str("summary"), Description: str("description"),
		Organiser: str("organiser"), HeldAt: str("held_at"), Language: str("language"), Visibility: str("visibility"),
		Speakers: &speakers, Topics: &topics}
}

// formWebinar shows the form's values again after a validation error.
func formWebinar(base *webinar.Webinar, f webinar.Fields) *webinar.Webinar {
	w := *base
	w.Title, w.Summary, w.Description, w.Organiser = *f.Title, *f.Summary, *f.Description, *f.Organiser
	w.Speakers, w.Topics = *f.Speakers, *f.Topics
	w.Language, w.Visibility = *f.Language, webinar.Visibility(*f.Visibility)
	if t, err := time.Parse("2006-01-02", *f.HeldAt); err == nil {
		w.HeldAt = t
	}
	return &w
}

func (s *Server) createWebinarForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	f := fieldsFromForm(c)
	w, err := s.deps.Webinars.Create(ctx, f)
	if ae, ok := apperr.As(err); ok && ae.Fields != nil {
		draft := formWebinar(&webinar.Webinar{}, f)
		return s.render(c, ae.Status, "staff_edit", s.editPage(c, draft, true, ae.Fields, ae.Message))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.webinar_created"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

func (s *Server) staffWebinar(c *fiber.Ctx) (*webinar.Webinar, error) {
	ctx, cancel := requestContext(c)
	defer cancel()
	return s.deps.Webinars.Get(ctx, c.Params("slug"), webinar.Viewer{LoggedIn: true, Staff: true})
}

func (s *Server) editWebinarForm(c *fiber.Ctx) error {
	w, err := s.staffWebinar(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_edit", s.editPage(c, w, false, nil, ""))
}

func (s *Server) updateWebinarForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	f := fieldsFromForm(c)
	var expected *time.Time
	if v, err := time.Parse(time.RFC3339Nano, c.FormValue("updated_at")); err == nil {
		expected = &v
	}
	w, err := s.deps.Webinars.Update(ctx, c.Params("slug"), f, expected)
	if ae, ok := apperr.As(err); ok && (ae.Fields != nil || ae.Status == http.StatusConflict) {
		current, gerr := s.staffWebinar(c)
		if gerr != nil {
			return gerr
		}
		errs := ae.Fields
		if errs == nil {
			errs = map[string]string{"title": ae.Message}
		}
		shown := formWebinar(current, f)
		return s.render(c, ae.Status, "staff_edit", s.editPage(c, shown, false, errs, ae.Message))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.webinar_saved"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

func (s *Server) publishWebinar(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Publish(ctx, c.Params("slug"), webinar.Public)
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.webinar_published"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

func (s *Server) unpublishWebinar(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.Unpublish(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.webinar_unpublished"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

type staffDeletePage struct {
	Base
	Webinar *webinar.Webinar
}

func (s *Server) confirmDeleteWebinar(c *fiber.Ctx) error {
	w, err := s.staffWebinar(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_delete", staffDeletePage{Base: s.base(c, s.tr(c, "staff.title_delete", w.Title), "staff"), Webinar: w})
}

func (s *Server) deleteWebinarForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Webinars.Delete(ctx, c.Params("slug")); err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.webinar_deleted"))
	return c.Redirect("/staff", http.StatusSeeOther)
}

func (s *Server) deleteSlidesForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	n, _ := strconv.Atoi(c.Params("n"))
	w, err := s.deps.Webinars.RemoveSlides(ctx, c.Params("slug"), n)
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.slides_deleted"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

func (s *Server) deleteSubtitlesForm(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Webinars.RemoveSubtitles(ctx, c.Params("slug"), c.Params("lang"))
	if err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.subtitles_deleted"))
	return c.Redirect("/staff/webinars/"+w.Slug+"/edit", http.StatusSeeOther)
}

package server

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

type staffWishesPage struct {
	Base
	Wishes   []wish.Wish
	All      []wish.Wish // every listed wish, for the merge form
	Status   string
	Statuses []wish.Status
	Webinars []*webinar.Webinar // for picking the answering webinar by slug
}

func (s *Server) listWishes(c *fiber.Ctx) error {
	status := c.Query("status")
	var filter wish.Status
	if status != "" {
		st, err := wish.ParseStatus(status)
		if err != nil {
			return err
		}
		filter = st
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	all, err := s.deps.Wishes.List(ctx, "")
	if err != nil {
		return err
	}
	list := all
	if filter != "" {
		list = []wish.Wish{}
		for _, w := range all {
			if w.Status == filter {
				list = append(list, w)
			}
		}
	}
	webinars, _, err := s.deps.Webinars.Store().List(ctx, webinar.Filter{PerPage: 500})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_wishes", staffWishesPage{Base: s.localBase(c, "staff.title_wishes", "staff"),
		Wishes: list, All: all, Status: status, Statuses: wish.Statuses, Webinars: webinars})
}

func (s *Server) setWishStatus(c *fiber.Ctx) error {
	st, err := wish.ParseStatus(c.FormValue("status"))
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Wishes.SetStatus(ctx, c.Params("id"), st); err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.wish_status", Base{Lang: s.pageLang(c)}.WishStatusLabel(st)))
	return c.Redirect("/staff/wishes", http.StatusSeeOther)
}

// triageWish saves status, public reply and answering webinar (by slug).
func (s *Server) triageWish(c *fiber.Ctx) error {
	st, err := wish.ParseStatus(c.FormValue("status"))
	if err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	t := wish.Triage{Status: st, Reply: c.FormValue("reply")}
	if slug := strings.TrimSpace(c.FormValue("webinar")); slug != "" {
		w, err := s.deps.Webinars.Get(ctx, strings.TrimPrefix(slug, "/webinars/"), webinar.Viewer{LoggedIn: true, Staff: true})
		if ae, ok := apperr.As(err); ok && ae.Status == http.StatusNotFound {
			return apperr.New(http.StatusBadRequest, "unknown_webinar", "Det finns inget webbinarium med den adressen (slug). Välj ett ur listan.")
		}
		if err != nil {
			return err
		}
		t.WebinarSlug, t.WebinarTitle = w.Slug, w.Title
	}
	if err := s.deps.Wishes.SetTriage(ctx, c.Params("id"), t); err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.wish_saved", Base{Lang: s.pageLang(c)}.WishStatusLabel(st)))
	return c.Redirect("/staff/wishes", http.StatusSeeOther)
}

// mergeWishes makes one wish a duplicate of another.
func (s *Server) mergeWishes(c *fiber.Ctx) error {
	dup, target := c.FormValue("duplicate"), c.FormValue("target")
	if dup == "" || target == "" {
		return apperr.New(http.StatusBadRequest, "invalid_merge", "Välj både dubbletten och önskemålet den ska slås ihop med.")
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	if err := s.deps.Wishes.Merge(ctx, dup, target); err != nil {
		return err
	}
	s.setFlash(c, s.tr(c, "flash.wishes_merged"))
	return c.Redirect("/staff/wishes", http.StatusSeeOther)
}

// countNewWishes is for the staff menu; a failure there must not stop
// the page, so it is logged and shown as zero.
func (s *Server) countNewWishes(c *fiber.Ctx) int64 {
	ctx, cancel := requestContext(c)
	defer cancel()
	n, err := s.deps.Wishes.CountNew(ctx)
	if err != nil {
		s.log.Error("count new wishes", "request_id", requestID(c), "err", err)
	}
	return n
}

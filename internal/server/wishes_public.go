package server

import (
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

type publicWishesPage struct {
	Base
	Planned, Done []wish.Wish
	// Supported are the wishes the logged-in member already supports.
	Supported map[string]bool
	// WebinarLangs are the languages of the answering webinars, by slug.
	WebinarLangs map[string]string
}

// listPublicWishes shows planned and answered wishes with staff's reply,
// the answering webinar and a support button for members. Who sent a
// wish and what else they wrote stay with staff.
func (s *Server) listPublicWishes(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	planned, err := s.deps.Wishes.List(ctx, wish.Planned)
	if err != nil {
		return err
	}
	done, err := s.deps.Wishes.List(ctx, wish.Done)
	if err != nil {
		return err
	}
	langs := map[string]string{}
	for _, list := range [][]wish.Wish{planned, done} {
		if err := s.linkAnsweringWebinars(c, list, langs); err != nil {
			return err
		}
	}
	page := publicWishesPage{Base: s.localBase(c, "wishes.title", "wishes"), Planned: planned, Done: done, WebinarLangs: langs}
	if u := currentUser(c); u != nil {
		if page.Supported, err = s.deps.Wishes.SupportedBy(ctx, u.ID); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "wishes", page)
}

// linkAnsweringWebinars keeps the webinar link only where the visitor may
// watch it (a webinar made a draft later would answer 404), with its
// current title; langs gets each linked webinar's language. An unlisted
// webinar is never listed, so it is neither linked nor named here,
// except for staff.
func (s *Server) linkAnsweringWebinars(c *fiber.Ctx, list []wish.Wish, langs map[string]string) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	for i := range list {
		if list[i].WebinarSlug == "" {
			continue
		}
		w, err := s.deps.Webinars.Get(ctx, list[i].WebinarSlug, viewer(c))
		if ae, ok := apperr.As(err); ok && ae.Status == http.StatusNotFound {
			list[i].WebinarSlug, list[i].WebinarTitle = "", ""
			continue
		}
		if err != nil {
			return err
		}
		if w.Visibility == webinar.Unlisted && !viewer(c).Staff {
			list[i].WebinarSlug, list[i].WebinarTitle = "", ""
			continue
		}
		list[i].WebinarTitle = w.Title
		langs[w.Slug] = w.Language
	}
	return nil
}

// supportWish records a logged-in member's +1; a repeat counts once.
func (s *Server) supportWish(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return c.Redirect("/login?next="+url.QueryEscape("/wishes"), http.StatusSeeOther)
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	id := c.Params("id")
	added, err := s.deps.Wishes.Support(ctx, id, u.ID)
	if err != nil {
		return err
	}
	key := "flash.wish_supported"
	if !added {
		key = "flash.wish_already"
	}
	s.setFlash(c, translate(s.pageLang(c), key))
	return c.Redirect("/wishes#wish-"+url.PathEscape(id), http.StatusSeeOther)
}

// wishCard is one wish on the public page with what its template needs.
type wishCard struct {
	Base
	wish.Wish
	Supported   bool
	WebinarLang string // the answering webinar's language
}

// Cards pairs wishes with the page, for the shared "wishcard" template.
func (p publicWishesPage) Cards(list []wish.Wish) []wishCard {
	out := make([]wishCard, len(list))
	for i, w := range list {
		out[i] = wishCard{Base: p.Base, Wish: w, Supported: p.Supported[w.ID], WebinarLang: p.WebinarLangs[w.WebinarSlug]}
	}
	return out
}

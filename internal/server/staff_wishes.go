package server

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/wish"
)

type staffWishesPage struct {
	Base
	Wishes   []wish.Wish
	Status   string
	Statuses []wish.Status
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
	list, err := s.deps.Wishes.List(ctx, filter)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_wishes", staffWishesPage{Base: s.base(c, "Önskemål", "staff"),
		Wishes: list, Status: status, Statuses: wish.Statuses})
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
	s.setFlash(c, "Status ändrad till ”"+st.Label()+"”.")
	return c.Redirect("/staff/wishes", http.StatusSeeOther)
}

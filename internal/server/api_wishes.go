package server

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/wish"
)

func (s *Server) apiCreateWish(c *fiber.Ctx) error {
	var in wish.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	w, err := s.deps.Wishes.Create(ctx, in)
	if err != nil {
		return err
	}
	s.notifyStaffOfWish(w)
	return c.Status(http.StatusCreated).JSON(w)
}

func (s *Server) apiListWishes(c *fiber.Ctx) error {
	var status wish.Status
	if q := c.Query("status"); q != "" {
		st, err := wish.ParseStatus(q)
		if err != nil {
			return err
		}
		status = st
	}
	ctx, cancel := requestContext(c)
	defer cancel()
	list, err := s.deps.Wishes.List(ctx, status)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

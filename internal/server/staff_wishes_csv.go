package server

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// csvHeader names the export's columns, in Swedish for staff.
var csvHeader = []string{"Datum", "Ämne", "Beskrivning", "Namn", "E-post", "Kommun", "Status", "Antal som stöder", "Svar", "Besvarat i webbinarium"}

// exportWishes sends every listed wish as CSV for Excel: UTF-8 with a
// byte-order mark (or Excel shows åäö wrongly) and semicolons, which is
// what Excel expects in Swedish settings.
func (s *Server) exportWishes(c *fiber.Ctx) error {
	ctx, cancel := requestContext(c)
	defer cancel()
	list, err := s.deps.Wishes.List(ctx, "")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	b := Base{Lang: s.pageLang(c)}
	_ = w.Write(csvHeaderIn(b.Lang))
	for _, x := range list {
		webinar := ""
		if x.WebinarSlug != "" {
			webinar = x.WebinarTitle + " (/webinars/" + x.WebinarSlug + ")"
		}
		row := []string{x.CreatedAt.Format("2006-01-02"), x.Topic, x.Details, x.Name, x.Email, x.Municipality,
			b.WishStatusLabel(x.Status), strconv.Itoa(x.Supporters), x.Reply, webinar}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="onskemal-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store") // names and e-mail addresses
	return c.Send(buf.Bytes())
}

// csvSafe stops a spreadsheet from running a cell as a formula (CSV
// injection): text starting with = + - @ or a tab or carriage return
// gets a leading apostrophe.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

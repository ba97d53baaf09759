package demo

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
)

// slide is one bullet slide of a deck.
type slide struct {
	heading string
	bullets []string
}

// Page geometry of a landscape A4 page in millimetres.
const (
	pageW  = 297.0
	pageH  = 210.0
	margin = 20.0
)

// renderSlides draws the deck of e as a PDF: a title slide, the bullet
// slides and a closing "Tack!" slide. The core Helvetica font is encoded
// in cp1252, so every string goes through the UTF-8 -> cp1252 translator
// to render å, ä, ö and the en dash correctly.
func renderSlides(e entry) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // "" = cp1252
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)

	// Pin everything that would otherwise vary between runs.
	pdf.SetCreationDate(e.HeldAt)
	pdf.SetModificationDate(e.HeldAt)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(e.Title, true)
	pdf.SetSubject("Demoinnehåll – SmåKoms webbinariearkiv", true)
	pdf.SetAuthor(speakerNames(e.Speakers), true)
	pdf.SetCreator("SmåKom webbinarieportal (demo)", true)
	pdf.SetProducer("SmåKom webbinarieportal", true)

	r, g, b := e.deckColor[0], e.deckColor[1], e.deckColor[2]
	total := len(e.slides) + 2

	pdf.SetFooterFunc(func() {
		pdf.SetY(pageH - 14)
		pdf.SetFont("Helvetica", "", 9)
		if n := pdf.PageNo(); n == 1 || n == total {
			pdf.SetTextColor(215, 220, 230) // on the full-bleed accent colour
		} else {
			pdf.SetTextColor(120, 120, 120)
		}
		pdf.CellFormat(0, 6, tr("SmåKom – demoinnehåll, inte en inspelning av webbinariet"), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 6, fmt.Sprintf("%d / %d", pdf.PageNo(), total), "", 0, "R", false, 0, "")
	})

	// demoBadge marks every slide as demo content (top right corner).
	demoBadge := func() {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.SetFillColor(255, 209, 102)
		pdf.SetTextColor(40, 40, 40)
		pdf.SetXY(pageW-margin-28, 10)
		pdf.CellFormat(28, 9, "DEMO", "", 0, "C", true, 0, "")
	}

	// Title slide: full-bleed accent colour.
	pdf.AddPage()
	pdf.SetFillColor(r, g, b)
	pdf.Rect(0, 0, pageW, pageH, "F")
	demoBadge()
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("Helvetica", "", 16)
	pdf.SetXY(margin, 45)
	pdf.CellFormat(0, 10, tr("SmåKom webbinarium · "+e.HeldAt.Format("2006-01-02")), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 30)
	pdf.SetX(margin)
	pdf.MultiCell(pageW-2*margin, 13, tr(e.Title), "", "L", false)
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "", 15)
	for _, s := range e.Speakers {
		pdf.SetX(margin)
		pdf.CellFormat(0, 8, tr(s.Name+", "+s.Role+", "+s.Organisation), "", 1, "L", false, 0, "")
	}

	// Bullet slides: heading band, then bullets.
	for _, s := range e.slides {
		pdf.AddPage()
		pdf.SetFillColor(r, g, b)
		pdf.Rect(0, 0, pageW, 30, "F")
		demoBadge()
		pdf.SetTextColor(255, 255, 255)
		pdf.SetFont("Helvetica", "B", 24)
		pdf.SetXY(margin, 9)
		pdf.CellFormat(pageW-2*margin-34, 12, tr(s.heading), "", 0, "L", false, 0, "")

		pdf.SetY(48)
		for _, bullet := range s.bullets {
			pdf.SetTextColor(r, g, b)
			pdf.SetFont("Helvetica", "B", 20)
			pdf.SetX(margin + 4)
			pdf.CellFormat(10, 11, tr("•"), "", 0, "L", false, 0, "")
			pdf.SetTextColor(30, 30, 30)
			pdf.SetFont("Helvetica", "", 20)
			pdf.MultiCell(pageW-2*margin-14, 11, tr(bullet), "", "L", false)
			pdf.Ln(5)
		}
	}

	// Closing slide.
	pdf.AddPage()
	pdf.SetFillColor(r, g, b)
	pdf.Rect(0, 0, pageW, pageH, "F")
	demoBadge()
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("Helvetica", "B", 48)
	pdf.SetXY(margin, 70)
	pdf.CellFormat(pageW-2*margin, 24, "Tack!", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 16)
	pdf.SetX(margin)
	pdf.CellFormat(pageW-2*margin, 10, tr("Frågor och synpunkter är välkomna."), "", 1, "C", false, 0, "")
	pdf.SetX(margin)
	pdf.CellFormat(pageW-2*margin, 10, tr("Demobilder ur SmåKoms webbinariearkiv"), "", 1, "C", false, 0, "")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func speakerNames(speakers []Speaker) string {
	names := make([]string, len(speakers))
	for i, s := range speakers {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

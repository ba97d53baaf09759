package webinar

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Slugify turns a title into a URL slug: "Sveriges nästa kris – vatten"
// becomes "sveriges-nasta-kris-vatten".
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // accents: å → a, é → e
		case r == 'ø':
			r = 'o'
		case r == 'æ':
			b.WriteString("ae")
			dash = false
			continue
		case r == 'ß':
			b.WriteString("ss")
			dash = false
			continue
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 80 {
		s = strings.TrimSuffix(s[:80], "-")
	}
	if s == "" {
		s = "webbinarium"
	}
	return s
}

package webinar

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/smakom/webinar-portal/internal/apperr"
)

// Fields is the editable metadata of a webinar. Nil means "leave as is",
// so the same type serves create (POST), partial update (PATCH) and forms.
type Fields struct {
	Title           *string    `json:"title,omitempty"`
	Summary         *string    `json:"summary,omitempty"`
	Description     *string    `json:"description,omitempty"`
	Speakers        *[]Speaker `json:"speakers,omitempty"`
	Organiser       *string    `json:"organiser,omitempty"`
	Topics          *[]string  `json:"topics,omitempty"`
	HeldAt          *string    `json:"held_at,omitempty"` // "2006-01-02"
	Language        *string    `json:"language,omitempty"`
	Visibility      *string    `json:"visibility,omitempty"`
	DurationSeconds *float64   `json:"duration_seconds,omitempty"`
	// Demo marks bundled demo content; set only by the demo loader.
	Demo bool `json:"-"`
}

// Limits on field lengths, in characters.
const (
	maxTitle       = 200
	maxSummary     = 500
	maxDescription = 10000
	maxName        = 200
	maxSpeakers    = 20
	maxTopics      = 20
	maxTopic       = 60
)

// LanguageValidator checks ISO 639-1 codes (the subtitle package knows them).
type LanguageValidator func(code string) bool

// apply validates f and writes it into w. Messages are Swedish and keyed
// by field name, so forms can show them beside the field.
func (f Fields) apply(w *Webinar, validLang LanguageValidator) error {
	errs := map[string]string{}
	text := func(field string, p *string, max int, required bool, dst *string) {
		if p == nil {
			if required && *dst == "" {
				errs[field] = "Fältet måste fyllas i."
			}
			return
		}
		v := strings.TrimSpace(*p)
		switch {
		case required && v == "":
			errs[field] = "Fältet måste fyllas i."
		case utf8.RuneCountInString(v) > max:
			errs[field] = fmt.Sprintf("Högst %d tecken (nu %d).", max, utf8.RuneCountInString(v))
		case !utf8.ValidString(v):
			errs[field] = "Texten innehåller ogiltiga tecken."
		default:
			*dst = v
		}
	}
	text("title", f.Title, maxTitle, true, &w.Title)
	text("summary", f.Summary, maxSummary, false, &w.Summary)
	text("description", f.Description, maxDescription, false, &w.Description)
	text("organiser", f.Organiser, maxName, false, &w.Organiser)

	if f.Speakers != nil {
		var speakers []Speaker
		for i, s := range *f.Speakers {
			s.Name, s.Role, s.Organisation = strings.TrimSpace(s.Name), strings.TrimSpace(s.Role), strings.TrimSpace(s.Organisation)
			if s.Name == "" && s.Role == "" && s.Organisation == "" {
				continue
			}
			switch {
			case s.Name == "":
				errs["speakers"] = fmt.Sprintf("Talare %d saknar namn.", i+1)
			case utf8.RuneCountInString(s.Name) > maxName || utf8.RuneCountInString(s.Role) > maxName || utf8.RuneCountInString(s.Organisation) > maxName:
				errs["speakers"] = fmt.Sprintf("Talare %d: högst %d tecken per fält.", i+1, maxName)
			}
			speakers = append(speakers, s)
		}
		if len(speakers) > maxSpeakers {
			errs["speakers"] = fmt.Sprintf("Högst %d talare.", maxSpeakers)
		}
		w.Speakers = speakers
	}
	if f.Topics != nil {
		var topics []string
		for _, t := range *f.Topics {
			t = strings.TrimSpace(t)
			if t == "" || slices.Contains(topics, t) {
				continue
			}
			if utf8.RuneCountInString(t) > maxTopic {
				errs["topics"] = fmt.Sprintf("Ett ämne får ha högst %d tecken.", maxTopic)
			}
			topics = append(topics, t)
		}
		if len(topics) > maxTopics {
			errs["topics"] = fmt.Sprintf("Högst %d ämnen.", maxTopics)
		}
		w.Topics = topics
	}
	if f.HeldAt != nil {
		v := strings.TrimSpace(*f.HeldAt)
		if v == "" {
			w.HeldAt = time.Time{}
		} else if t, err := time.Parse("2006-01-02", v); err != nil || t.Year() < 1990 || t.Year() > 2100 {
			errs["held_at"] = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2024-05-06."
		} else {
			w.HeldAt = t
		}
	}
	if f.Language != nil {
		v := strings.ToLower(strings.TrimSpace(*f.Language))
		if !validLang(v) {
			errs["language"] = "Okänd språkkod: använd en tvåbokstavskod enligt ISO 639-1, till exempel sv eller en."
		} else {
			w.Language = v
		}
	}
	if f.Visibility != nil {
		v := Visibility(strings.TrimSpace(*f.Visibility))
		if !slices.Contains(Visibilities, v) {
			errs["visibility"] = "Välj utkast, publik, endast medlemmar eller olistad."
		} else {
			w.Visibility = v
		}
	}
	if f.DurationSeconds != nil {
		d := *f.DurationSeconds
		if d < 0 || d > 24*3600 {
			errs["duration_seconds"] = "Längden måste vara mellan 0 och 86400 sekunder."
		} else {
			w.DurationMS = int64(d * 1000)
		}
	}
	if len(errs) > 0 {
		return apperr.Invalid(errs)
	}
	if f.Demo {
		w.Demo = true
	}
	return nil
}

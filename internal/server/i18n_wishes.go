package server

// Texts of the public wishes page, where members support wishes and see
// staff's answers. Apart from i18n.go so the two can change independently.
func init() {
	for k, m := range map[string]message{
		"nav.wishes":           {"Önskemål och svar", "Suggestions and answers"},
		"wishes.title":         {"Önskemål och svar", "Suggestions and answers"},
		"wishes.heading":       {"Önskemål och svar", "Suggestions and answers"},
		"wishes.lead":          {"Här är ämnen som medlemmar har önskat och som vi planerar eller redan har besvarat. Stöd de ämnen du också vill se, så vet vi vad som är viktigast.", "These are topics members have suggested that we are planning or have already answered. Support the ones you would like too, so we know what matters most."},
		"wishes.suggest":       {"Skicka ett eget önskemål", "Send a suggestion of your own"},
		"wishes.planned":       {"Planerade", "Planned"},
		"wishes.done":          {"Besvarade", "Answered"},
		"wishes.none_planned":  {"Inga planerade önskemål just nu.", "No planned suggestions at the moment."},
		"wishes.none_done":     {"Inga besvarade önskemål ännu.", "No answered suggestions yet."},
		"wishes.supporters":    {"Antal som stöder: %s", "Supporters: %s"},
		"wishes.reply":         {"Svar från SmåKom", "SmåKom’s answer"},
		"wishes.answered_by":   {"Besvarat i webbinariet", "Answered in the webinar"},
		"wishes.support":       {"Stöd önskemålet", "Support this suggestion"},
		"wishes.supported":     {"Du stöder det här önskemålet.", "You support this suggestion."},
		"wishes.login_support": {"Logga in för att stödja önskemål", "Log in to support suggestions"},
		"flash.wish_supported": {"Tack! Ditt stöd är registrerat.", "Thank you! Your support has been recorded."},
		"flash.wish_already":   {"Du stöder redan det här önskemålet. Varje medlem räknas en gång.", "You already support this suggestion. Each member counts once."},
	} {
		messages[k] = m
	}
}

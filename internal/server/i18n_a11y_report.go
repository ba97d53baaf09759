package server

// Texts of an accessibility report shown again after a validation error
// (the wish form keeps the report's kind).
func init() {
	for k, m := range map[string]message{
		"a11y.title_invalid": {"Rätta formuläret – Rapportera brister i tillgängligheten", "Correct the form – Report accessibility problems"},
		"a11y.report_again": {"Din rapport om tillgängligheten är inte skickad än. Rätta det som är markerat och skicka den igen.",
			"Your accessibility report has not been sent yet. Correct what is marked and send it again."},
	} {
		messages[k] = m
	}
}

package server

// Texts of the operational error pages: storage unavailable, too many
// uploads, and the request id a visitor can quote.
func init() {
	for k, m := range map[string]message{
		"error.unavailable": {"Tillfälligt otillgängligt", "Temporarily unavailable"},
		"error.request_id":  {"Felkod:", "Error code:"},
	} {
		messages[k] = m
	}
	englishErrors["unavailable"] = "The archive is temporarily unavailable. Please try again in a little while."
	englishErrors["too_many_uploads"] = "Many uploads are running right now. Wait a while and try again."
}
